package container

import (
	"bytes"
	"runtime"
	"testing"
	"time"
)

func TestParseWebMMemoryPerBlock(t *testing.T) {
	const blocks = 10_000
	var buf bytes.Buffer
	w, err := NewWebMWriter(&buf, []Track{{Number: 1, Type: TrackAudio, CodecID: "A_OPUS", CodecPrivate: testHead().Bytes()}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range blocks {
		if err := w.WriteFrame(Frame{Track: 1, Time: time.Duration(i) * time.Millisecond, Keyframe: true, Data: []byte{0xf8}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	file, err := ParseWebM(bytes.NewReader(buf.Bytes()), Limits{})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(file.Frames) != blocks {
		t.Errorf("got %d frames, want %d", len(file.Frames), blocks)
	}
	if file.Frames[blocks-1].Track != 1 {
		t.Errorf("got track %d for the last block, want 1", file.Frames[blocks-1].Track)
	}
	// Each block costs its payload and a share of the frame slice.
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 512*blocks {
		t.Errorf("parsing %d blocks of %d bytes allocated %d bytes, want under %d", blocks, buf.Len(), allocated, 512*blocks)
	}
}

func TestSliceVint(t *testing.T) {
	cases := []struct {
		name   string
		input  []byte
		value  uint64
		length int
		fails  bool
	}{
		{"one byte", []byte{0x81}, 1, 1, false},
		{"two bytes", []byte{0x40, 0x02, 0xff}, 2, 2, false},
		{"eight bytes", []byte{0x01, 0, 0, 0, 0, 0, 0, 7}, 7, 8, false},
		{"no marker", []byte{0x00, 1}, 0, 0, true},
		{"truncated", []byte{0x20, 1}, 0, 0, true},
		{"empty", nil, 0, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			value, length, err := sliceVint(tc.input)
			if (err != nil) != tc.fails {
				t.Fatalf("got error %v, want failure %v", err, tc.fails)
			}
			if value != tc.value || length != tc.length {
				t.Errorf("got %d of %d bytes, want %d of %d", value, length, tc.value, tc.length)
			}
		})
	}
}
