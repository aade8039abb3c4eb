package record

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"

	"wenban/appliance/attach"
	"wenban/appliance/attach/container"
	"wenban/appliance/media/sfu"
	"wenban/appliance/seal"
	"wenban/appliance/store"
)

func newTestRecorder(t *testing.T) (*Recorder, *attach.Store) {
	t.Helper()
	dir := t.TempDir()
	master, err := seal.NewMasterKey(bytes.Repeat([]byte{9}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(dir, "wenban.db"), master)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st, err := attach.Open(db, filepath.Join(dir, "attachments"), attach.Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)
	return New(Options{Store: st, Now: func() time.Time { return start }}), st
}

var (
	opusCodec = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}}
	vp8Codec  = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}}
)

// vp8Frame is a VP8 frame with a real frame tag: a 640x480 key frame
// header or an inter frame, padded to size bytes.
func vp8Frame(key bool, size int) []byte {
	f := make([]byte, size)
	if key {
		copy(f, []byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01})
	} else {
		f[0] = 0x11
	}
	return f
}

// feedVideo sends frames at 30 frames a second, a key frame every 30,
// each packetized as a browser would.
func feedVideo(t *testing.T, s sfu.TrackSink, frames int) {
	t.Helper()
	pay := &codecs.VP8Payloader{}
	seq := uint16(1000)
	for i := range frames {
		payloads := pay.Payload(1200, vp8Frame(i%30 == 0, 3000))
		for j, p := range payloads {
			pkt := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: seq,
				Timestamp: uint32(i * 3000), SSRC: 1, Marker: j == len(payloads)-1}, Payload: p}
			seq++
			if err := s.WriteRTP(pkt); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// feedAudio sends 20 ms Opus packets, starting near the 32-bit wrap.
func feedAudio(t *testing.T, s sfu.TrackSink, packets int) {
	t.Helper()
	ts := uint32(1<<32 - 960*10)
	for i := range packets {
		pkt := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111, SequenceNumber: uint16(65500 + i),
			Timestamp: ts, SSRC: 2, Marker: i == 0}, Payload: append([]byte{0xf8}, bytes.Repeat([]byte{byte(i)}, 60)...)}
		ts += 960
		if err := s.WriteRTP(pkt); err != nil {
			t.Fatal(err)
		}
	}
}

func waitRecorded(t *testing.T, r *Recorder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Wait(ctx); err != nil {
		t.Fatalf("waiting for the recording: %v", err)
	}
}

func TestRecordingPlaysBackAsWebM(t *testing.T) {
	r, st := newTestRecorder(t)
	room := sfu.RoomID("conv-1")

	var sinks []sfu.TrackSink
	for _, p := range []sfu.ParticipantID{"citizen", "agent"} {
		a, err := r.StartTrack(room, p, opusCodec)
		if err != nil {
			t.Fatal(err)
		}
		v, err := r.StartTrack(room, p, vp8Codec)
		if err != nil {
			t.Fatal(err)
		}
		feedAudio(t, a, 150)
		feedVideo(t, v, 90)
		sinks = append(sinks, a, v)
	}
	for _, s := range sinks {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	waitRecorded(t, r)

	list, err := st.List(context.Background(), string(room), attach.KindRecording)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("got %d recordings, want 1", len(list))
	}
	m := list[0]
	if m.Type != attach.TypeWebMAV || m.Tracks != 4 {
		t.Errorf("got type %s with %d tracks, want video/webm with 4", m.Type, m.Tracks)
	}

	blob, err := st.Open(m, "")
	if err != nil {
		t.Fatal(err)
	}
	defer blob.Close()
	file, err := container.ParseWebM(blob, container.Limits{})
	if err != nil {
		t.Fatalf("parsing the recording: %v", err)
	}
	if len(file.Tracks) != 4 {
		t.Fatalf("got %d tracks, want 4", len(file.Tracks))
	}
	counts := map[uint64]int{}
	for _, f := range file.Frames {
		counts[f.Track]++
	}
	for _, tr := range file.Tracks {
		want := 150
		if tr.Type == container.TrackVideo {
			want = 90
			if tr.Width != 640 || tr.Height != 480 || tr.CodecID != "V_VP8" {
				t.Errorf("video track %d: got %s %dx%d, want V_VP8 640x480", tr.Number, tr.CodecID, tr.Width, tr.Height)
			}
		}
		if counts[tr.Number] != want {
			t.Errorf("track %d (%s): got %d frames, want %d", tr.Number, tr.CodecID, counts[tr.Number], want)
		}
	}
	// 150 audio packets of 20 ms end at 2.98 s, 90 video frames at 2.967 s.
	if file.Duration < 2900*time.Millisecond || file.Duration > 3*time.Second {
		t.Errorf("got duration %v, want about 3s", file.Duration)
	}
	if file.Duration != m.Duration.Truncate(time.Millisecond) && file.Duration != m.Duration {
		t.Errorf("file states %v, record states %v", file.Duration, m.Duration)
	}
	assertNoScratch(t, st, 1)
}

