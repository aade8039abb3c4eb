package container

import (
	"bytes"
	"testing"
	"time"
)

func FuzzParseWebM(f *testing.F) {
	f.Add(liveWebM(3))
	var buf bytes.Buffer
	w, _ := NewWebMWriter(&buf, []Track{{Number: 1, Type: TrackAudio, CodecID: "A_OPUS", CodecPrivate: testHead().Bytes()}}, time.Second)
	w.WriteFrame(Frame{Track: 1, Data: opusPacket(1), Keyframe: true})
	w.Close()
	f.Add(buf.Bytes())
	f.Add([]byte{0x1a, 0x45, 0xdf, 0xa3, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})

	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := ParseWebM(bytes.NewReader(data), Limits{MaxFrames: 1000, MaxFrameBytes: 1 << 16})
		if err != nil {
			return
		}
		if len(file.Tracks) == 0 {
			t.Fatal("parsed a file without tracks")
		}
		// Whatever parses must remux, as the voice path does.
		for i := range file.Tracks {
			file.Tracks[i].Number = uint64(i + 1)
		}
		var out bytes.Buffer
		if w, err := NewWebMWriter(&out, file.Tracks, file.Duration); err == nil {
			for _, fr := range file.Frames {
				fr.Track = 1
				if fr.Time < 0 {
					continue
				}
				_ = w.WriteFrame(fr)
			}
			_ = w.Close()
		}
	})
}

func FuzzMP4Duration(f *testing.F) {
	var buf bytes.Buffer
	WriteOpusMP4(&buf, testHead(), [][]byte{opusPacket(1), opusPacket(2)})
	f.Add(buf.Bytes())
	f.Add([]byte("\x00\x00\x00\x08moov\x00\x00\x00\x10moof\x00\x00\x00\x08traf"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = MP4Duration(bytes.NewReader(data), int64(len(data)))
	})
}

func FuzzParseOpusHead(f *testing.F) {
	f.Add(testHead().Bytes())
	f.Add(OpusHead{Channels: 3, MappingFamily: 1, Mapping: []byte{2, 1, 0, 1, 2}}.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ParseOpusHead(data)
		if err != nil {
			return
		}
		again, err := ParseOpusHead(h.Bytes())
		if err != nil || again.Channels != h.Channels || again.PreSkip != h.PreSkip {
			t.Fatalf("re-parsing %+v: got %+v, %v", h, again, err)
		}
	})
}

func FuzzOpusSamples(f *testing.F) {
	f.Add([]byte{0xf8})
	f.Add([]byte{0x03, 0x05})
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := OpusSamples(data)
		if err == nil && (n <= 0 || n > 5760) {
			t.Fatalf("got %d samples without an error", n)
		}
	})
}
