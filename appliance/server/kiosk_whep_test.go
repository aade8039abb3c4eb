package server

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wenban/appliance/call"
	"wenban/appliance/kioskhub"
	"wenban/appliance/media/rtcpeer"
	"wenban/appliance/media/sfu"
	"wenban/appliance/media/token"
	"wenban/kiosk/control"
)

// postSDP runs the client side of a WHIP or WHEP session at url with a
// pion peer, which plays one audio and one video slot when play is set.
func postSDP(t *testing.T, url, tok string, o rtcpeer.Options, play bool) *rtcpeer.Peer {
	t.Helper()
	o.LoopbackOnly = true
	peer, err := rtcpeer.New(o)
	if err != nil {
		t.Fatalf("rtcpeer.New: %v", err)
	}
	t.Cleanup(func() { _ = peer.Close() })
	if play {
		if err := peer.AddReceivers(); err != nil {
			t.Fatalf("AddReceivers: %v", err)
		}
	}
	if err := peer.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	offer, err := peer.Offer(ctx)
	if err != nil {
		t.Fatalf("Offer: %v", err)
	}

	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(offer))
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	req.Header.Set("Content-Type", "application/sdp")
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: got status %d (%s), want 201", url, resp.StatusCode, answer)
	}
	if err := peer.SetAnswer(string(answer)); err != nil {
		t.Fatalf("SetAnswer: %v", err)
	}

	return peer
}

// startKioskCallFrame connects a control channel for window hall-1 whose
// citizen started conversation c1, starts the kiosk side of a call in
// room and returns the call frame the terminal receives.
func startKioskCallFrame(t *testing.T, r *running, dataDir, room string) control.Call {
	t.Helper()
	key, err := kioskhub.DirKeys{Dir: filepath.Join(dataDir, "kiosks")}.CreateKey("hall-1")
	if err != nil {
		t.Fatal(err)
	}
	conn, _, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(r.url, "http")+control.Path+"?window=hall-1",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + key}}})
	if err != nil {
		t.Fatalf("dialling the control channel: %v", err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	term := fakeTerminal{t: t, conn: conn}
	term.send(control.Frame{Type: control.TypeConversation, Conversation: "c1"})
	waitKiosk(t, "window of c1", func() bool {
		w, ok := r.srv.kiosks.hub.WindowOf("c1")
		return ok && w == "hall-1"
	})

	if routed, err := r.srv.StartKioskCall("c1", room); err != nil || !routed {
		t.Fatalf("StartKioskCall: got %v, %v, want true, nil", routed, err)
	}
	for {
		frame := term.read()
		if frame.Type == control.TypeCall && frame.Call != nil {
			return *frame.Call
		}
	}
}

// TestKioskPlayerGetsStaffOnly publishes the kiosk's camera before a staff
// member who has no camera, and plays the room with the kiosk's play token
// and with a technician's token.
func TestKioskPlayerGetsStaffOnly(t *testing.T) {
	dataDir := t.TempDir()
	r := startHub(t, dataDir)
	t.Cleanup(func() { _ = r.stop() })
	const room = "kiosk-whep-test"
	c := startKioskCallFrame(t, r, dataDir, room)

	kiosk := postSDP(t, r.url+c.PublishURL, c.PublishToken, rtcpeer.Options{Audio: true, Video: true}, false)
	if err := kiosk.WaitConnected(15 * time.Second); err != nil {
		t.Fatalf("kiosk publisher: %v", err)
	}
	kioskPlayer := postSDP(t, r.url+c.PlayURL, c.PlayToken, rtcpeer.Options{}, true)
	technicianToken, err := r.srv.tokens.Issue(room, token.PermissionPlay, time.Hour, time.Now())
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	technician := postSDP(t, r.url+"/whep/"+room, technicianToken, rtcpeer.Options{}, true)

	var part *sfu.Participant
	staff, err := rtcpeer.New(rtcpeer.Options{
		Audio: true, LoopbackOnly: true,
		Send: func(sig sfu.Signal) error { return part.HandleSignal(sig) },
	})
	if err != nil {
		t.Fatalf("rtcpeer.New: %v", err)
	}
	t.Cleanup(func() { _ = staff.Close() })
	part, err = r.srv.callSFU.Join(room, call.StaffParticipant("a1"), sfu.JoinOptions{
		Signal: staff.Deliver, CanPublish: true, CanSubscribe: true,
	})
	if err != nil {
		t.Fatalf("Join: %v", err)
	}
	t.Cleanup(func() { _ = part.Close() })
	if err := staff.Start(); err != nil {
		t.Fatalf("starting the staff client: %v", err)
	}

	waitMedia(t, "kiosk video at the technician", func() bool { return technician.Total("video").Packets >= 60 })
	waitMedia(t, "staff audio at the kiosk player", func() bool { return kioskPlayer.Total("audio").Packets >= 25 })
	if got := kioskPlayer.Total("video").Packets; got != 0 {
		t.Errorf("kiosk player got %d video packets, want 0 from a staff member without camera", got)
	}
}

// waitMedia polls cond for up to 15 s, which covers loopback media on a
// loaded CI host.
func waitMedia(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within 15s", what)
		}
		<-time.After(20 * time.Millisecond)
	}
}
