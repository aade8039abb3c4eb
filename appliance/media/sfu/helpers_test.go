package sfu_test

import (
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"

	"wenban/appliance/media/rtcpeer"
	"wenban/appliance/media/sfu"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// mediaTimeout bounds every wait for media; loopback media starts within
// a second on an idle machine, and the margin covers a loaded CI host.
const mediaTimeout = 15 * time.Second

// testLogger logs errors only, or everything down to debug when
// WENBAN_TEST_LOG=debug is set.
func testLogger() *slog.Logger {
	level := slog.LevelError
	if os.Getenv("WENBAN_TEST_LOG") == "debug" {
		level = slog.LevelDebug
	}

	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

func newTestSFU(t *testing.T) *sfu.SFU {
	t.Helper()
	s, err := sfu.New(sfu.Options{
		Logger: testLogger(),
		ICE:    sfu.ICEConfig{ListenIPs: []string{"127.0.0.1"}},
	})
	if err != nil {
		t.Fatalf("sfu.New: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("SFU.Close: %v", err)
		}
	})

	return s
}

type client struct {
	peer *rtcpeer.Peer
	part *sfu.Participant
}

type clientOptions struct {
	audio, video bool
	playOnly     bool
}

// joinClient joins a pion client to a room, wired to the participant's
// signalling in both directions, and starts its media.
func joinClient(t *testing.T, s *sfu.SFU, room sfu.RoomID, id sfu.ParticipantID, o clientOptions) *client {
	t.Helper()
	c := &client{}
	peer, err := rtcpeer.New(rtcpeer.Options{
		Logger:       testLogger(),
		Send:         func(sig sfu.Signal) error { return c.part.HandleSignal(sig) },
		Audio:        o.audio,
		Video:        o.video,
		LoopbackOnly: true,
	})
	if err != nil {
		t.Fatalf("rtcpeer.New(%s): %v", id, err)
	}
	c.peer = peer
	part, err := s.Join(room, id, sfu.JoinOptions{
		Signal:       peer.Deliver,
		CanPublish:   !o.playOnly,
		CanSubscribe: true,
	})
	if err != nil {
		t.Fatalf("Join(%s, %s): %v", room, id, err)
	}
	c.part = part
	if err := peer.Start(); err != nil {
		t.Fatalf("starting client %s: %v", id, err)
	}
	t.Cleanup(func() {
		_ = peer.Close()
		_ = part.Close()
	})

	return c
}

// waitFor polls cond until it returns nil or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting %s for %s: %v", timeout, what, err)
		}
		select {
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// received returns the packets a client got on tracks of one kind from
// one publisher, whose stream id the SFU sets to "wenban-" plus its id.
func received(c *client, from sfu.ParticipantID, kind string) rtcpeer.ReceivedStats {
	var sum rtcpeer.ReceivedStats
	for _, tr := range c.peer.Tracks() {
		if tr.Kind == kind && tr.StreamID == "wenban-"+string(from) {
			sum.Packets += tr.Packets
			sum.Keyframes += tr.Keyframes
			sum.Expected += tr.Expected
		}
	}

	return sum
}

// atLeast returns a condition that holds once c received n packets of a
// kind from a publisher.
func atLeast(c *client, from sfu.ParticipantID, kind string, n uint64) func() error {
	return func() error {
		got := received(c, from, kind).Packets
		if got < n {
			return fmt.Errorf("got %d %s packets from %s, want at least %d", got, kind, from, n)
		}

		return nil
	}
}

func outCount(s *sfu.SFU, room sfu.RoomID, id sfu.ParticipantID, kind sfu.Kind) uint64 {
	return s.Stats(room).Participants[id].Out[kind].Packets
}

func inCount(s *sfu.SFU, room sfu.RoomID, id sfu.ParticipantID, kind sfu.Kind) uint64 {
	return s.Stats(room).Participants[id].In[kind].Packets
}
