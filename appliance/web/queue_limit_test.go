package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"wenban/appliance/conversation"
)

// TestQueuePlacesPerClient fills one client's share of the queue. The next
// handoff from it is refused with the 留言 offer, and a place that leaves
// the queue makes room again.
func TestQueuePlacesPerClient(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	handoff := func() response {
		h.clock.Set(h.clock.Now().Add(handoffEvery)) // stay under the handoff rate
		return h.postJSON(h.client(), "/api/v1/handoff", `{"channel":"web","topic":"排队","transcript":[]}`)
	}
	for i := range maxQueuedPerClient {
		if resp := handoff(); resp.status != http.StatusCreated {
			t.Fatalf("handoff %d: got %d, want 201; body %s", i+1, resp.status, resp.body)
		}
	}
	refused := handoff()
	if refused.status != http.StatusTooManyRequests || !strings.Contains(refused.body, msgQueuedFromClient) || !strings.Contains(refused.body, `"leave_message":true`) {
		t.Fatalf("handoff over the client's places: got %d %s, want 429 with the 留言 offer", refused.status, refused.body)
	}

	queue, err := h.conv.Queue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.conv.End(context.Background(), queue[0].ConversationID, conversation.Closer{Abandoned: true}); err != nil {
		t.Fatal(err)
	}
	if resp := handoff(); resp.status != http.StatusCreated {
		t.Errorf("handoff after a place left: got %d, want 201", resp.status)
	}
}
