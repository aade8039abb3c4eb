package sfu_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pion/webrtc/v4"

	"wenban/appliance/media/sfu"
)

var av = clientOptions{audio: true, video: true}

func TestOneToOneMediaBothWays(t *testing.T) {
	s := newTestSFU(t)
	a := joinClient(t, s, "r1", "a", av)
	b := joinClient(t, s, "r1", "b", av)

	waitFor(t, mediaTimeout, "video a->b", atLeast(b, "a", "video", 60))
	waitFor(t, mediaTimeout, "video b->a", atLeast(a, "b", "video", 60))
	waitFor(t, mediaTimeout, "audio a->b", atLeast(b, "a", "audio", 25))
	waitFor(t, mediaTimeout, "audio b->a", atLeast(a, "b", "audio", 25))

	stats := s.Stats("r1")
	if got := len(stats.Participants); got != 2 {
		t.Fatalf("got %d participants in stats, want 2", got)
	}
	for _, id := range []sfu.ParticipantID{"a", "b"} {
		for _, kind := range []sfu.Kind{sfu.KindAudio, sfu.KindVideo} {
			p := stats.Participants[id]
			if p.In[kind].Packets == 0 {
				t.Errorf("participant %s: got 0 %s packets in, want > 0", id, kind)
			}
			if p.Out[kind].Packets == 0 {
				t.Errorf("participant %s: got 0 %s packets out, want > 0", id, kind)
			}
		}
	}
	if got := received(b, "a", "video"); got.Keyframes == 0 {
		t.Errorf("b got no keyframe from a, want at least 1")
	}
}

func TestThirdParticipantKeepsMediaFlowing(t *testing.T) {
	s := newTestSFU(t)
	a := joinClient(t, s, "r1", "a", av)
	b := joinClient(t, s, "r1", "b", av)
	waitFor(t, mediaTimeout, "video a->b", atLeast(b, "a", "video", 30))
	waitFor(t, mediaTimeout, "video b->a", atLeast(a, "b", "video", 30))

	c := joinClient(t, s, "r1", "c", av)
	beforeAB := received(b, "a", "video").Packets
	beforeBA := received(a, "b", "video").Packets

	waitFor(t, mediaTimeout, "video a->c", atLeast(c, "a", "video", 30))
	waitFor(t, mediaTimeout, "video b->c", atLeast(c, "b", "video", 30))
	waitFor(t, mediaTimeout, "video c->a", atLeast(a, "c", "video", 30))
	waitFor(t, mediaTimeout, "video c->b", atLeast(b, "c", "video", 30))
	waitFor(t, mediaTimeout, "video a->b after join", atLeast(b, "a", "video", beforeAB+60))
	waitFor(t, mediaTimeout, "video b->a after join", atLeast(a, "b", "video", beforeBA+60))
}

func TestKeyframeOnSubscriberJoin(t *testing.T) {
	s := newTestSFU(t)
	joinClient(t, s, "r1", "pub", clientOptions{video: true})
	// The publisher's first keyframe goes to nobody, and it sends
	// another only on a PLI.
	waitFor(t, mediaTimeout, "publisher sending", func() error {
		if got := inCount(s, "r1", "pub", sfu.KindVideo); got < 30 {
			return fmt.Errorf("got %d video packets in, want at least 30", got)
		}

		return nil
	})

	sub := joinClient(t, s, "r1", "sub", clientOptions{playOnly: true})
	waitFor(t, mediaTimeout, "keyframe at subscriber", func() error {
		if got := received(sub, "pub", "video").Keyframes; got == 0 {
			return errors.New("got 0 keyframes, want at least 1")
		}

		return nil
	})
}

