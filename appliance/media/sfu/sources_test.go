package sfu_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"wenban/appliance/media/rtcpeer"
	"wenban/appliance/media/sfu"
)

// Participant ids as the call code names them: the kiosk publishes as the
// conversation's citizen, and the kiosk's player admits staff only.
const (
	kioskID sfu.ParticipantID = "citizen-c1"
	staffID sfu.ParticipantID = "staff-7"
)

func staffOnly(id sfu.ParticipantID) bool {
	return strings.HasPrefix(string(id), "staff-")
}

// joinWHIP joins a pion client that negotiates with Participant.Answer,
// as the WHIP and WHEP endpoints do: a publisher when o sends media, a
// player with one audio and one video slot when jo.CanSubscribe is set.
func joinWHIP(t *testing.T, s *sfu.SFU, room sfu.RoomID, id sfu.ParticipantID, jo sfu.JoinOptions, o rtcpeer.Options) *client {
	t.Helper()
	o.Logger = testLogger()
	o.LoopbackOnly = true
	peer, err := rtcpeer.New(o)
	if err != nil {
		t.Fatalf("rtcpeer.New(%s): %v", id, err)
	}
	t.Cleanup(func() { _ = peer.Close() })
	if jo.CanSubscribe {
		if err := peer.AddReceivers(); err != nil {
			t.Fatalf("AddReceivers(%s): %v", id, err)
		}
	}
	if err := peer.Start(); err != nil {
		t.Fatalf("starting client %s: %v", id, err)
	}

	part, err := s.Join(room, id, jo)
	if err != nil {
		t.Fatalf("Join(%s, %s): %v", room, id, err)
	}
	t.Cleanup(func() { _ = part.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), mediaTimeout)
	defer cancel()
	offer, err := peer.Offer(ctx)
	if err != nil {
		t.Fatalf("Offer(%s): %v", id, err)
	}
	answer, err := part.Answer(ctx, offer)
	if err != nil {
		t.Fatalf("Answer(%s): %v", id, err)
	}
	if err := peer.SetAnswer(answer); err != nil {
		t.Fatalf("SetAnswer(%s): %v", id, err)
	}

	return &client{peer: peer, part: part}
}

// joinKiosk publishes the kiosk's camera and microphone as WHIP does.
func joinKiosk(t *testing.T, s *sfu.SFU, room sfu.RoomID) *client {
	t.Helper()

	return joinWHIP(t, s, room, kioskID, sfu.JoinOptions{CanPublish: true},
		rtcpeer.Options{Audio: true, Video: true})
}

// joinPlayer joins a WHEP player that receives what sources admits.
func joinPlayer(t *testing.T, s *sfu.SFU, room sfu.RoomID, id sfu.ParticipantID, sources func(sfu.ParticipantID) bool) *client {
	t.Helper()

	return joinWHIP(t, s, room, id, sfu.JoinOptions{CanSubscribe: true, Sources: sources}, rtcpeer.Options{})
}

// playing returns a condition that holds once the player's slot of a kind
// plays from and the player received n packets of that kind in total.
func playing(player *client, kind sfu.Kind, from sfu.ParticipantID, n uint64) func() error {
	return func() error {
		if got := sfu.SlotSource(player.part, kind); got != from {
			return fmt.Errorf("got %s slot fed by %q, want %q", kind, got, from)
		}
		if got := player.peer.Total(string(kind)).Packets; got < n {
			return fmt.Errorf("got %d %s packets, want at least %d", got, kind, n)
		}

		return nil
	}
}

// kioskSends returns a condition that holds once the hub got n more video
// packets from the kiosk than it had when the condition was made.
func kioskSends(s *sfu.SFU, room sfu.RoomID, n uint64) func() error {
	start := inCount(s, room, kioskID, sfu.KindVideo)

	return func() error {
		if got := inCount(s, room, kioskID, sfu.KindVideo) - start; got < n {
			return fmt.Errorf("got %d more video packets from the kiosk, want %d", got, n)
		}

		return nil
	}
}

