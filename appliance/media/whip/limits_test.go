package whip_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"wenban/appliance/media/token"
)

// rawOffer returns a pion offer with n receive-only audio sections and
// no candidates, enough for the hub to answer without connecting.
func rawOffer(t *testing.T, n int) string {
	t.Helper()
	pc, err := webrtc.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatalf("NewPeerConnection: %v", err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	for range n {
		if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio,
			webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			t.Fatalf("AddTransceiverFromKind: %v", err)
		}
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatalf("CreateOffer: %v", err)
	}

	return offer.SDP
}

func TestManySectionsRejected(t *testing.T) {
	h := newHarness(t)
	play := h.token(t, "hall", token.PermissionPlay, time.Hour)

	resp := h.do(t, http.MethodPost, "/whep/hall", play, "application/sdp", rawOffer(t, 40))
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("got status %d, want 400", resp.StatusCode)
	}
	if !strings.Contains(string(body), "媒体段") {
		t.Errorf("got body %q, want the media section limit explained", body)
	}
}

func TestSessionsPerTokenLimited(t *testing.T) {
	h := newHarness(t)
	play := h.token(t, "hall", token.PermissionPlay, time.Hour)
	offer := rawOffer(t, 1)

	var locations []string
	for i := range 8 {
		resp := h.do(t, http.MethodPost, "/whep/hall", play, "application/sdp", offer)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("session %d: got status %d, want 201", i+1, resp.StatusCode)
		}
		locations = append(locations, resp.Header.Get("Location"))
	}
	if resp := h.do(t, http.MethodPost, "/whep/hall", play, "application/sdp", offer); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("ninth session: got status %d, want 429", resp.StatusCode)
	}
	other := h.token(t, "hall", token.PermissionPlay, time.Hour)
	if resp := h.do(t, http.MethodPost, "/whep/hall", other, "application/sdp", offer); resp.StatusCode != http.StatusCreated {
		t.Errorf("another token: got status %d, want 201", resp.StatusCode)
	}

	// A deleted session frees its place.
	if resp := h.do(t, http.MethodDelete, locations[0], play, "", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("DELETE: got status %d, want 200", resp.StatusCode)
	}
	if resp := h.do(t, http.MethodPost, "/whep/hall", play, "application/sdp", offer); resp.StatusCode != http.StatusCreated {
		t.Errorf("after DELETE: got status %d, want 201", resp.StatusCode)
	}
}

func TestDeleteNeedsCreatingToken(t *testing.T) {
	h := newHarness(t)
	room := "大厅 1/东"
	owner := h.token(t, room, token.PermissionPlay, time.Hour)
	stranger := h.token(t, room, token.PermissionPlay, time.Hour)

	resp := h.do(t, http.MethodPost, "/whep/"+url.PathEscape(room), owner, "application/sdp", rawOffer(t, 1))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST: got status %d, want 201", resp.StatusCode)
	}
	location := resp.Header.Get("Location")
	if want := "/whep/" + url.PathEscape(room) + "/"; !strings.HasPrefix(location, want) {
		t.Fatalf("got Location %q, want prefix %q", location, want)
	}

	tests := []struct {
		name  string
		token string
		want  int
	}{
		{"another token of the room", stranger, http.StatusNotFound},
		{"creating token", owner, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if resp := h.do(t, http.MethodDelete, location, tt.token, "", ""); resp.StatusCode != tt.want {
				t.Errorf("got status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

func TestAuthorizationSchemeForms(t *testing.T) {
	h := newHarness(t)
	play := h.token(t, "hall", token.PermissionPlay, time.Hour)
	tests := []struct {
		name   string
		header string
		want   int
	}{
		{"canonical", "Bearer " + play, http.StatusCreated},
		{"lowercase scheme", "bearer " + play, http.StatusCreated},
		{"extra spaces", "Bearer   " + play + " ", http.StatusCreated},
		{"basic scheme", "Basic " + play, http.StatusUnauthorized},
		{"scheme only", "Bearer", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/whep/hall", strings.NewReader(rawOffer(t, 1)))
			if err != nil {
				t.Fatalf("NewRequest: %v", err)
			}
			req.Header.Set("Authorization", tt.header)
			req.Header.Set("Content-Type", "application/sdp")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("POST: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("got status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}
