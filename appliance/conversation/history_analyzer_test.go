package conversation

import (
	"context"
	"strings"
	"testing"
)

func TestSearchMatchesAttachmentNames(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	c, _ := start(t, s)
	names := []string{"宗地图测绘成果.pdf", "survey_map-2026.pdf", "evil.exe.txt", "<mark>x</mark>.png"}
	for i, name := range names {
		kind := KindFile
		if strings.HasSuffix(name, ".png") {
			kind = KindImage
		}
		_, _, err := s.SendAttachment(ctx, AttachmentRequest{
			ConversationID: c.ID, From: SenderCitizen, Kind: kind,
			Attachment: Attachment{ID: "att" + string(rune('a'+i)), Name: name, Type: "application/octet-stream", Size: 10},
		})
		if err != nil {
			t.Fatalf("sending %s: %v", name, err)
		}
	}

	tests := []struct {
		query string
		// snippet must be among the hit's snippets.
		snippet string
	}{
		{"宗地图", "[文件] <mark>宗地图</mark>测绘成果.pdf"},
		{"survey", "[文件] <mark>survey</mark>_map-2026.pdf"},
		{"map", "[文件] survey_<mark>map</mark>-2026.pdf"},
		{"EVIL", "[文件] <mark>evil</mark>.exe.txt"},
		{"exe", "[文件] evil.<mark>exe</mark>.txt"},
		{"mark", "[图片] &lt;<mark>mark</mark>&gt;x&lt;/<mark>mark</mark>&gt;.png"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			hits, err := s.Search(ctx, tt.query, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) != 1 {
				t.Fatalf("got %d hits, want 1", len(hits))
			}
			found := false
			for _, sn := range hits[0].Snippets {
				found = found || sn == tt.snippet
			}
			if !found {
				t.Errorf("snippets: got %q, want %q among them", hits[0].Snippets, tt.snippet)
			}
		})
	}
}

func TestSearchKeepsTextMatches(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	start(t, s)
	hits, err := s.Search(ctx, "过户", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || len(hits[0].Snippets) == 0 || !strings.Contains(hits[0].Snippets[0], "<mark>过户</mark>") {
		t.Errorf("got %+v, want one hit with 过户 highlighted", hits)
	}
}

// TestSearchSingleCharacter finds a line by one of its characters, while
// a two-character query still needs that pair together.
func TestSearchSingleCharacter(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	for _, text := range []string{"离婚后房子怎么分", "登录系统后提交申请", "不动产登记要多久"} {
		if _, _, err := s.Start(ctx, StartRequest{Channel: "web", Transcript: []Line{{From: SenderCitizen, Text: text}}}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		query string
		want  int
	}{
		{"婚", 1},
		{"登", 2},
		{"登记", 1},
		{"户", 0},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			hits, err := s.Search(ctx, tt.query, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) != tt.want {
				t.Errorf("search %q: got %d conversations, want %d", tt.query, len(hits), tt.want)
			}
		})
	}
}
