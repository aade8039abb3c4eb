package whip_test

import (
	"sync"
	"testing"
	"time"

	"wenban/appliance/media/rtcpeer"
	"wenban/appliance/media/sfu"
	"wenban/appliance/media/token"
	"wenban/appliance/media/whip"
)

// TestPlaySourcesByToken plays one room with two tokens, one of which
// PlaySources maps to a filter that admits no publisher.
func TestPlaySourcesByToken(t *testing.T) {
	var mu sync.Mutex
	var seen []token.Claims
	var blocked string
	h := newHarnessWith(t, whip.Options{
		PlaySources: func(c token.Claims) func(sfu.ParticipantID) bool {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, c)
			if c.ID != blocked {
				return nil
			}

			return func(sfu.ParticipantID) bool { return false }
		},
	})
	open := h.token(t, "hall", token.PermissionPlay, time.Hour)
	filtered := h.token(t, "hall", token.PermissionPlay, time.Hour)
	claims, err := h.tokens.Parse(filtered)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	mu.Lock()
	blocked = claims.ID
	mu.Unlock()

	openPlayer, _ := h.session(t, "whep", "hall", open, rtcpeer.Options{})
	filteredPlayer, _ := h.session(t, "whep", "hall", filtered, rtcpeer.Options{})
	publish := h.token(t, "hall", token.PermissionPublish, time.Hour)
	h.session(t, "whip", "hall", publish, rtcpeer.Options{Audio: true, Video: true})

	if err := filteredPlayer.WaitConnected(15 * time.Second); err != nil {
		t.Fatalf("filtered player: %v", err)
	}
	waitPackets(t, openPlayer, "video", 60)
	if got := filteredPlayer.Total("video").Packets; got != 0 {
		t.Errorf("filtered player got %d video packets, want 0", got)
	}
	if got := filteredPlayer.Total("audio").Packets; got != 0 {
		t.Errorf("filtered player got %d audio packets, want 0", got)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 {
		t.Fatalf("got %d PlaySources calls, want 2 (one per WHEP session, none for WHIP)", len(seen))
	}
	if seen[1].ID != claims.ID || seen[1].Room != "hall" || seen[1].Permission != token.PermissionPlay {
		t.Errorf("got claims %+v for the filtered player, want ID %s in room hall with play", seen[1], claims.ID)
	}
}

// waitPackets polls until peer received n packets of a kind.
func waitPackets(t *testing.T, peer *rtcpeer.Peer, kind string, n uint64) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := peer.Total(kind).Packets
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d %s packets, want at least %d", got, kind, n)
		}
		<-time.After(20 * time.Millisecond)
	}
}
