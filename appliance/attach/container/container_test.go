package container

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
	"time"
)

func testHead() OpusHead { return OpusHead{Channels: 1, PreSkip: 312, InputSampleRate: 48000} }

func opusPacket(i int) []byte { return append([]byte{0xf8}, bytes.Repeat([]byte{byte(i)}, 30+i%5)...) }

func TestWebMRoundTrip(t *testing.T) {
	tracks := []Track{
		{Number: 1, Type: TrackAudio, CodecID: "A_OPUS", CodecPrivate: testHead().Bytes(), SampleRate: 48000, Channels: 1},
		{Number: 2, Type: TrackVideo, CodecID: "V_VP8", Width: 640, Height: 480},
	}
	var buf bytes.Buffer
	w, err := NewWebMWriter(&buf, tracks, 12*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var want []Frame
	for i := range 600 {
		at := time.Duration(i) * 20 * time.Millisecond
		f := Frame{Track: 1, Time: at, Keyframe: true, Data: opusPacket(i)}
		if i%3 == 0 {
			f = Frame{Track: 2, Time: at, Keyframe: i%90 == 0, Data: bytes.Repeat([]byte{byte(i)}, 500)}
		}
		want = append(want, f)
		if err := w.WriteFrame(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	file, err := ParseWebM(bytes.NewReader(buf.Bytes()), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if file.DocType != "webm" || file.Duration != 12*time.Second {
		t.Errorf("got doc type %q and duration %v, want webm and 12s", file.DocType, file.Duration)
	}
	if len(file.Tracks) != 2 || file.Tracks[1].Width != 640 || file.Tracks[0].CodecID != "A_OPUS" {
		t.Errorf("got tracks %+v, want Opus and 640-wide VP8", file.Tracks)
	}
	if len(file.Frames) != len(want) {
		t.Fatalf("got %d frames, want %d", len(file.Frames), len(want))
	}
	for i, f := range file.Frames {
		w := want[i]
		if f.Track != w.Track || f.Time != w.Time || f.Keyframe != w.Keyframe || !bytes.Equal(f.Data, w.Data) {
			t.Fatalf("frame %d: got track %d at %v key %v, want track %d at %v key %v",
				i, f.Track, f.Time, f.Keyframe, w.Track, w.Time, w.Keyframe)
		}
	}
}

// liveWebM builds a file the way MediaRecorder streams it: Segment and
// Cluster of unknown size, no duration.
func liveWebM(frames int) []byte {
	var e ebmlWriter
	e.master(idEBML, func(e *ebmlWriter) { e.putString(idDocType, "webm") })
	e.buf = appendID(e.buf, idSegment)
	e.buf = append(e.buf, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	e.master(idInfo, func(e *ebmlWriter) { e.putUint(idTimecodeScale, 1_000_000) })
	e.master(idTracks, func(e *ebmlWriter) {
		e.master(idTrackEntry, func(e *ebmlWriter) {
			writeTrack(e, Track{Number: 1, Type: TrackAudio, CodecID: "A_OPUS", CodecPrivate: testHead().Bytes(), SampleRate: 48000, Channels: 1})
		})
	})
	e.buf = appendID(e.buf, idCluster)
	e.buf = append(e.buf, 0xff)
	e.putUint(idTimecode, 0)
	for i := range frames {
		block := []byte{0x81, byte(uint16(i*20) >> 8), byte(i * 20), 0x80}
		e.putBytes(idSimpleBlock, append(block, opusPacket(i)...))
	}
	return e.buf
}

func TestParseLiveWebM(t *testing.T) {
	file, err := ParseWebM(bytes.NewReader(liveWebM(50)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if file.Duration != 0 {
		t.Errorf("got duration %v, want none", file.Duration)
	}
	if len(file.Frames) != 50 {
		t.Fatalf("got %d frames, want 50", len(file.Frames))
	}
	if got := file.Frames[49].Time; got != 980*time.Millisecond {
		t.Errorf("last frame at %v, want 980ms", got)
	}
}

func TestParseWebMRejects(t *testing.T) {
	live := liveWebM(20)
	cases := []struct {
		name  string
		input []byte
		lim   Limits
	}{
		{"empty", nil, Limits{}},
		{"not ebml", []byte("OggS\x00\x02 some ogg"), Limits{}},
		{"truncated", live[:len(live)-7], Limits{}},
		{"too many frames", live, Limits{MaxFrames: 5}},
		{"frame too large", live, Limits{MaxFrameBytes: 10}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseWebM(bytes.NewReader(tc.input), tc.lim)
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("got %v, want ErrInvalid", err)
			}
		})
	}
}

func TestOpusSamples(t *testing.T) {
	cases := []struct {
		name   string
		packet []byte
		want   int
	}{
		{"celt 20 ms", []byte{31 << 3}, 960},
		{"celt 2.5 ms", []byte{16 << 3}, 120},
		{"silk 60 ms", []byte{3 << 3}, 2880},
		{"hybrid 10 ms two frames", []byte{12<<3 | 1}, 960},
		{"celt 20 ms three frames", []byte{31<<3 | 3, 3}, 2880},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := OpusSamples(tc.packet)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %d samples, want %d", got, tc.want)
			}
		})
	}
	if _, err := OpusSamples([]byte{31<<3 | 3, 7}); !errors.Is(err, ErrInvalid) {
		t.Errorf("seven 20 ms frames: got %v, want ErrInvalid", err)
	}
}

// findBox returns the payload of the box at path, walking from the top.
func findBox(t *testing.T, file []byte, path ...string) []byte {
	t.Helper()
	r := bytes.NewReader(file)
	start, end := int64(0), int64(len(file))
	for _, kind := range path {
		boxes, err := mp4Boxes(r, start, end)
		if err != nil {
			t.Fatalf("walking to %s: %v", kind, err)
		}
		found := false
		for _, b := range boxes {
			if b.kind == kind {
				start, end, found = b.offset, b.offset+b.size, true
				break
			}
		}
		if !found {
			t.Fatalf("box %s of path %v not found", kind, path)
		}
	}
	return file[start:end]
}

func TestWriteOpusMP4(t *testing.T) {
	var packets [][]byte
	payload := 0
	for i := range 100 {
		p := opusPacket(i)
		packets = append(packets, p)
		payload += len(p)
	}
	var buf bytes.Buffer
	if err := WriteOpusMP4(&buf, testHead(), packets); err != nil {
		t.Fatal(err)
	}
	file := buf.Bytes()

	if ftyp := findBox(t, file, "ftyp"); string(ftyp[:4]) != "isom" {
		t.Errorf("got major brand %q, want isom", ftyp[:4])
	}
	stsd := findBox(t, file, "moov", "trak", "mdia", "minf", "stbl", "stsd")
	if !bytes.Contains(stsd, []byte("Opus")) || !bytes.Contains(stsd, []byte("dOps")) {
		t.Errorf("stsd lacks the Opus sample entry or its dOps box")
	}
	stsz := findBox(t, file, "moov", "trak", "mdia", "minf", "stbl", "stsz")
	if n := binary.BigEndian.Uint32(stsz[8:]); n != 100 {
		t.Errorf("stsz lists %d samples, want 100", n)
	}
	if mdat := findBox(t, file, "mdat"); len(mdat) != payload || !bytes.Equal(mdat[:len(packets[0])], packets[0]) {
		t.Errorf("mdat has %d bytes, want %d starting with the first packet", len(mdat), payload)
	}
	stco := findBox(t, file, "moov", "trak", "mdia", "minf", "stbl", "stco")
	if off := binary.BigEndian.Uint32(stco[8:]); !bytes.Equal(file[off:off+4], packets[0][:4]) {
		t.Errorf("stco offset %d does not point at the first packet", off)
	}

	d, err := MP4Duration(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Duration(100*960-312) * time.Second / 48000; d != want {
		t.Errorf("got duration %v, want %v", d, want)
	}
}

func TestOpusHeadRoundTrip(t *testing.T) {
	want := OpusHead{Channels: 2, PreSkip: 3840, InputSampleRate: 44100, OutputGain: -256}
	got, err := ParseOpusHead(want.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got.Channels != want.Channels || got.PreSkip != want.PreSkip || got.InputSampleRate != want.InputSampleRate || got.OutputGain != want.OutputGain {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