func TestHoldStopsForwardingResumeRestores(t *testing.T) {
	s := newTestSFU(t)
	a := joinClient(t, s, "r1", "a", av)
	b := joinClient(t, s, "r1", "b", av)
	waitFor(t, mediaTimeout, "video a->b", atLeast(b, "a", "video", 30))
	waitFor(t, mediaTimeout, "video b->a", atLeast(a, "b", "video", 30))

	if err := s.SetHold("r1", true); err != nil {
		t.Fatalf("SetHold(on): %v", err)
	}
	if !s.Stats("r1").Hold {
		t.Fatalf("got hold false in stats, want true")
	}
	outA := outCount(s, "r1", "a", sfu.KindVideo)
	outB := outCount(s, "r1", "b", sfu.KindVideo)
	inA := inCount(s, "r1", "a", sfu.KindVideo)
	// Publishers keep sending on hold; one second of their video must
	// not reach the other side. A packet already past the hold check
	// when SetHold returned may still count, hence the slack of one.
	waitFor(t, mediaTimeout, "publisher sends on hold", func() error {
		if got := inCount(s, "r1", "a", sfu.KindVideo); got < inA+60 {
			return fmt.Errorf("got %d video packets in, want at least %d", got, inA+60)
		}

		return nil
	})
	if got := outCount(s, "r1", "a", sfu.KindVideo); got > outA+1 {
		t.Errorf("a: got %d video packets out on hold, want at most %d", got, outA+1)
	}
	if got := outCount(s, "r1", "b", sfu.KindVideo); got > outB+1 {
		t.Errorf("b: got %d video packets out on hold, want at most %d", got, outB+1)
	}

	keyframes := received(b, "a", "video").Keyframes
	if err := s.SetHold("r1", false); err != nil {
		t.Fatalf("SetHold(off): %v", err)
	}
	before := received(b, "a", "video").Packets
	waitFor(t, mediaTimeout, "video a->b after resume", atLeast(b, "a", "video", before+30))
	waitFor(t, mediaTimeout, "video b->a after resume", atLeast(a, "b", "video", received(a, "b", "video").Packets+30))
	waitFor(t, mediaTimeout, "keyframe after resume", func() error {
		if got := received(b, "a", "video").Keyframes; got <= keyframes {
			return fmt.Errorf("got %d keyframes, want more than %d", got, keyframes)
		}

		return nil
	})
}

func TestReloadEvictsGhost(t *testing.T) {
	s := newTestSFU(t)
	a := joinClient(t, s, "r1", "a", av)
	ghost := joinClient(t, s, "r1", "b", av)
	waitFor(t, mediaTimeout, "video b->a", atLeast(a, "b", "video", 30))

	reloaded := joinClient(t, s, "r1", "b", av)
	waitFor(t, mediaTimeout, "ghost closed", func() error {
		if got := ghost.part.Stats().State; got != webrtc.PeerConnectionStateClosed.String() {
			return fmt.Errorf("got ghost state %s, want closed", got)
		}

		return nil
	})
	if got := len(s.Stats("r1").Participants); got != 2 {
		t.Errorf("got %d participants, want 2", got)
	}
	waitFor(t, mediaTimeout, "video a->reloaded b", atLeast(reloaded, "a", "video", 30))
	// a now gets a second stream with the same stream id from the new
	// peer connection, so its total keeps growing.
	before := received(a, "b", "video").Packets
	waitFor(t, mediaTimeout, "video reloaded b->a", atLeast(a, "b", "video", before+30))
}

