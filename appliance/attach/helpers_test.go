package attach

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"path/filepath"
	"testing"
	"time"

	"wenban/appliance/attach/container"
	"wenban/appliance/seal"
	"wenban/appliance/store"
)

func newTestStore(t testing.TB) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	master, err := seal.NewMasterKey(bytes.Repeat([]byte{7}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(dir, "wenban.db"), master)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := Open(db, filepath.Join(dir, "attachments"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 200, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// opusPacket is a CELT 20 ms mono packet header followed by filler: the
// containers look only at the TOC byte.
func opusPacket(i int) []byte {
	return append([]byte{0xf8}, bytes.Repeat([]byte{byte(i)}, 40+i%7)...)
}

// testVoiceWebM builds a WebM/Opus file like MediaRecorder's, frames
// 20 ms apart.
func testVoiceWebM(t testing.TB, frames int) []byte {
	t.Helper()
	head := container.OpusHead{Channels: 1, PreSkip: 312, InputSampleRate: 48000}
	track := container.Track{Number: 1, Type: container.TrackAudio, CodecID: "A_OPUS",
		CodecPrivate: head.Bytes(), SampleRate: 48000, Channels: 1}
	var buf bytes.Buffer
	w, err := container.NewWebMWriter(&buf, []container.Track{track}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range frames {
		f := container.Frame{Track: 1, Time: time.Duration(i) * 20 * time.Millisecond, Keyframe: true, Data: opusPacket(i)}
		if err := w.WriteFrame(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
