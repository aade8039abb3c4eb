package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"wenban/appliance/auth"
	"wenban/appliance/conversation"
)

func TestHistorySearchAttachmentNames(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := context.Background()
	c := h.startConversation("宅基地审批")
	names := []string{"survey_map-2026.pdf", `<img src=x onerror=alert(1)>.png`}
	for i, name := range names {
		_, _, err := h.conv.SendAttachment(ctx, conversation.AttachmentRequest{
			ConversationID: c.ID, From: conversation.SenderCitizen, Kind: conversation.KindFile,
			Attachment: conversation.Attachment{ID: "att" + string(rune('a'+i)), Name: name, Type: "application/pdf", Size: 10},
		})
		if err != nil {
			t.Fatalf("sending %s: %v", name, err)
		}
	}
	h.createAccount("zhangsan", "张三", auth.RoleAgent)
	client := h.client()
	h.login(client, "zhangsan")

	tests := []struct {
		name  string
		query string
		want  string
	}{
		{"word inside a file name", "survey", `[文件] <mark data-testid="history-highlight">survey</mark>_map-2026.pdf`},
		{"markup in a file name", "onerror", `&lt;img src=x <mark data-testid="history-highlight">onerror</mark>=alert(1)&gt;.png`},
		{"markup as the query", "<b>survey</b>", `<mark data-testid="history-highlight">survey</mark>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.get(client, "/seat/history?q="+url.QueryEscape(tt.query))
			if !strings.Contains(resp.body, `data-conversation-id="`+string(c.ID)+`"`) {
				t.Fatalf("results lack conversation %s", c.ID)
			}
			if !strings.Contains(resp.body, tt.want) {
				t.Errorf("results lack %q", tt.want)
			}
			if strings.Contains(resp.body, "<img") || strings.Contains(resp.body, "<b>") {
				t.Errorf("results contain raw markup from the name or the query, want it escaped")
			}
		})
	}
}
