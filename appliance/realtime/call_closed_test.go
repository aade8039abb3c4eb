package realtime

import (
	"context"
	"testing"

	"wenban/appliance/conversation"
)

func TestCallInviteOnEndedConversation(t *testing.T) {
	th, _ := newCallHub(t)
	c, _, s := servedConversation(t, th)

	if _, err := th.conv.End(context.Background(), c.ID, conversation.Closer{AgentID: zhang.ID, Name: zhang.Name}); err != nil {
		t.Fatalf("End: %v", err)
	}
	s.send(map[string]any{"type": "call.invite", "conversation_id": c.ID, "call": map[string]any{"kind": "video"}})

	f := s.await("error for the call on the ended conversation", typed("error"))
	if f["code"] != "closed" {
		t.Errorf("code: got %v, want closed", f["code"])
	}
	if f["text"] != "该会话已结束。" {
		t.Errorf("text: got %v, want 该会话已结束。", f["text"])
	}
}
