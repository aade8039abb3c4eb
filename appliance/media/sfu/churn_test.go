package sfu_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"

	"wenban/appliance/media/rtcpeer"
	"wenban/appliance/media/sfu"
)

// settleGoroutines waits until the goroutine count is back within slack
// of base, because pion's goroutines end shortly after Close returns.
func settleGoroutines(t *testing.T, base, slack int, what string) {
	t.Helper()
	waitFor(t, mediaTimeout, what, func() error {
		if n := runtime.NumGoroutine(); n > base+slack {
			return fmt.Errorf("got %d goroutines, want at most %d (%d before)", n, base+slack, base)
		}

		return nil
	})
}

// TestJoinLeaveChurnLeaksNothing joins and closes 200 participants that
// never answer the hub's offer, beside a live 1:1 call, and checks that
// the goroutine count returns to where it was.
func TestJoinLeaveChurnLeaksNothing(t *testing.T) {
	s := newTestSFU(t)
	a := joinClient(t, s, "r1", "a", av)
	joinClient(t, s, "r1", "b", av)
	waitFor(t, mediaTimeout, "video b->a", atLeast(a, "b", "video", 30))
	base := runtime.NumGoroutine()

	for i := range 200 {
		p, err := s.Join("r1", sfu.ParticipantID(fmt.Sprintf("silent-%d", i)), sfu.JoinOptions{
			Signal:       func(sfu.Signal) {},
			CanPublish:   true,
			CanSubscribe: true,
		})
		if err != nil {
			t.Fatalf("Join %d: %v", i, err)
		}
		if err := p.Close(); err != nil {
			t.Fatalf("Close %d: %v", i, err)
		}
	}

	settleGoroutines(t, base, 10, "goroutines after 200 joins and leaves")
	t.Logf("goroutines: %d before, %d after 200 joins and leaves", base, runtime.NumGoroutine())
	if got := len(s.Stats("r1").Participants); got != 2 {
		t.Errorf("got %d participants, want 2", got)
	}
	before := received(a, "b", "video").Packets
	waitFor(t, mediaTimeout, "video b->a after churn", atLeast(a, "b", "video", before+30))
}

// TestClientOfferLimits plays a hostile page that offers far more media
// sections than a browser would.
func TestClientOfferLimits(t *testing.T) {
	s := newTestSFU(t)
	c := joinClient(t, s, "r1", "a", av)
	if err := c.peer.WaitConnected(mediaTimeout); err != nil {
		t.Fatalf("WaitConnected: %v", err)
	}

	pc, err := webrtc.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatalf("NewPeerConnection: %v", err)
	}
	defer pc.Close()
	for range 100 {
		if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo,
			webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly}); err != nil {
			t.Fatalf("AddTransceiverFromKind: %v", err)
		}
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatalf("CreateOffer: %v", err)
	}
	err = c.part.HandleSignal(sfu.Signal{Type: sfu.SignalOffer, SDP: offer.SDP})
	if err == nil || !strings.Contains(err.Error(), "sections") {
		t.Fatalf("got %v for an offer with 100 video sections, want a section limit error", err)
	}
}

