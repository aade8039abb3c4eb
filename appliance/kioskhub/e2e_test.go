package kioskhub_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	_ "github.com/pion/mediadevices/pkg/driver/audiotest"
	_ "github.com/pion/mediadevices/pkg/driver/videotest"
	"github.com/pion/webrtc/v4"

	"wenban/appliance/kioskhub"
	"wenban/appliance/media/rtcpeer"
	"wenban/appliance/media/sfu"
	"wenban/appliance/seal"
	"wenban/appliance/store"
	"wenban/kiosk/control"
	"wenban/kiosk/input"
	"wenban/kiosk/media"
	"wenban/kiosk/terminal"
)

const (
	window       = "window-1"
	publishToken = "test-publish-token"
	room         = sfu.RoomID("room-1")
)

// testHub is a hub with the real SFU, the real control channel and the
// real audit store. Its WHIP endpoint is a minimal one on sfu.Answer.
type testHub struct {
	srv    *httptest.Server
	sfu    *sfu.SFU
	kiosks *kioskhub.Hub
	audit  kioskhub.StoreAudit
	key    string

	mu     sync.Mutex
	frames []control.Frame
}

func newTestHub(t *testing.T) *testHub {
	t.Helper()
	dir := t.TempDir()

	master, err := seal.LoadMasterKey(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(dir, "wenban.db"), master)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	h := &testHub{audit: kioskhub.StoreAudit{DB: db}}
	keys := kioskhub.DirKeys{Dir: filepath.Join(dir, "kiosks")}
	if h.key, err = keys.CreateKey(window); err != nil {
		t.Fatal(err)
	}

	h.sfu, err = sfu.New(sfu.Options{Logger: quietLogger(), ICE: sfu.ICEConfig{ListenIPs: []string{"127.0.0.1"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.sfu.Close() })

	h.kiosks, err = kioskhub.New(kioskhub.Options{
		Keys:    keys,
		Audit:   h.audit,
		OnFrame: h.record,
		Logger:  quietLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.Handle("GET "+control.Path, h.kiosks)
	mux.HandleFunc("POST /whip/{room}", h.serveWHIP)
	mux.HandleFunc("DELETE /whip/{room}/{participant}", func(w http.ResponseWriter, r *http.Request) {})
	h.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		h.kiosks.Shutdown(ctx)
		h.srv.Close()
	})

	return h
}

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func (h *testHub) record(_ string, f control.Frame) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.frames = append(h.frames, f)
}

func (h *testHub) sawFrame(want control.Type) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, f := range h.frames {
		if f.Type == want {
			return true
		}
	}
	return false
}

// serveWHIP joins the publisher to the SFU room and returns the SFU's SDP
// answer.
func (h *testHub) serveWHIP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+publishToken {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	offer, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}

	id := sfu.ParticipantID("kiosk-" + window)
	part, err := h.sfu.Join(sfu.RoomID(r.PathValue("room")), id, sfu.JoinOptions{CanPublish: true})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	answer, err := part.Answer(r.Context(), string(offer))
	if err != nil {
		part.Close()
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}

	w.Header().Set("Content-Type", "application/sdp")
	w.Header().Set("Location", r.URL.Path+"/"+string(id))
	w.WriteHeader(http.StatusCreated)
	io.WriteString(w, answer)
}

