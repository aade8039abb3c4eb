package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"

	"wenban/appliance/attach/container"
	"wenban/appliance/media/sfu"
)

// recordInPage records 2.5 s of Chromium's fake camera and microphone
// with MediaRecorder and returns the WebM file, base64-encoded.
const recordInPage = `(async () => {
	const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: {width: 640, height: 480}});
	const rec = new MediaRecorder(stream, {mimeType: "video/webm;codecs=vp8,opus"});
	const chunks = [];
	rec.ondataavailable = (e) => chunks.push(e.data);
	const stopped = new Promise((resolve) => { rec.onstop = resolve; });
	rec.start();
	await new Promise((resolve) => setTimeout(resolve, 2500));
	rec.stop();
	await stopped;
	stream.getTracks().forEach((t) => t.stop());
	const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
	let bin = "";
	for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	return btoa(bin);
})()`

// replayAsRTP sends the frames of a browser recording through recorder
// sinks as the SFU would: VP8 frames packetized at a 1200-byte MTU on a
// 90 kHz clock, one Opus packet per frame on a 48 kHz clock.
func replayAsRTP(t *testing.T, rec sfu.Recorder, room sfu.RoomID, file *container.File) {
	t.Helper()
	codecsByTrack := map[uint64]webrtc.RTPCodecParameters{}
	sinks := map[uint64]sfu.TrackSink{}
	for _, tr := range file.Tracks {
		codec := webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}}
		if tr.Type == container.TrackVideo {
			codec = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}}
		}
		sink, err := rec.StartTrack(room, "citizen", codec)
		if err != nil {
			t.Fatal(err)
		}
		codecsByTrack[tr.Number], sinks[tr.Number] = codec, sink
	}

	seq := map[uint64]uint16{}
	vp8 := &codecs.VP8Payloader{}
	for _, f := range file.Frames {
		codec := codecsByTrack[f.Track]
		ts := uint32(f.Time * time.Duration(codec.ClockRate) / time.Second)
		payloads := [][]byte{f.Data}
		if codec.MimeType == webrtc.MimeTypeVP8 {
			payloads = vp8.Payload(1200, f.Data)
		}
		for i, p := range payloads {
			pkt := &rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: seq[f.Track], Timestamp: ts,
				SSRC: uint32(f.Track), Marker: i == len(payloads)-1}, Payload: p}
			seq[f.Track]++
			if err := sinks[f.Track].WriteRTP(pkt); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, s := range sinks {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBrowserRecordingPlays(t *testing.T) {
	bctx := mediaBrowser(t)
	r := startHub(t, t.TempDir())
	seat, citizen := servedChat(t, bctx, r)
	id, err := chromedp.Run(seat, chromedp.Evaluate[string](`document.querySelector('[data-testid="chat-pane"]').dataset.conversationId`))
	if err != nil || id == "" {
		t.Fatalf("reading the conversation id: %q, %v", id, err)
	}

	encoded, err := chromedp.Run(citizen, chromedp.Evaluate[string](recordInPage, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("recording in the page: %v", err)
	}
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		t.Fatal(err)
	}
	file, err := container.ParseWebM(bytes.NewReader(raw), container.Limits{})
	if err != nil {
		t.Fatalf("parsing Chromium's recording: %v", err)
	}
	if len(file.Tracks) != 2 {
		t.Fatalf("Chromium's recording has %d tracks, want audio and video", len(file.Tracks))
	}

	replayAsRTP(t, r.srv.Recorder(), sfu.RoomID(id), file)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := r.srv.Recorder().Wait(ctx); err != nil {
		t.Fatal(err)
	}

	player := sel("recording") + " " + sel("recording-player")
	run(t, seat, "seat plays the recording on the history page",
		chromedp.Navigate(r.url+"/seat/history/"+id),
		chromedp.WaitVisible(css(sel("transcript-page"))),
		waitJS(`(() => { const v = document.querySelector(`+"`"+player+"`"+`);
			return !!v && v.readyState >= 1 && Number.isFinite(v.duration) && v.duration > 1.5 && v.videoWidth > 0; })()`),
		discard(chromedp.Evaluate[bool](`(() => { const v = document.querySelector(`+"`"+player+"`"+`);
			v.muted = true; v.play(); return true; })()`)),
		waitJS(`document.querySelector(`+"`"+player+"`"+`).currentTime > 0.5`),
		discard(chromedp.Evaluate[bool](`(() => { const v = document.querySelector(`+"`"+player+"`"+`);
			v.pause(); v.currentTime = 0.2; return true; })()`)),
		waitJS(`(() => { const v = document.querySelector(`+"`"+player+"`"+`); return !v.seeking && v.currentTime < 0.5; })()`),
	)
	width := evalInt(t, seat, `document.querySelector(`+"`"+player+"`"+`).videoWidth`)
	duration := evalInt(t, seat, `document.querySelector(`+"`"+player+"`"+`).duration`)
	t.Logf("recording plays at %v pixels wide for %.2f s", width, duration)
	if width != 640 {
		t.Errorf("got video width %v, want 640", width)
	}
	if duration < 2 || duration > 3.5 {
		t.Errorf("got duration %.2f s, want about 2.5 s", duration)
	}
}