// TestPLIFloodThrottled sends 300 PLIs from one subscriber in a burst
// and checks that the publisher is asked for only a few keyframes.
func TestPLIFloodThrottled(t *testing.T) {
	s := newTestSFU(t)
	pub := joinClient(t, s, "r1", "pub", av)
	sub := joinClient(t, s, "r1", "sub", clientOptions{playOnly: true})
	waitFor(t, mediaTimeout, "video pub->sub", atLeast(sub, "pub", "video", 30))

	var ssrc uint32
	for _, r := range sub.peer.PeerConnection().GetReceivers() {
		if tr := r.Track(); tr != nil && tr.Kind() == webrtc.RTPCodecTypeVideo {
			ssrc = uint32(tr.SSRC())
		}
	}
	if ssrc == 0 {
		t.Fatalf("subscriber has no video receiver")
	}

	before := pub.peer.KeyframeRequests()
	start := time.Now()
	for range 300 {
		pli := &rtcp.PictureLossIndication{MediaSSRC: ssrc}
		if err := sub.peer.PeerConnection().WriteRTCP([]rtcp.Packet{pli}); err != nil {
			t.Fatalf("WriteRTCP: %v", err)
		}
	}
	// The hub's reply to the last PLI arrives within a round trip.
	waitFor(t, mediaTimeout, "first forwarded PLI", func() error {
		if pub.peer.KeyframeRequests() == before {
			return fmt.Errorf("got no keyframe request at the publisher")
		}

		return nil
	})
	// Unthrottled PLIs would all arrive within milliseconds of the
	// burst, so 400 ms is long enough to count them.
	waitFor(t, mediaTimeout, "PLIs to settle", func() error {
		if time.Since(start) < 400*time.Millisecond {
			return fmt.Errorf("only %s since the burst", time.Since(start))
		}

		return nil
	})
	elapsed := time.Since(start)
	got := pub.peer.KeyframeRequests() - before
	// One PLI per 300 ms window, plus one for a window boundary.
	want := uint64(elapsed/(300*time.Millisecond)) + 2
	if got > want {
		t.Errorf("publisher got %d keyframe requests in %s, want at most %d", got, elapsed, want)
	}
}

// TestMediaChurnLeaksNothing joins 20 publishers one after another into
// a room with a fixed subscriber, each until its video arrives, and
// checks the goroutine count afterwards.
func TestMediaChurnLeaksNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("connects 20 media clients")
	}
	s := newTestSFU(t)
	sub := joinClient(t, s, "r1", "sub", clientOptions{playOnly: true})

	// The first publisher brings the subscriber's connection up, whose
	// goroutines belong in the base count.
	base := 0
	for i := range 21 {
		if i == 1 {
			base = runtime.NumGoroutine()
		}
		id := sfu.ParticipantID(fmt.Sprintf("pub-%d", i))
		pub := startPublisher(t, s, "r1", id)
		waitFor(t, mediaTimeout, "video from "+string(id), atLeast(sub, id, "video", 5))
		waitFor(t, mediaTimeout, "audio from "+string(id), atLeast(sub, id, "audio", 5))
		if err := pub.peer.Close(); err != nil {
			t.Fatalf("closing client %s: %v", id, err)
		}
		if err := pub.part.Close(); err != nil {
			t.Fatalf("closing participant %s: %v", id, err)
		}
	}

	settleGoroutines(t, base, 10, "goroutines after 20 publishers came and went")
	t.Logf("goroutines: %d after the first publisher, %d after 20 more", base, runtime.NumGoroutine())
	// The subscriber keeps a dead transceiver per departed track, see
	// addDownLocked.
	t.Logf("subscriber transceivers after 21 publishers: %d at the hub, %d at the client",
		sfu.Transceivers(sub.part), len(sub.peer.PeerConnection().GetTransceivers()))
	if got := len(s.Stats("r1").Participants); got != 1 {
		t.Errorf("got %d participants, want 1", got)
	}
}

// startPublisher is joinClient without the cleanup, for clients that the
// test closes itself.
func startPublisher(t *testing.T, s *sfu.SFU, room sfu.RoomID, id sfu.ParticipantID) *client {
	t.Helper()
	c := &client{}
	peer, err := rtcpeer.New(rtcpeer.Options{
		Logger: testLogger(), Send: func(sig sfu.Signal) error { return c.part.HandleSignal(sig) },
		Audio: true, Video: true, LoopbackOnly: true,
	})
	if err != nil {
		t.Fatalf("rtcpeer.New(%s): %v", id, err)
	}
	c.peer = peer
	c.part, err = s.Join(room, id, sfu.JoinOptions{Signal: peer.Deliver, CanPublish: true, CanSubscribe: true})
	if err != nil {
		t.Fatalf("Join(%s): %v", id, err)
	}
	if err := peer.Start(); err != nil {
		t.Fatalf("starting client %s: %v", id, err)
	}

	return c
}
