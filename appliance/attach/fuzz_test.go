package attach

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// FuzzPut feeds arbitrary bytes to the image and voice paths, which
// decode what they store. Whatever the input, Put must not panic, and a
// rejected upload must leave no blob behind.
func FuzzPut(f *testing.F) {
	s, _ := newTestStore(f)
	f.Add(uint8(0), testPNG(f, 8, 8))
	f.Add(uint8(1), testVoiceWebM(f, 10))
	f.Add(uint8(1), []byte("\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00isomM4A \x00\x00\x00\x08moov"))

	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		req := PutRequest{Conversation: "c", Name: "x", MaxBytes: 1 << 20, MaxDuration: time.Minute}
		if which%2 == 0 {
			req.Kind, req.Allowed = KindImage, []string{TypePNG, TypeJPEG, TypeGIF, TypeWebP}
		} else {
			req.Kind, req.Allowed = KindVoice, []string{TypeWebM, TypeMP4}
		}
		before := countFiles(t, s.dir)
		m, err := s.Put(context.Background(), req, bytes.NewReader(data))
		if err != nil {
			if after := countFiles(t, s.dir); after != before {
				t.Fatalf("rejected upload left %d blob files, had %d", after, before)
			}
			return
		}
		if err := s.Delete(context.Background(), m.ID); err != nil {
			t.Fatal(err)
		}
	})
}
