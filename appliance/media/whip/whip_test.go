package whip_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"wenban/appliance/media/rtcpeer"
	"wenban/appliance/media/sfu"
	"wenban/appliance/media/token"
	"wenban/appliance/media/whip"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var now = time.Now()

type harness struct {
	srv    *httptest.Server
	tokens *token.Signer
}

func logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

func newHarness(t *testing.T) *harness {
	t.Helper()

	return newHarnessWith(t, whip.Options{})
}

// newHarnessWith serves opts, with the SFU, tokens and logger filled in.
func newHarnessWith(t *testing.T, opts whip.Options) *harness {
	t.Helper()
	s, err := sfu.New(sfu.Options{Logger: logger(), ICE: sfu.ICEConfig{ListenIPs: []string{"127.0.0.1"}}})
	if err != nil {
		t.Fatalf("sfu.New: %v", err)
	}
	tokens, err := token.New(bytes.Repeat([]byte{1}, token.MinKeySize))
	if err != nil {
		t.Fatalf("token.New: %v", err)
	}
	opts.SFU, opts.Tokens, opts.Logger = s, tokens, logger()
	h := whip.New(opts)
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		h.Close()
		_ = s.Close()
	})

	return &harness{srv: srv, tokens: tokens}
}

func (h *harness) token(t *testing.T, room string, perm token.Permission, ttl time.Duration) string {
	t.Helper()
	tok, err := h.tokens.Issue(room, perm, ttl, now)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}

	return tok
}

func (h *harness) do(t *testing.T, method, path, tok, contentType, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	t.Cleanup(func() { resp.Body.Close() })

	return resp
}

// session runs the client side of WHIP or WHEP with a pion peer and
// returns the peer and the session's Location.
func (h *harness) session(t *testing.T, kind, room, tok string, o rtcpeer.Options) (*rtcpeer.Peer, string) {
	t.Helper()
	o.Logger = logger()
	o.LoopbackOnly = true
	peer, err := rtcpeer.New(o)
	if err != nil {
		t.Fatalf("rtcpeer.New: %v", err)
	}
	t.Cleanup(func() { _ = peer.Close() })
	if kind == "whep" {
		if err := peer.AddReceivers(); err != nil {
			t.Fatalf("AddReceivers: %v", err)
		}
	}
	if err := peer.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	offer, err := peer.Offer(ctx)
	if err != nil {
		t.Fatalf("Offer: %v", err)
	}

	resp := h.do(t, http.MethodPost, "/"+kind+"/"+room, tok, "application/sdp", offer)
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /%s/%s: got status %d (%s), want 201", kind, room, resp.StatusCode, answer)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/sdp" {
		t.Errorf("got answer Content-Type %q, want application/sdp", got)
	}
	location := resp.Header.Get("Location")
	if !strings.HasPrefix(location, "/"+kind+"/"+room+"/") {
		t.Errorf("got Location %q, want a path under /%s/%s/", location, kind, room)
	}
	if err := peer.SetAnswer(string(answer)); err != nil {
		t.Fatalf("SetAnswer: %v", err)
	}

	return peer, location
}

func TestPublishAndPlay(t *testing.T) {
	h := newHarness(t)
	// The player starts first, so its slots fill when the publisher
	// arrives.
	play := h.token(t, "hall", token.PermissionPlay, time.Hour)
	publish := h.token(t, "hall", token.PermissionPublish, time.Hour)
	player, playLoc := h.session(t, "whep", "hall", play, rtcpeer.Options{})
	_, pubLoc := h.session(t, "whip", "hall", publish, rtcpeer.Options{Audio: true, Video: true})

	deadline := time.Now().Add(15 * time.Second)
	for {
		video := player.Total("video")
		audio := player.Total("audio")
		if video.Packets >= 30 && video.Keyframes > 0 && audio.Packets >= 10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("player got %d video packets (%d keyframes) and %d audio packets, want 30, 1 and 10",
				video.Packets, video.Keyframes, audio.Packets)
		}
		<-time.After(20 * time.Millisecond)
	}

	tests := []struct {
		name     string
		location string
		token    string
		want     int
	}{
		{"delete play session", playLoc, play, http.StatusOK},
		{"delete it again", playLoc, play, http.StatusNotFound},
		{"delete publish session with play token", pubLoc, play, http.StatusForbidden},
		{"delete publish session", pubLoc, publish, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.do(t, http.MethodDelete, tt.location, tt.token, "", "")
			if resp.StatusCode != tt.want {
				t.Errorf("got status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

func TestRequestsRejected(t *testing.T) {
	h := newHarness(t)
	publish := h.token(t, "hall", token.PermissionPublish, time.Hour)
	expired := h.token(t, "hall", token.PermissionPublish, time.Nanosecond)
	otherRoom := h.token(t, "other", token.PermissionPublish, time.Hour)
	play := h.token(t, "hall", token.PermissionPlay, time.Hour)
	other, err := token.New(bytes.Repeat([]byte{2}, token.MinKeySize))
	if err != nil {
		t.Fatalf("token.New: %v", err)
	}
	forged, err := other.Issue("hall", token.PermissionPublish, time.Hour, now)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}

	tests := []struct {
		name        string
		method      string
		path        string
		token       string
		contentType string
		body        string
		want        int
	}{
		{"missing token", "POST", "/whip/hall", "", "application/sdp", "v=0", http.StatusUnauthorized},
		{"expired token", "POST", "/whip/hall", expired, "application/sdp", "v=0", http.StatusUnauthorized},
		{"forged token", "POST", "/whip/hall", forged, "application/sdp", "v=0", http.StatusUnauthorized},
		{"garbage token", "POST", "/whip/hall", "abc", "application/sdp", "v=0", http.StatusUnauthorized},
		{"wrong room", "POST", "/whip/hall", otherRoom, "application/sdp", "v=0", http.StatusForbidden},
		{"play token on WHIP", "POST", "/whip/hall", play, "application/sdp", "v=0", http.StatusForbidden},
		{"publish token on WHEP", "POST", "/whep/hall", publish, "application/sdp", "v=0", http.StatusForbidden},
		{"wrong content type", "POST", "/whip/hall", publish, "application/json", "{}", http.StatusUnsupportedMediaType},
		{"empty offer", "POST", "/whip/hall", publish, "application/sdp", "", http.StatusBadRequest},
		{"invalid SDP", "POST", "/whip/hall", publish, "application/sdp", "not sdp", http.StatusBadRequest},
		{"oversized offer", "POST", "/whip/hall", publish, "application/sdp", strings.Repeat("a", 70<<10), http.StatusBadRequest},
		{"unknown session", "DELETE", "/whip/hall/nope", publish, "", "", http.StatusNotFound},
		{"trickle", "PATCH", "/whip/hall/nope", publish, "application/trickle-ice-sdpfrag", "", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.do(t, tt.method, tt.path, tt.token, tt.contentType, tt.body)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.want {
				t.Fatalf("got status %d (%s), want %d", resp.StatusCode, body, tt.want)
			}
			if tt.want == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("got no WWW-Authenticate header on 401")
			}
		})
	}
}
