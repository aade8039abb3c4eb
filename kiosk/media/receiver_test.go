package media

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
	"github.com/pion/webrtc/v4/pkg/media/samplebuilder"
)

const testToken = "test-publish-token"

// whipReceiver is a WHIP endpoint with a pion answerer, the part of the
// hub's SFU that a kiosk publication meets. It hands the first assembled
// VP8 frames and Opus payloads to the test.
type whipReceiver struct {
	t *testing.T

	videoFrames chan []byte
	opusPackets chan []byte

	mu      sync.Mutex
	pcs     []*webrtc.PeerConnection
	deleted int
}

func newWHIPReceiver(t *testing.T) (*whipReceiver, *httptest.Server) {
	t.Helper()

	r := &whipReceiver{
		t:           t,
		videoFrames: make(chan []byte, 16),
		opusPackets: make(chan []byte, 64),
	}
	srv := httptest.NewServer(r)
	t.Cleanup(func() {
		srv.Close()
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, pc := range r.pcs {
			pc.Close()
		}
	})

	return r, srv
}

// loopbackSettings keeps ICE on 127.0.0.1 and off multicast DNS.
func loopbackSettings() *webrtc.SettingEngine {
	var se webrtc.SettingEngine
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })

	return &se
}

func (r *whipReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Header.Get("Authorization") != "Bearer "+testToken {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}

	switch req.Method {
	case http.MethodPost:
		r.answer(w, req)
	case http.MethodDelete:
		r.mu.Lock()
		r.deleted++
		r.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (r *whipReceiver) answer(w http.ResponseWriter, req *http.Request) {
	offer, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}

	var engine webrtc.MediaEngine
	if err := engine.RegisterDefaultCodecs(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(&engine), webrtc.WithSettingEngine(*loopbackSettings()))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	r.mu.Lock()
	r.pcs = append(r.pcs, pc)
	r.mu.Unlock()

	pc.OnTrack(r.onTrack)

	err = pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: string(offer)})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(answer); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	<-gathered

	w.Header().Set("Content-Type", "application/sdp")
	w.Header().Set("Location", "/whip/room-1/session-1")
	w.WriteHeader(http.StatusCreated)
	io.WriteString(w, pc.LocalDescription().SDP)
}

func (r *whipReceiver) onTrack(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
	switch track.Codec().MimeType {
	case webrtc.MimeTypeVP8:
		r.readVP8(track)
	case webrtc.MimeTypeOpus:
		r.readOpus(track)
	default:
		r.t.Errorf("received track codec: got %s, want VP8 or Opus", track.Codec().MimeType)
	}
}

func (r *whipReceiver) readVP8(track *webrtc.TrackRemote) {
	builder := samplebuilder.New(128, &codecs.VP8Packet{}, track.Codec().ClockRate)
	for {
		pkt, _, err := track.ReadRTP()
		if err != nil {
			return
		}

		builder.Push(pkt)
		for sample := builder.Pop(); sample != nil; sample = builder.Pop() {
			offer(r.videoFrames, sample)
		}
	}
}

func (r *whipReceiver) readOpus(track *webrtc.TrackRemote) {
	for {
		pkt, _, err := track.ReadRTP()
		if err != nil {
			return
		}

		offer(r.opusPackets, &media.Sample{Data: bytes.Clone(pkt.Payload)})
	}
}

// offer passes a sample on unless the test has stopped taking them.
func offer(ch chan []byte, sample *media.Sample) {
	select {
	case ch <- sample.Data:
	default:
	}
}

func (r *whipReceiver) deletes() int {
	r.mu.Lock()
	defer r.mu.Unlock()

	return r.deleted
}

// receive returns the next value from ch or fails the test after timeout.
func receive(t *testing.T, ch <-chan []byte, what string, timeout time.Duration) []byte {
	t.Helper()

	select {
	case v := <-ch:
		return v
	case <-time.After(timeout):
		t.Fatalf("no %s within %v", what, timeout)
		return nil
	}
}

func testContext(t *testing.T) context.Context {
	t.Helper()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
