package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"wenban/appliance/media/rtcpeer"
	"wenban/appliance/media/sfu"
	"wenban/ui/static"
)

// rtcPage loads ui/static/rtc.js over a bare WebSocket that speaks the
// call.media frames, with none of the call screens around it.
const rtcPage = `<!doctype html><meta charset="utf-8"><body><script type="module">
import { WenbanRTC } from "/static/rtc.js";
const ws = new WebSocket("ws://" + location.host + "/ws");
const socket = { command(f) { ws.send(JSON.stringify(f)); } };
ws.onmessage = (e) => document.dispatchEvent(new CustomEvent("wenban:frame", { detail: { socket, frame: JSON.parse(e.data) } }));
ws.onopen = () => {
  window.remotes = [];
  window.rtc = WenbanRTC.join(socket, { room: "r1", audio: true, video: true });
  rtc.onRemote((id, stream) => { if (stream) remotes.push(id); });
};
window.videoIn = 0;
setInterval(async () => {
  if (!window.rtc) return;
  let n = 0;
  (await rtc.stats()).forEach((s) => { if (s.type === "inbound-rtp" && s.kind === "video") n += s.packetsReceived; });
  window.videoIn = n;
}, 200);
</script>`

// rtcSignalling joins each page socket to the SFU as participant "page",
// so a reload replaces its ghost like a real page's rejoin.
func rtcSignalling(s *sfu.SFU) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := r.Context()

		var part *sfu.Participant
		defer func() {
			if part != nil {
				_ = part.Close()
			}
		}()
		for {
			var f struct {
				Type string `json:"type"`
				Call struct {
					Room   sfu.RoomID  `json:"room"`
					Signal *sfu.Signal `json:"signal"`
				} `json:"call"`
			}
			if err := wsjson.Read(ctx, c, &f); err != nil {
				return
			}
			switch {
			case f.Type == "call.media.join":
				room := f.Call.Room
				part, err = s.Join(room, "page", sfu.JoinOptions{
					Signal: func(sig sfu.Signal) {
						frame := map[string]any{"type": "call_media", "media": map[string]any{"room": room, "signal": sig}}
						_ = wsjson.Write(ctx, c, frame)
					},
					CanPublish:   true,
					CanSubscribe: true,
				})
				if err != nil {
					return
				}
			case f.Type == "call.media.signal" && part != nil && f.Call.Signal != nil:
				_ = part.HandleSignal(*f.Call.Signal)
			}
		}
	}
}

// TestBrowserRTCClient runs rtc.js in Chromium with its fake camera
// against the SFU and a pion peer: media both ways, an ICE restart and a
// page reload that rejoins.
func TestBrowserRTCClient(t *testing.T) {
	browserCtx := callBrowser(t)
	s, err := sfu.New(sfu.Options{ICE: sfu.ICEConfig{ListenIPs: []string{"127.0.0.1"}}})
	if err != nil {
		t.Fatalf("sfu.New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, rtcPage) })
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static.FS)))
	mux.Handle("GET /ws", rtcSignalling(s))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	var part *sfu.Participant
	peer, err := rtcpeer.New(rtcpeer.Options{
		Send:         func(sig sfu.Signal) error { return part.HandleSignal(sig) },
		Audio:        true,
		Video:        true,
		LoopbackOnly: true,
	})
	if err != nil {
		t.Fatalf("rtcpeer.New: %v", err)
	}
	part, err = s.Join("r1", "pion", sfu.JoinOptions{Signal: peer.Deliver, CanPublish: true, CanSubscribe: true})
	if err != nil {
		t.Fatalf("Join: %v", err)
	}
	t.Cleanup(func() {
		_ = peer.Close()
		_ = part.Close()
	})
	if err := peer.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}

	ctx := tab(t, browserCtx)
	run(t, ctx, "open page", chromedp.Navigate(srv.URL))
	run(t, ctx, "remote stream of the pion peer", waitJS(`window.remotes && remotes.includes("pion")`))
	run(t, ctx, "video from the hub", waitJS(`window.videoIn > 60`))
	waitPionVideo(t, peer, 30)

	hubUfrag := `rtc.pc.remoteDescription.sdp.match(/a=ice-ufrag:(\S+)/)[1]`
	run(t, ctx, "ICE restart", discard(chromedp.Evaluate[bool](`(window.ufragBefore = `+hubUfrag+`, rtc.restart(), true)`)))
	run(t, ctx, "new hub ICE credentials", waitJS(hubUfrag+` !== window.ufragBefore`))
	before := peer.Total("video").Packets
	run(t, ctx, "connected after restart", waitJS(`rtc.pc.connectionState === "connected"`))
	waitPionVideo(t, peer, before+60)

	run(t, ctx, "reload", chromedp.Reload())
	run(t, ctx, "rejoined remote stream", waitJS(`window.remotes && remotes.includes("pion")`))
	before = peer.Total("video").Packets
	waitPionVideo(t, peer, before+60)
	if got := len(s.Stats("r1").Participants); got != 2 {
		t.Errorf("got %d participants after reload, want 2 (the ghost evicted)", got)
	}
}

// waitPionVideo waits until the pion peer has received n video packets
// from the page.
func waitPionVideo(t *testing.T, peer *rtcpeer.Peer, n uint64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for peer.Total("video").Packets < n {
		if time.Now().After(deadline) {
			raw, _ := json.Marshal(peer.Tracks())
			t.Fatalf("got %d video packets from the page, want %d; tracks %s", peer.Total("video").Packets, n, raw)
		}
		<-time.After(50 * time.Millisecond)
	}
}