func TestSpeakingGateDropsAudioOnly(t *testing.T) {
	s := newTestSFU(t)
	staff := joinClient(t, s, "group", "staff", av)
	citizen := joinClient(t, s, "group", "citizen", av)
	waitFor(t, mediaTimeout, "audio citizen->staff", atLeast(staff, "citizen", "audio", 10))

	if err := s.SetSpeaking("group", "citizen", false); err != nil {
		t.Fatalf("SetSpeaking(false): %v", err)
	}
	if s.Stats("group").Participants["citizen"].Speaking {
		t.Fatalf("got speaking true in stats, want false")
	}
	audio := received(staff, "citizen", "audio").Packets
	video := received(staff, "citizen", "video").Packets
	waitFor(t, mediaTimeout, "video citizen->staff while muted", atLeast(staff, "citizen", "video", video+60))
	if got := received(staff, "citizen", "audio").Packets; got > audio+1 {
		t.Errorf("got %d audio packets while gated, want at most %d", got, audio+1)
	}
	waitFor(t, mediaTimeout, "audio staff->citizen", atLeast(citizen, "staff", "audio", 10))

	if err := s.SetSpeaking("group", "citizen", true); err != nil {
		t.Fatalf("SetSpeaking(true): %v", err)
	}
	waitFor(t, mediaTimeout, "audio citizen->staff allowed", atLeast(staff, "citizen", "audio", audio+10))

	if err := s.SetSpeaking("group", "nobody", true); !errors.Is(err, sfu.ErrParticipantNotFound) {
		t.Errorf("SetSpeaking(nobody): got %v, want ErrParticipantNotFound", err)
	}
}

func TestMoveTransfersParticipant(t *testing.T) {
	s := newTestSFU(t)
	citizen := joinClient(t, s, "seat1", "citizen", av)
	joinClient(t, s, "seat1", "staff1", av)
	staff2 := joinClient(t, s, "seat2", "staff2", av)
	waitFor(t, mediaTimeout, "video staff1->citizen", atLeast(citizen, "staff1", "video", 30))

	if err := s.Move("seat1", "citizen", "seat2"); err != nil {
		t.Fatalf("Move: %v", err)
	}
	waitFor(t, mediaTimeout, "video citizen->staff2", atLeast(staff2, "citizen", "video", 30))
	waitFor(t, mediaTimeout, "video staff2->citizen", atLeast(citizen, "staff2", "video", 30))
	if _, ok := s.Stats("seat1").Participants["citizen"]; ok {
		t.Errorf("citizen still in seat1 after Move")
	}
	if _, ok := s.Stats("seat2").Participants["citizen"]; !ok {
		t.Errorf("citizen not in seat2 after Move")
	}
}

func TestICERestartKeepsMedia(t *testing.T) {
	s := newTestSFU(t)
	a := joinClient(t, s, "r1", "a", av)
	b := joinClient(t, s, "r1", "b", av)
	waitFor(t, mediaTimeout, "video a->b", atLeast(b, "a", "video", 30))

	ufrag := func(c *client) string {
		desc := c.peer.PeerConnection().RemoteDescription()
		if desc == nil {
			return ""
		}

		return iceUfrag(desc.SDP)
	}
	hubOld := ufrag(b)
	if err := b.part.HandleSignal(sfu.Signal{Type: sfu.SignalRestart}); err != nil {
		t.Fatalf("HandleSignal(restart): %v", err)
	}
	waitFor(t, mediaTimeout, "new hub ICE credentials", func() error {
		if got := ufrag(b); got == hubOld {
			return fmt.Errorf("got hub ufrag %q, want a new one", got)
		}

		return nil
	})

	if err := a.peer.Restart(); err != nil {
		t.Fatalf("client restart: %v", err)
	}
	before := received(b, "a", "video").Packets
	waitFor(t, mediaTimeout, "video a->b after restarts", atLeast(b, "a", "video", before+60))
}

func TestRoomErrors(t *testing.T) {
	s := newTestSFU(t)
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"hold unknown room", func() error { return s.SetHold("none", true) }, sfu.ErrRoomNotFound},
		{"close unknown room", func() error { return s.CloseRoom("none") }, sfu.ErrRoomNotFound},
		{"move unknown", func() error { return s.Move("none", "x", "other") }, sfu.ErrRoomNotFound},
		{"record unknown room", func() error { return s.SetRecording("none", true) }, sfu.ErrRoomNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func iceUfrag(sdp string) string {
	for _, line := range strings.Split(sdp, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "a=ice-ufrag:"); ok {
			return v
		}
	}

	return ""
}
