package attach

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"wenban/appliance/attach/container"
)

var voiceTypes = []string{TypeWebM, TypeMP4}

func TestPutVoiceMakesRenditions(t *testing.T) {
	s, _ := newTestStore(t)
	m, err := s.Put(context.Background(), PutRequest{
		Conversation: "c1", Kind: KindVoice, Name: "voice.webm", MaxBytes: 1 << 20,
		Allowed: voiceTypes, MaxDuration: time.Minute,
	}, bytes.NewReader(testVoiceWebM(t, 150)))
	if err != nil {
		t.Fatal(err)
	}
	// 150 packets of 960 samples less the 312-sample pre-skip.
	want := time.Duration(150*960-312) * time.Second / 48000
	if m.Duration != want {
		t.Errorf("got duration %v, want %v", m.Duration, want)
	}

	mp4, err := s.Open(m, RenditionMP4)
	if err != nil {
		t.Fatal(err)
	}
	defer mp4.Close()
	got, err := container.MP4Duration(mp4, mp4.Size())
	if err != nil {
		t.Fatal(err)
	}
	if got.Round(time.Millisecond) != want.Round(time.Millisecond) {
		t.Errorf("mp4 rendition lasts %v, want %v", got, want)
	}

	webm, err := s.Open(m, RenditionWebM)
	if err != nil {
		t.Fatal(err)
	}
	defer webm.Close()
	file, err := container.ParseWebM(webm, container.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if file.Duration != want.Truncate(time.Millisecond) && file.Duration != want {
		t.Errorf("webm rendition states %v, want %v", file.Duration, want)
	}
	if len(file.Frames) != 150 {
		t.Errorf("webm rendition has %d frames, want 150", len(file.Frames))
	}
}

func TestPutVoiceRejects(t *testing.T) {
	cases := []struct {
		name    string
		body    func(t *testing.T) []byte
		maxDur  time.Duration
		wantErr error
	}{
		{"too long", func(t *testing.T) []byte { return testVoiceWebM(t, 200) }, 3 * time.Second, ErrTooLong},
		{"truncated", func(t *testing.T) []byte { return testVoiceWebM(t, 50)[:200] }, time.Minute, ErrInvalidMedia},
		{"png as voice", func(t *testing.T) []byte { return testPNG(t, 4, 4) }, time.Minute, ErrTypeNotAllowed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newTestStore(t)
			_, err := s.Put(context.Background(), PutRequest{
				Conversation: "c1", Kind: KindVoice, Name: "v.webm", MaxBytes: 1 << 20,
				Allowed: voiceTypes, MaxDuration: tc.maxDur,
			}, bytes.NewReader(tc.body(t)))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
			if n := countFiles(t, s.dir); n != 0 {
				t.Errorf("got %d blob files after a rejected voice message, want 0", n)
			}
		})
	}
}

func TestOpenMissingRendition(t *testing.T) {
	s, _ := newTestStore(t)
	m, err := s.Put(context.Background(), PutRequest{Conversation: "c1", Kind: KindFile, Name: "a.txt",
		MaxBytes: 10, Allowed: fileTypes}, bytes.NewReader([]byte("hi")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(m, RenditionMP4); !errors.Is(err, ErrNotFound) {
		t.Errorf("got %v, want ErrNotFound", err)
	}
	r, err := s.Open(m, "")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, _ := io.ReadAll(r)
	if string(got) != "hi" {
		t.Errorf("got %q, want %q", got, "hi")
	}
}