// TestPlayerSourcesPublishOrder checks the kiosk's player in the orders
// the kiosk call produces: the kiosk's camera in the room before the
// staff member's, the player before either, and a staff member without a
// camera.
func TestPlayerSourcesPublishOrder(t *testing.T) {
	tests := []struct {
		name        string
		playerFirst bool
		staffVideo  bool
		sources     func(sfu.ParticipantID) bool
		// wantAudio and wantVideo feed the player's slots once everyone
		// published; "" means the slot stays free.
		wantAudio, wantVideo sfu.ParticipantID
	}{
		{"kiosk before staff", false, true, staffOnly, staffID, staffID},
		{"player before kiosk and staff", true, true, staffOnly, staffID, staffID},
		{"staff without camera", false, false, staffOnly, staffID, ""},
		{"no filter takes the kiosk", false, true, nil, kioskID, kioskID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSFU(t)
			var player *client
			if tt.playerFirst {
				player = joinPlayer(t, s, "r1", "whep-1", tt.sources)
			}
			joinKiosk(t, s, "r1")
			waitFor(t, mediaTimeout, "kiosk video at the hub", kioskSends(s, "r1", 30))
			if player == nil {
				player = joinPlayer(t, s, "r1", "whep-1", tt.sources)
			}
			if err := player.peer.WaitConnected(mediaTimeout); err != nil {
				t.Fatalf("player: %v", err)
			}
			joinClient(t, s, "r1", staffID, clientOptions{audio: true, video: tt.staffVideo})

			// Audio proves the player is connected and receiving while the
			// kiosk keeps sending video.
			waitFor(t, mediaTimeout, "audio at the player", playing(player, sfu.KindAudio, tt.wantAudio, 25))
			if tt.wantVideo != "" {
				waitFor(t, mediaTimeout, "video at the player", playing(player, sfu.KindVideo, tt.wantVideo, 30))

				return
			}
			waitFor(t, mediaTimeout, "more kiosk video at the hub", kioskSends(s, "r1", 60))
			if got := sfu.SlotSource(player.part, sfu.KindVideo); got != "" {
				t.Errorf("got video slot fed by %q, want a free slot", got)
			}
			if got := player.peer.Total("video").Packets; got != 0 {
				t.Errorf("got %d video packets at the player, want 0", got)
			}
		})
	}
}

// TestPlayerSourcesStaffRepublish republishes the staff member after the
// kiosk, so the room lists the kiosk's tracks first, and checks both the
// player that was playing and one that joins afterwards.
func TestPlayerSourcesStaffRepublish(t *testing.T) {
	s := newTestSFU(t)
	joinClient(t, s, "r1", staffID, av)
	joinKiosk(t, s, "r1")
	player := joinPlayer(t, s, "r1", "whep-1", staffOnly)
	waitFor(t, mediaTimeout, "staff video at the player", playing(player, sfu.KindVideo, staffID, 30))

	// A second Join with the same id replaces the staff member's peer
	// connection, as a reloaded seat page does.
	joinClient(t, s, "r1", staffID, av)
	before := player.peer.Total("video").Packets
	waitFor(t, mediaTimeout, "republished staff video at the player",
		playing(player, sfu.KindVideo, staffID, before+30))
	waitFor(t, mediaTimeout, "republished staff audio at the player",
		playing(player, sfu.KindAudio, staffID, 25))

	late := joinPlayer(t, s, "r1", "whep-2", staffOnly)
	waitFor(t, mediaTimeout, "staff video at the late player", playing(late, sfu.KindVideo, staffID, 30))
	waitFor(t, mediaTimeout, "staff audio at the late player", playing(late, sfu.KindAudio, staffID, 25))
}

// TestPlayerSourcesRefillFromRoom ends the track a player plays while
// another admitted publisher and the kiosk remain in the room.
func TestPlayerSourcesRefillFromRoom(t *testing.T) {
	s := newTestSFU(t)
	first := startPublisher(t, s, "r1", staffID)
	joinKiosk(t, s, "r1")
	player := joinPlayer(t, s, "r1", "whep-1", staffOnly)
	waitFor(t, mediaTimeout, "first staff video at the player", playing(player, sfu.KindVideo, staffID, 30))
	const second sfu.ParticipantID = "staff-8"
	joinClient(t, s, "r1", second, av)
	waitFor(t, mediaTimeout, "second staff video at the hub", func() error {
		if got := inCount(s, "r1", second, sfu.KindVideo); got < 30 {
			return fmt.Errorf("got %d video packets from %s, want 30", got, second)
		}

		return nil
	})

	if err := first.peer.Close(); err != nil {
		t.Fatalf("closing client %s: %v", staffID, err)
	}
	if err := first.part.Close(); err != nil {
		t.Fatalf("closing participant %s: %v", staffID, err)
	}
	before := player.peer.Total("video").Packets
	waitFor(t, mediaTimeout, "second staff video at the player", playing(player, sfu.KindVideo, second, before+30))
	waitFor(t, mediaTimeout, "second staff audio at the player", playing(player, sfu.KindAudio, second, 25))
}
