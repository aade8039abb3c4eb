package web

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func TestAddressLimiter(t *testing.T) {
	l := newAddressLimiter(time.Second, 3)
	now := time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
	for i := range 3 {
		if !l.allow("127.0.0.1:5000", now) {
			t.Fatalf("request %d within the burst: got refused", i+1)
		}
	}
	if l.allow("127.0.0.1:5001", now) {
		t.Error("fourth request from the same host: got allowed, want refused")
	}
	if !l.allow("127.0.0.2:5000", now) {
		t.Error("another host: got refused, want allowed")
	}
	if !l.allow("127.0.0.1:5000", now.Add(time.Second)) {
		t.Error("after one interval: got refused, want allowed")
	}

	l.allow("127.0.0.3:1", now)
	l.allow("127.0.0.1:1", now.Add(10*time.Second))
	if _, ok := l.clients["127.0.0.3"]; ok {
		t.Error("idle client not swept")
	}
}

func TestClientKeyGroupsIPv6Networks(t *testing.T) {
	tests := []struct {
		addr, want string
	}{
		{"192.0.2.7:5000", "192.0.2.7"},
		{"[2001:db8:1:2:aaaa::1]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:bbbb::9]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:3::1]:443", "2001:db8:1:3::/64"},
		{"[::ffff:192.0.2.7]:80", "::ffff:192.0.2.7"},
		{"not an address", "not an address"},
	}
	for _, tt := range tests {
		if got := clientKey(tt.addr); got != tt.want {
			t.Errorf("clientKey(%q): got %q, want %q", tt.addr, got, tt.want)
		}
	}
}

// TestCitizenActionsRateLimited floods each unauthenticated action that
// stores something and checks that the first request over the burst gets
// 429 with a JSON error, while another address is still served.
func TestCitizenActionsRateLimited(t *testing.T) {
	tests := []struct {
		name  string
		path  string
		body  string
		burst int
	}{
		{"handoff", "/api/v1/handoff", `{"channel":"web","topic":"排队","transcript":[]}`, handoffBurst},
		{"left message", "/api/v1/leave-message", `{"name":"张三","phone":"13812345678","text":"请联系我"}`, leaveBurst},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			c := h.client()
			for i := range tt.burst {
				if resp := h.postJSON(c, tt.path, tt.body); resp.status == http.StatusTooManyRequests {
					t.Fatalf("request %d within the burst: got 429", i+1)
				}
			}
			resp := h.postJSON(c, tt.path, tt.body)
			if resp.status != http.StatusTooManyRequests {
				t.Fatalf("request %d: got %d, want 429", tt.burst+1, resp.status)
			}
			var body map[string]string
			decodeBody(t, resp.body, &body)
			if body["error"] != msgTooMany {
				t.Errorf("429 body: got %s, want the JSON error %q", resp.body, msgTooMany)
			}
		})
	}
}

// TestBotQuestionsAnsweredButRecordingLimited asks more questions than one
// address may have recorded: every one is answered, as an acceptance run
// from one machine needs, and only recordBurst of them are stored.
func TestBotQuestionsAnsweredButRecordingLimited(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.client()
	const asked = recordBurst + 10
	for i := range asked {
		resp := h.postJSON(c, "/api/v1/bot/ask", `{"question":"不动产登记办理时限是多久"}`)
		if resp.status != http.StatusOK {
			t.Fatalf("question %d: got %d, want 200", i+1, resp.status)
		}
	}
	recs, err := h.conv.Questions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != recordBurst {
		t.Errorf("recorded questions: got %d, want %d", len(recs), recordBurst)
	}

	h.clock.Set(h.clock.Now().Add(recordEvery))
	h.postJSON(c, "/api/v1/bot/ask", `{"question":"不动产登记办理时限是多久"}`)
	if recs, _ := h.conv.Questions(context.Background()); len(recs) != recordBurst+1 {
		t.Errorf("recorded after one interval: got %d, want %d", len(recs), recordBurst+1)
	}
}
