package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"wenban/appliance/config"
	"wenban/appliance/media/rtcpeer"
	"wenban/appliance/media/token"
)

// TestWHIPThroughHub publishes into a room through the hub's own routes,
// with a token signed by the hub's store key.
func TestWHIPThroughHub(t *testing.T) {
	r := startHub(t, t.TempDir())
	t.Cleanup(func() { _ = r.stop() })

	tok, err := r.srv.tokens.Issue("hall", token.PermissionPublish, time.Hour, time.Now())
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}

	resp, err := http.Post(r.url+"/whip/hall", "application/sdp", strings.NewReader("v=0"))
	if err != nil {
		t.Fatalf("POST without token: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("POST without token: got status %d, want 401", resp.StatusCode)
	}

	peer, err := rtcpeer.New(rtcpeer.Options{Video: true, LoopbackOnly: true})
	if err != nil {
		t.Fatalf("rtcpeer.New: %v", err)
	}
	t.Cleanup(func() { _ = peer.Close() })
	if err := peer.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	offer, err := peer.Offer(ctx)
	if err != nil {
		t.Fatalf("Offer: %v", err)
	}
	req, _ := http.NewRequest(http.MethodPost, r.url+"/whip/hall", strings.NewReader(offer))
	req.Header.Set("Content-Type", "application/sdp")
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST offer: %v", err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST offer: got status %d (%s), want 201", resp.StatusCode, answer)
	}
	if err := peer.SetAnswer(string(answer)); err != nil {
		t.Fatalf("SetAnswer: %v", err)
	}
	if err := peer.WaitConnected(15 * time.Second); err != nil {
		t.Fatalf("publisher: %v", err)
	}

	req, _ = http.NewRequest(http.MethodDelete, r.url+resp.Header.Get("Location"), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("DELETE: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("DELETE: got status %d, want 200", resp.StatusCode)
	}
}

// TestTURNCredentialsPerParticipant starts the hub with TURN and checks
// the servers it hands a participant.
func TestTURNCredentialsPerParticipant(t *testing.T) {
	probe, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("probing UDP port: %v", err)
	}
	port := probe.LocalAddr().(*net.UDPAddr).Port
	probe.Close()

	r := startHubWith(t, t.TempDir(), func(cfg *config.Config) {
		cfg.Media.TURN.Enabled = true
		cfg.Media.TURN.Listen = "127.0.0.1:" + strconv.Itoa(port)
		cfg.Media.TURN.PublicIP = "127.0.0.1"
	})
	t.Cleanup(func() { _ = r.stop() })

	servers := r.srv.clientICEServers("hall", "citizen-1")
	if len(servers) != 1 {
		t.Fatalf("got %d ICE servers, want 1", len(servers))
	}
	host := "127.0.0.1:" + strconv.Itoa(port)
	want := []string{"turn:" + host + "?transport=udp", "turn:" + host + "?transport=tcp"}
	if got := servers[0].URLs; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got URLs %v, want %v", got, want)
	}
	if !strings.HasSuffix(servers[0].Username, ":citizen-1") {
		t.Errorf("got username %q, want EXPIRY:citizen-1", servers[0].Username)
	}
}