func assertNoScratch(t *testing.T, st *attach.Store, want int) {
	t.Helper()
	entries, err := filepath.Glob(filepath.Join(st.Dir(), "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != want {
		t.Errorf("got %d blob files, want %d (the scratch blob must be gone)", len(entries), want)
	}
}

func TestAudioOnlyRecording(t *testing.T) {
	r, st := newTestRecorder(t)
	a, err := r.StartTrack("room-2", "citizen", opusCodec)
	if err != nil {
		t.Fatal(err)
	}
	feedAudio(t, a, 50)
	a.Close()
	waitRecorded(t, r)

	list, err := st.List(context.Background(), "room-2", attach.KindRecording)
	if err != nil || len(list) != 1 {
		t.Fatalf("got %d recordings, %v; want 1", len(list), err)
	}
	if list[0].Type != attach.TypeWebM || list[0].Tracks != 1 {
		t.Errorf("got %s with %d tracks, want audio/webm with 1", list[0].Type, list[0].Tracks)
	}
}

func TestTrackAfterEndStartsNewRecording(t *testing.T) {
	r, st := newTestRecorder(t)
	for range 2 {
		a, err := r.StartTrack("room-3", "agent", opusCodec)
		if err != nil {
			t.Fatal(err)
		}
		feedAudio(t, a, 20)
		a.Close()
	}
	waitRecorded(t, r)
	list, err := st.List(context.Background(), "room-3", attach.KindRecording)
	if err != nil || len(list) != 2 {
		t.Errorf("got %d recordings, %v; want 2", len(list), err)
	}
}

func TestRejectsOtherCodecs(t *testing.T) {
	r, _ := newTestRecorder(t)
	h264 := webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000}}
	if _, err := r.StartTrack("room-4", "p", h264); err == nil {
		t.Error("got no error for an H.264 track, want a rejection")
	}
}

func TestEmptyRecordingLeavesNothing(t *testing.T) {
	r, st := newTestRecorder(t)
	v, err := r.StartTrack("room-5", "p", vp8Codec)
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	waitRecorded(t, r)
	list, _ := st.List(context.Background(), "room-5", attach.KindRecording)
	if len(list) != 0 {
		t.Errorf("got %d recordings of a track without media, want 0", len(list))
	}
	assertNoScratch(t, st, 0)
}

func TestRetentionDeletesOldRecordings(t *testing.T) {
	r, st := newTestRecorder(t)
	a, err := r.StartTrack("room-6", "p", opusCodec)
	if err != nil {
		t.Fatal(err)
	}
	feedAudio(t, a, 20)
	a.Close()
	waitRecorded(t, r)

	start := time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)
	n, err := st.DeleteOlder(context.Background(), attach.KindRecording, start.Add(90*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("got %d deleted, %v; want 1", n, err)
	}
	assertNoScratch(t, st, 0)
}

func TestConversationLookup(t *testing.T) {
	r, st := newTestRecorder(t)
	r.SetConversationLookup(func(room sfu.RoomID) string {
		if room == "call-7" {
			return "conv-7"
		}
		return ""
	})
	a, err := r.StartTrack("call-7", "agent", opusCodec)
	if err != nil {
		t.Fatal(err)
	}
	feedAudio(t, a, 20)
	a.Close()
	waitRecorded(t, r)

	for _, tc := range []struct {
		conversation string
		want         int
	}{{"conv-7", 1}, {"call-7", 0}} {
		list, err := st.List(context.Background(), tc.conversation, attach.KindRecording)
		if err != nil || len(list) != tc.want {
			t.Errorf("conversation %s: got %d recordings, %v; want %d", tc.conversation, len(list), err, tc.want)
		}
	}
}

// A client may send RTP timestamps that run backwards, by a bug or on
// purpose. The recording must keep the call rather than fail as a whole.
func TestRecordingSurvivesBackwardTimestamps(t *testing.T) {
	r, st := newTestRecorder(t)
	a, err := r.StartTrack("room-8", "citizen", opusCodec)
	if err != nil {
		t.Fatal(err)
	}
	ts := uint32(5 * 48000)
	for i := range 40 {
		pkt := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111, SequenceNumber: uint16(i),
			Timestamp: ts, SSRC: 2}, Payload: append([]byte{0xf8}, bytes.Repeat([]byte{byte(i)}, 60)...)}
		if i == 10 {
			// Jump back 3 s, before the track's first frame.
			ts -= 3 * 48000
		}
		ts += 960
		if err := a.WriteRTP(pkt); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	waitRecorded(t, r)

	list, err := st.List(context.Background(), "room-8", attach.KindRecording)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("got %d recordings, want 1", len(list))
	}
	blob, err := st.Open(list[0], "")
	if err != nil {
		t.Fatal(err)
	}
	defer blob.Close()
	file, err := container.ParseWebM(blob, container.Limits{})
	if err != nil {
		t.Fatalf("parsing the recording: %v", err)
	}
	if len(file.Frames) != 40 {
		t.Errorf("got %d frames, want 40", len(file.Frames))
	}
	for _, f := range file.Frames {
		if f.Time < 0 {
			t.Errorf("got a frame at %v, want none before the start", f.Time)
		}
	}
}