// joinStaff joins a pion client to the room as the seat's side of the
// call, playing what the room publishes.
func (h *testHub) joinStaff(t *testing.T) *rtcpeer.Peer {
	t.Helper()

	var part *sfu.Participant
	peer, err := rtcpeer.New(rtcpeer.Options{
		Logger:       quietLogger(),
		Send:         func(sig sfu.Signal) error { return part.HandleSignal(sig) },
		LoopbackOnly: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	part, err = h.sfu.Join(room, "staff-7", sfu.JoinOptions{Signal: peer.Deliver, CanSubscribe: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := peer.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		peer.Close()
		part.Close()
	})

	return peer
}

func loopbackSettings() *webrtc.SettingEngine {
	var se webrtc.SettingEngine
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	return &se
}

// recordingInjector counts pointer moves and passes them on to device,
// a real uinput device, when one is set.
type recordingInjector struct {
	device input.Injector

	mu    sync.Mutex
	moves int
}

func (r *recordingInjector) ScreenSize() (int, int) { return 1920, 1080 }
func (r *recordingInjector) MoveTo(x, y int) error {
	r.mu.Lock()
	r.moves++
	r.mu.Unlock()

	if r.device != nil {
		return r.device.MoveTo(x, y)
	}
	return nil
}
func (r *recordingInjector) Press(input.Button) error   { return nil }
func (r *recordingInjector) Release(input.Button) error { return nil }
func (r *recordingInjector) Click(input.Button) error   { return nil }
func (r *recordingInjector) Scroll(int) error           { return nil }
func (r *recordingInjector) KeyTap(input.Key) error     { return nil }
func (r *recordingInjector) TypeText(string) error      { return nil }
func (r *recordingInjector) ReleaseAll() error {
	if r.device != nil {
		return r.device.ReleaseAll()
	}
	return nil
}

func (r *recordingInjector) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.moves
}

func startKiosk(t *testing.T, h *testHub, inj input.Injector) *terminal.Terminal {
	t.Helper()

	hubURL, err := url.Parse(h.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	term, err := terminal.New(terminal.Options{
		Hub:           hubURL,
		Window:        window,
		Key:           h.key,
		Camera:        media.VideoOptions{Device: "VideoTest", Width: 640, Height: 480},
		Microphone:    media.AudioOptions{Device: "AudioTest"},
		RetryInterval: 100 * time.Millisecond,
		Input:         inj,
		SettingEngine: loopbackSettings(),
		Logger:        quietLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		term.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})

	return term
}

func waitFor(t *testing.T, what string, cond func() error) {
	t.Helper()

	deadline := time.After(20 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		err := cond()
		if err == nil {
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("timed out after 20s waiting for %s: %v", what, err)
		}
	}
}

func TestKioskServedEndToEnd(t *testing.T) {
	h := newTestHub(t)
	inj := &recordingInjector{}
	term := startKiosk(t, h, inj)

	waitFor(t, "kiosk online", func() error {
		if !h.kiosks.Online(window) {
			return fmt.Errorf("window %s is offline", window)
		}
		return nil
	})

	staff := h.joinStaff(t)
	err := h.kiosks.StartCall(window, control.Call{
		Room: string(room), PublishURL: "/whip/" + string(room), PublishToken: publishToken,
	})
	if err != nil {
		t.Fatalf("StartCall: %v", err)
	}

	waitFor(t, "kiosk video and audio at the staff client", func() error {
		video, audio := staff.Total("video"), staff.Total("audio")
		if video.Packets < 30 || video.Keyframes < 1 || audio.Packets < 30 {
			return fmt.Errorf("got %d video packets with %d keyframes and %d audio packets",
				video.Packets, video.Keyframes, audio.Packets)
		}
		return nil
	})
	devices, ok := h.kiosks.Devices(window)
	if !ok || devices.Camera != control.DeviceOK || devices.Microphone != control.DeviceOK {
		t.Errorf("devices: got %+v (reported %v), want camera and microphone ok", devices, ok)
	}

	checkRemoteControl(t, h, term, inj)

	if err := h.kiosks.EndCall(window); err != nil {
		t.Errorf("EndCall: %v", err)
	}
	waitFor(t, "call cleared on the kiosk", func() error {
		if s, _ := term.Watch(); s.Call != nil {
			return fmt.Errorf("kiosk still shows call %s", s.Call.Room)
		}
		return nil
	})
}

func checkRemoteControl(t *testing.T, h *testHub, term *terminal.Terminal, inj *recordingInjector) {
	t.Helper()

	if err := h.kiosks.RequestControl(window, "staff-7"); err != nil {
		t.Fatalf("RequestControl: %v", err)
	}
	waitFor(t, "consent question on the kiosk", func() error {
		if s, _ := term.Watch(); !s.ControlRequest {
			return fmt.Errorf("no consent question shown")
		}
		return nil
	})
	if err := term.Consent(true); err != nil {
		t.Fatalf("Consent: %v", err)
	}
	waitFor(t, "control_started at the hub", func() error {
		if !h.sawFrame(control.TypeControlStarted) {
			return fmt.Errorf("no control_started frame")
		}
		return nil
	})

	for range 3 {
		if err := h.kiosks.Input(window, json.RawMessage(`{"type":"pointer","x":0.25,"y":0.75}`)); err != nil {
			t.Fatalf("Input: %v", err)
		}
	}
	waitFor(t, "three pointer moves", func() error {
		if n := inj.count(); n != 3 {
			return fmt.Errorf("got %d moves", n)
		}
		return nil
	})

	term.StopControl()
	waitFor(t, "audit record in the store", func() error {
		recs, err := h.audit.List(context.Background())
		if err != nil {
			return err
		}
		if len(recs) != 1 {
			return fmt.Errorf("got %d records", len(recs))
		}
		return nil
	})

	recs, _ := h.audit.List(context.Background())
	rec := recs[0]
	if rec.Window != window || rec.Operator != "staff-7" || rec.Reason != "citizen" || rec.Commands != 3 {
		t.Errorf("record: got %+v, want window %s, operator staff-7, reason citizen, 3 commands", rec, window)
	}
	if rec.Ended.Before(rec.Started) || rec.DurationMillis < 0 {
		t.Errorf("record times: started %v, ended %v, %d ms", rec.Started, rec.Ended, rec.DurationMillis)
	}
}

// TestKioskControlThroughUinput runs remote control into a real uinput
// device. It needs a writable /dev/uinput, which containers and most CI
// runners lack.
func TestKioskControlThroughUinput(t *testing.T) {
	dev, err := input.Open(input.Options{Name: "Wenban kiosk test", Width: 1920, Height: 1080})
	if err != nil {
		t.Skipf("skipping: no usable /dev/uinput: %v", err)
	}
	t.Cleanup(func() { dev.Close() })

	h := newTestHub(t)
	inj := &recordingInjector{device: dev}
	term := startKiosk(t, h, inj)
	waitFor(t, "kiosk online", func() error {
		if !h.kiosks.Online(window) {
			return fmt.Errorf("window %s is offline", window)
		}
		return nil
	})

	checkRemoteControl(t, h, term, inj)
}
