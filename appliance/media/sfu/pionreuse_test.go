package sfu_test

import (
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
)

// TestPionReusedSectionAfterInactiveOffers pins the pion behaviour that
// keeps addDownLocked from reusing dead transceivers. An offerer moves a
// new track onto a send-only section that its removal made inactive, as
// an SFU reusing the section would. The pion answerer reports the new
// track only when exactly one offer showed the section inactive. If the
// case with two offers fails after a pion upgrade, reusing sections may
// have become safe for pion clients.
func TestPionReusedSectionAfterInactiveOffers(t *testing.T) {
	tests := []struct {
		name          string
		inactiveOffer int
		wantTrack     bool
	}{
		{"one inactive offer", 1, true},
		{"two inactive offers", 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := loopbackAPI()
			offerer := newLoopbackPeer(t, api)
			answerer := newLoopbackPeer(t, api)
			streams := make(chan string, 4)
			answerer.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) { streams <- tr.StreamID() })

			first := opusTrack(t, "first")
			transceiver, err := offerer.AddTransceiverFromTrack(first,
				webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
			if err != nil {
				t.Fatalf("AddTransceiverFromTrack: %v", err)
			}
			sendSilence(t, first)
			negotiatePair(t, offerer, answerer)
			if got := waitStream(streams, mediaTimeout); got != "first" {
				t.Fatalf("got stream %q for the first track, want first", got)
			}

			if err := offerer.RemoveTrack(transceiver.Sender()); err != nil {
				t.Fatalf("RemoveTrack: %v", err)
			}
			for range tt.inactiveOffer {
				negotiatePair(t, offerer, answerer)
			}
			second := opusTrack(t, "second")
			sender, err := api.NewRTPSender(second, offerer.SCTP().Transport())
			if err != nil {
				t.Fatalf("NewRTPSender: %v", err)
			}
			if err := transceiver.SetSender(sender, second); err != nil {
				t.Fatalf("SetSender: %v", err)
			}
			written := sendSilence(t, second)
			negotiatePair(t, offerer, answerer)

			// 50 packets of 20 ms give the answerer a second to report the
			// track, far more than loopback needs.
			got := ""
			deadline := time.Now().Add(mediaTimeout)
			for got == "" && written.Load() < 50 && time.Now().Before(deadline) {
				got = waitStream(streams, 20*time.Millisecond)
			}
			if tt.wantTrack && got != "second" {
				t.Errorf("got stream %q after %d packets, want second", got, written.Load())
			}
			if !tt.wantTrack && got != "" {
				t.Errorf("got stream %q, want none: pion may now support reusing the section", got)
			}
			if n := len(offerer.GetTransceivers()); n != 1 {
				t.Errorf("got %d transceivers at the offerer, want 1", n)
			}
		})
	}
}

func loopbackAPI() *webrtc.API {
	var se webrtc.SettingEngine
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })

	return webrtc.NewAPI(webrtc.WithSettingEngine(se))
}

func newLoopbackPeer(t *testing.T, api *webrtc.API) *webrtc.PeerConnection {
	t.Helper()
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatalf("NewPeerConnection: %v", err)
	}
	t.Cleanup(func() { _ = pc.Close() })

	return pc
}

func opusTrack(t *testing.T, stream string) *webrtc.TrackLocalStaticSample {
	t.Helper()
	codec := webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}
	track, err := webrtc.NewTrackLocalStaticSample(codec, "audio", stream)
	if err != nil {
		t.Fatalf("NewTrackLocalStaticSample: %v", err)
	}

	return track
}

// sendSilence writes an Opus silence frame every 20 ms until the test
// ends and returns the count of frames written.
func sendSilence(t *testing.T, track *webrtc.TrackLocalStaticSample) *atomic.Int64 {
	t.Helper()
	var written atomic.Int64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			sample := media.Sample{Data: []byte{0xf8, 0xff, 0xfe}, Duration: 20 * time.Millisecond}
			if err := track.WriteSample(sample); err == nil {
				written.Add(1)
			}
		}
	}()
	t.Cleanup(func() {
		close(done)
		<-stopped
	})

	return &written
}

// negotiatePair runs one offer and answer without trickle.
func negotiatePair(t *testing.T, offerer, answerer *webrtc.PeerConnection) {
	t.Helper()
	offer, err := offerer.CreateOffer(nil)
	if err != nil {
		t.Fatalf("CreateOffer: %v", err)
	}
	gathered := webrtc.GatheringCompletePromise(offerer)
	if err := offerer.SetLocalDescription(offer); err != nil {
		t.Fatalf("SetLocalDescription(offer): %v", err)
	}
	<-gathered
	if err := answerer.SetRemoteDescription(*offerer.LocalDescription()); err != nil {
		t.Fatalf("SetRemoteDescription(offer): %v", err)
	}
	answer, err := answerer.CreateAnswer(nil)
	if err != nil {
		t.Fatalf("CreateAnswer: %v", err)
	}
	gathered = webrtc.GatheringCompletePromise(answerer)
	if err := answerer.SetLocalDescription(answer); err != nil {
		t.Fatalf("SetLocalDescription(answer): %v", err)
	}
	<-gathered
	if err := offerer.SetRemoteDescription(*answerer.LocalDescription()); err != nil {
		t.Fatalf("SetRemoteDescription(answer): %v", err)
	}
}

// waitStream returns the stream ID of the next reported track, or ""
// after timeout.
func waitStream(streams <-chan string, timeout time.Duration) string {
	select {
	case id := <-streams:
		return id
	case <-time.After(timeout):
		return ""
	}
}
