package sfu_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"wenban/appliance/media/sfu"
)

// fakeRecorder counts the packets of every track it is handed.
type fakeRecorder struct {
	mu    sync.Mutex
	sinks map[string]*fakeSink
}

type fakeSink struct {
	mu      sync.Mutex
	packets int
	closed  bool
}

func (r *fakeRecorder) StartTrack(room sfu.RoomID, p sfu.ParticipantID, codec webrtc.RTPCodecParameters) (sfu.TrackSink, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &fakeSink{}
	r.sinks[fmt.Sprintf("%s/%s/%s", room, p, codec.MimeType)] = s

	return s, nil
}

func (r *fakeRecorder) sink(key string) *fakeSink {
	r.mu.Lock()
	defer r.mu.Unlock()

	return r.sinks[key]
}

func (s *fakeSink) WriteRTP(*rtp.Packet) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.packets++

	return nil
}

func (s *fakeSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true

	return nil
}

func (s *fakeSink) state() (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.packets, s.closed
}

func TestRecordingStartsAndStopsSinks(t *testing.T) {
	rec := &fakeRecorder{sinks: map[string]*fakeSink{}}
	s, err := sfu.New(sfu.Options{
		Logger:   testLogger(),
		ICE:      sfu.ICEConfig{ListenIPs: []string{"127.0.0.1"}},
		Recorder: rec,
	})
	if err != nil {
		t.Fatalf("sfu.New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })

	b := joinClient(t, s, "r1", "b", clientOptions{playOnly: true})
	joinClient(t, s, "r1", "a", av)
	waitFor(t, mediaTimeout, "video a->b", atLeast(b, "a", "video", 10))

	if err := s.SetRecording("r1", true); err != nil {
		t.Fatalf("SetRecording(on): %v", err)
	}
	video := "r1/a/" + webrtc.MimeTypeVP8
	waitFor(t, mediaTimeout, "recorded video", func() error {
		sink := rec.sink(video)
		if sink == nil {
			return errors.New("no sink for a's video")
		}
		if n, _ := sink.state(); n < 30 {
			return fmt.Errorf("got %d recorded packets, want at least 30", n)
		}

		return nil
	})
	if rec.sink("r1/a/"+webrtc.MimeTypeOpus) == nil {
		t.Errorf("got no sink for a's audio, want one")
	}

	if err := s.SetRecording("r1", false); err != nil {
		t.Fatalf("SetRecording(off): %v", err)
	}
	if _, closed := rec.sink(video).state(); !closed {
		t.Errorf("got video sink open after SetRecording(off), want closed")
	}
}

func TestCloseRoomClosesParticipants(t *testing.T) {
	s := newTestSFU(t)
	a := joinClient(t, s, "r1", "a", av)
	joinClient(t, s, "r1", "b", av)
	waitFor(t, mediaTimeout, "video b->a", atLeast(a, "b", "video", 10))

	if err := s.CloseRoom("r1"); err != nil {
		t.Fatalf("CloseRoom: %v", err)
	}
	if got := len(s.Stats("r1").Participants); got != 0 {
		t.Errorf("got %d participants after CloseRoom, want 0", got)
	}
	if got := a.part.Stats().State; got != webrtc.PeerConnectionStateClosed.String() {
		t.Errorf("got state %s after CloseRoom, want closed", got)
	}
	if err := a.part.HandleSignal(sfu.Signal{Type: sfu.SignalNegotiate}); !errors.Is(err, sfu.ErrClosed) {
		t.Errorf("HandleSignal after CloseRoom: got %v, want ErrClosed", err)
	}
}
