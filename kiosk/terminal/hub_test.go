package terminal

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"

	"wenban/kiosk/control"
)

const (
	testKey    = "test-kiosk-key"
	testWindow = "window-1"
	testToken  = "test-publish-token"
)

// fakeHub is the hub's side of a terminal: the control channel and a WHIP
// endpoint with a pion answerer that counts RTP packets by kind.
type fakeHub struct {
	t   *testing.T
	srv *httptest.Server
	mux *http.ServeMux // tests may add routes, such as the citizen API

	frames  chan control.Frame
	uploads chan upload // attachments the screen posted, for browser tests

	mu      sync.Mutex
	conn    *websocket.Conn
	pcs     []*webrtc.PeerConnection
	deletes int

	videoPackets atomic.Int64
	audioPackets atomic.Int64
}

// upload is one attachment the screen posted to the citizen API.
type upload struct {
	kind, contentType string
	body              []byte
	withCookie        bool
}

func newFakeHub(t *testing.T) *fakeHub {
	t.Helper()

	h := &fakeHub{t: t, frames: make(chan control.Frame, 64), uploads: make(chan upload, 4)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+control.Path, h.serveChannel)
	mux.HandleFunc("POST /whip/{room}", h.serveWHIP)
	mux.HandleFunc("DELETE /whip/{room}/{session}", func(w http.ResponseWriter, _ *http.Request) {
		h.mu.Lock()
		h.deletes++
		h.mu.Unlock()
	})
	h.mux = mux
	h.srv = httptest.NewServer(mux)

	t.Cleanup(func() {
		h.srv.CloseClientConnections()
		h.srv.Close()
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, pc := range h.pcs {
			pc.Close()
		}
	})
	return h
}

func (h *fakeHub) url() *url.URL {
	u, err := url.Parse(h.srv.URL)
	if err != nil {
		h.t.Fatal(err)
	}

	return u
}

func (h *fakeHub) serveChannel(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+testKey || r.URL.Query().Get("window") != testWindow {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	h.mu.Lock()
	h.conn = conn
	h.mu.Unlock()

	for {
		_, data, err := conn.Read(context.Background())
		if err != nil {
			return
		}
		f, err := control.Parse(data)
		if err != nil {
			h.t.Errorf("terminal sent an invalid frame %s: %v", data, err)
			continue
		}
		h.frames <- f
	}
}

// send writes f to the terminal once its channel is open.
func (h *fakeHub) send(f control.Frame) {
	h.t.Helper()

	var conn *websocket.Conn
	waitFor(h.t, "control channel to open", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		conn = h.conn
		return conn != nil
	})

	data, err := json.Marshal(f)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := conn.Write(context.Background(), websocket.MessageText, data); err != nil {
		h.t.Fatalf("sending %s: %v", f.Type, err)
	}
}

// next returns the next frame of type want, skipping others.
func (h *fakeHub) next(want control.Type) control.Frame {
	h.t.Helper()

	timeout := time.After(20 * time.Second)
	for {
		select {
		case f := <-h.frames:
			if f.Type == want {
				return f
			}
		case <-timeout:
			h.t.Fatalf("no %s frame within 20s", want)
		}
	}
}

func (h *fakeHub) deleteCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()

	return h.deletes
}

func loopbackSettings() *webrtc.SettingEngine {
	var se webrtc.SettingEngine
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })

	return &se
}

func (h *fakeHub) serveWHIP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	offer, err := io.ReadAll(r.Body)
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
	h.mu.Lock()
	h.pcs = append(h.pcs, pc)
	h.mu.Unlock()
	pc.OnTrack(h.countPackets)

	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: string(offer)}); err != nil {
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

	w.Header().Set("Location", r.URL.Path+"/session-1")
	w.WriteHeader(http.StatusCreated)
	io.WriteString(w, pc.LocalDescription().SDP)
}

func (h *fakeHub) countPackets(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
	counter := &h.audioPackets
	if track.Kind() == webrtc.RTPCodecTypeVideo {
		counter = &h.videoPackets
	}

	for {
		if _, _, err := track.ReadRTP(); err != nil {
			return
		}
		counter.Add(1)
	}
}

// waitFor polls cond every 10 ms until it holds or 20 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()

	deadline := time.After(20 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("timed out after 20s waiting for %s", what)
		}
	}
}
