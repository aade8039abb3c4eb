package container

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"
)

// idAt reads the element id at off.
func idAt(t *testing.T, file []byte, off int64) uint64 {
	t.Helper()
	id, _, err := newEBMLReader(bytes.NewReader(file[off:])).vint(true)
	if err != nil {
		t.Fatalf("reading element id at byte %d: %v", off, err)
	}
	return id
}

// children reads the elements inside payload as id and body pairs.
func children(t *testing.T, payload []byte) [][2]any {
	t.Helper()
	r := newEBMLReader(bytes.NewReader(payload))
	var out [][2]any
	for r.pos < int64(len(payload)) {
		id, size, err := r.header()
		if err != nil {
			t.Fatal(err)
		}
		body, err := r.payload(size, len(payload))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, [2]any{id, body})
	}
	return out
}

func TestIndexedWebM(t *testing.T) {
	tracks := []Track{
		{Number: 1, Type: TrackVideo, CodecID: "V_VP8", Width: 320, Height: 240},
		{Number: 2, Type: TrackAudio, CodecID: "A_OPUS", CodecPrivate: testHead().Bytes(), SampleRate: 48000, Channels: 1},
	}
	var want []Frame
	for i := range 1500 {
		at := time.Duration(i) * 20 * time.Millisecond
		if i%2 == 0 {
			want = append(want, Frame{Track: 1, Time: at, Keyframe: i%100 == 0, Data: bytes.Repeat([]byte{byte(i)}, 300)})
		} else {
			want = append(want, Frame{Track: 2, Time: at, Keyframe: true, Data: opusPacket(i)})
		}
	}
	var buf bytes.Buffer
	err := WriteIndexedWebM(&buf, tracks, 30*time.Second, func(emit func(Frame) error) error {
		for _, f := range want {
			if err := emit(f); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	file := buf.Bytes()

	parsed, err := ParseWebM(bytes.NewReader(file), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(parsed.Frames) != len(want) || parsed.Duration != 30*time.Second {
		t.Fatalf("got %d frames and %v, want %d and 30s", len(parsed.Frames), parsed.Duration, len(want))
	}

	segStart := int64(len(ebmlHeader()) + 4 + 8)
	if size := binary.BigEndian.Uint64(file[segStart-8:segStart]) &^ (1 << 56); int64(size) != int64(len(file))-segStart {
		t.Errorf("segment size %d, want %d", size, int64(len(file))-segStart)
	}

	r := newEBMLReader(bytes.NewReader(file[segStart:]))
	id, size, err := r.header()
	if err != nil || id != idSeekHead {
		t.Fatalf("got element %x (%v) at the segment start, want the SeekHead", id, err)
	}
	head, _ := r.payload(size, 1<<10)
	targets := map[uint64]int64{}
	for _, seek := range children(t, head) {
		var sid uint64
		var pos int64
		for _, c := range children(t, seek[1].([]byte)) {
			switch c[0].(uint64) {
			case idSeekID:
				sid = idAt(t, c[1].([]byte), 0)
			case idSeekPosition:
				v, _ := readUint(c[1].([]byte))
				pos = int64(v)
			}
		}
		targets[sid] = pos
		if got := idAt(t, file, segStart+pos); got != sid {
			t.Errorf("seek entry for %x points at element %x", sid, got)
		}
	}

	cuesAt := segStart + targets[idCues]
	cr := newEBMLReader(bytes.NewReader(file[cuesAt:]))
	_, cuesSize, _ := cr.header()
	cues, err := cr.payload(cuesSize, len(file))
	if err != nil {
		t.Fatal(err)
	}
	points := children(t, cues)
	// Video key frames every 2 s start a cluster each: 15 in 30 s.
	if len(points) != 15 {
		t.Errorf("got %d cue points, want 15", len(points))
	}
	for _, p := range points {
		for _, c := range children(t, p[1].([]byte)) {
			if c[0].(uint64) != idCueTrackPositions {
				continue
			}
			for _, tp := range children(t, c[1].([]byte)) {
				if tp[0].(uint64) == idCueClusterPosition {
					v, _ := readUint(tp[1].([]byte))
					if got := idAt(t, file, segStart+int64(v)); got != idCluster {
						t.Errorf("cue position %d points at element %x, want a cluster", v, got)
					}
				}
			}
		}
	}
}
