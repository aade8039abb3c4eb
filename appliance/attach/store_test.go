package attach

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// countingReader serves n bytes of pattern and counts what was read.
type countingReader struct {
	n, read int64
	head    []byte
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.read >= c.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), c.n-c.read)]
	for i := range p {
		off := c.read + int64(i)
		if off < int64(len(c.head)) {
			p[i] = c.head[off]
		} else {
			p[i] = 'a'
		}
	}
	c.read += int64(len(p))
	return len(p), nil
}

var fileTypes = []string{TypeText, TypePDF, TypePNG}

func TestPutSizeLimit(t *testing.T) {
	const limit = 200_000
	cases := []struct {
		name    string
		size    int64
		wantErr error
	}{
		{"at limit", limit, nil},
		{"one past limit", limit + 1, ErrTooLarge},
		{"far past limit", 50 * limit, ErrTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newTestStore(t)
			body := &countingReader{n: tc.size}
			m, err := s.Put(context.Background(), PutRequest{
				Conversation: "c1", Kind: KindFile, Name: "a.txt", MaxBytes: limit, Allowed: fileTypes,
			}, body)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got error %v, want %v", err, tc.wantErr)
			}
			if body.read > limit+1+32<<10 {
				t.Errorf("read %d bytes of the body, want at most the limit plus one buffer", body.read)
			}
			if tc.wantErr == nil {
				if m.Size != tc.size {
					t.Errorf("got size %d, want %d", m.Size, tc.size)
				}
				return
			}
			if n := countFiles(t, s.dir); n != 0 {
				t.Errorf("got %d blob files after a rejected upload, want 0", n)
			}
		})
	}
}

func countFiles(t testing.TB, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

func TestPutSniffsType(t *testing.T) {
	cases := []struct {
		name     string
		fileName string
		content  []byte
		wantType string
		wantErr  error
	}{
		{"html named png", "photo.png", []byte("<!DOCTYPE html><script>alert(1)</script>"), "", ErrTypeNotAllowed},
		{"pdf named txt", "notes.txt", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), TypePDF, nil},
		{"plain text", "说明.txt", []byte("申请材料清单：身份证、不动产权证书。"), TypeText, nil},
		{"empty", "a.txt", nil, "", ErrEmpty},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newTestStore(t)
			m, err := s.Put(context.Background(), PutRequest{
				Conversation: "c1", Kind: KindFile, Name: tc.fileName, MaxBytes: 1 << 20, Allowed: fileTypes,
			}, bytes.NewReader(tc.content))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got error %v, want %v", err, tc.wantErr)
			}
			if m.Type != tc.wantType {
				t.Errorf("got type %q, want %q", m.Type, tc.wantType)
			}
		})
	}
}

func TestPutSealsContentAndName(t *testing.T) {
	s, dir := newTestStore(t)
	const marker = "MARKER-5f3c9a-不动产"
	name := marker + " 申请表.txt"
	content := strings.Repeat("第一行 "+marker+"\n", 5000)

	m, err := s.Put(context.Background(), PutRequest{
		Conversation: "c1", Kind: KindFile, Name: name, MaxBytes: 1 << 20, Allowed: fileTypes,
	}, strings.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(context.Background(), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != name {
		t.Errorf("got name %q, want %q", got.Name, name)
	}
	assertNotOnDisk(t, dir, marker)
}

// assertNotOnDisk fails when any file under dir contains marker in UTF-8.
func assertNotOnDisk(t *testing.T, dir, marker string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.Contains(d.Name(), marker) {
			t.Errorf("file name %s contains the marker", path)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(raw, []byte(marker)) {
			t.Errorf("file %s contains the marker in plain form", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPutImageMakesPreview(t *testing.T) {
	s, _ := newTestStore(t)
	m, err := s.Put(context.Background(), PutRequest{
		Conversation: "c1", Kind: KindImage, Name: "现场照片.png", MaxBytes: 4 << 20,
		Allowed: []string{TypePNG, TypeJPEG},
	}, bytes.NewReader(testPNG(t, 800, 400)))
	if err != nil {
		t.Fatal(err)
	}
	if m.Width != 800 || m.Height != 400 {
		t.Errorf("got %dx%d, want 800x400", m.Width, m.Height)
	}
	pv, ok := m.Renditions[RenditionPreview]
	if !ok {
		t.Fatal("got no preview rendition")
	}
	r, err := s.Open(m, RenditionPreview)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	head := make([]byte, 3)
	if _, err := io.ReadFull(r, head); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(head, []byte{0xff, 0xd8, 0xff}) || pv.Type != TypeJPEG {
		t.Errorf("preview starts %x with type %s, want a JPEG", head, pv.Type)
	}
}

func TestPutRejectsBrokenImage(t *testing.T) {
	s, _ := newTestStore(t)
	broken := testPNG(t, 50, 50)[:60]
	_, err := s.Put(context.Background(), PutRequest{
		Conversation: "c1", Kind: KindImage, Name: "a.png", MaxBytes: 4 << 20, Allowed: []string{TypePNG},
	}, bytes.NewReader(broken))
	if !errors.Is(err, ErrInvalidMedia) {
		t.Fatalf("got %v, want ErrInvalidMedia", err)
	}
	if n := countFiles(t, s.dir); n != 0 {
		t.Errorf("got %d blob files after a rejected image, want 0", n)
	}
}

func TestListAndDelete(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	put := func(conv string, kind Kind) Meta {
		t.Helper()
		m, err := s.Put(ctx, PutRequest{Conversation: conv, Kind: kind, Name: "a.txt", MaxBytes: 100, Allowed: fileTypes},
			strings.NewReader("hello"))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	a := put("c1", KindFile)
	put("c2", KindFile)
	put("c1", KindImage)

	got, err := s.List(ctx, "c1", KindFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != a.ID {
		t.Fatalf("got %d files of c1, want only %s", len(got), a.ID)
	}
	if err := s.Delete(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("got %v after delete, want ErrNotFound", err)
	}
	if n := countFiles(t, s.dir); n != 2 {
		t.Errorf("got %d blob files, want 2", n)
	}
}

func TestDeleteOlder(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	put := func(age time.Duration, kind Kind) Meta {
		t.Helper()
		s.now = func() time.Time { return now.Add(-age) }
		m, err := s.Put(ctx, PutRequest{Conversation: "c1", Kind: kind, Name: "a.txt", MaxBytes: 100, Allowed: fileTypes},
			strings.NewReader("hello"))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	old := put(40*24*time.Hour, KindRecording)
	fresh := put(time.Hour, KindRecording)
	oldFile := put(40*24*time.Hour, KindFile)

	n, err := s.DeleteOlder(ctx, KindRecording, now.Add(-30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("got %d deleted, want 1", n)
	}
	if _, err := s.Get(ctx, old.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("old recording: got %v, want ErrNotFound", err)
	}
	for _, m := range []Meta{fresh, oldFile} {
		if _, err := s.Get(ctx, m.ID); err != nil {
			t.Errorf("%s %s: got %v, want kept", m.Kind, m.ID, err)
		}
	}
}

func TestOpenDropsPartials(t *testing.T) {
	s, _ := newTestStore(t)
	path := filepath.Join(s.dir, "0123"+TempFileSuffix)
	if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(s.db, s.dir, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v for the partial blob, want it removed", err)
	}
}

func TestPutRejectsWhenDiskFull(t *testing.T) {
	s, _ := newTestStore(t)
	s.minFree = 1 << 62
	_, err := s.Put(context.Background(), PutRequest{Conversation: "c1", Kind: KindFile, Name: "a.txt",
		MaxBytes: 100, Allowed: fileTypes}, strings.NewReader("hello"))
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("got %v, want ErrDiskFull", err)
	}
	if n := countFiles(t, s.dir); n != 0 {
		t.Errorf("got %d blob files, want 0", n)
	}
}

func TestOpenDropsOrphanBlobs(t *testing.T) {
	s, _ := newTestStore(t)
	m, err := s.Put(context.Background(), PutRequest{Conversation: "c1", Kind: KindImage, Name: "a.png",
		MaxBytes: 1 << 20, Allowed: []string{TypePNG}}, bytes.NewReader(testPNG(t, 8, 8)))
	if err != nil {
		t.Fatal(err)
	}
	commit := func(age time.Duration) BlobID {
		w, err := s.CreateBlob()
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("录音片段"))
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(-age)
		if err := os.Chtimes(filepath.Join(s.dir, string(w.ID())), at, at); err != nil {
			t.Fatal(err)
		}
		return w.ID()
	}
	// The record's blobs are as old as the orphan, so only the record decides.
	for _, b := range m.blobs() {
		at := time.Now().Add(-2 * time.Hour)
		if err := os.Chtimes(filepath.Join(s.dir, string(b)), at, at); err != nil {
			t.Fatal(err)
		}
	}
	orphan := commit(2 * time.Hour)
	fresh := commit(time.Minute)

	if _, err := Open(s.db, s.dir, Options{}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		blob   BlobID
		exists bool
	}{
		{"old blob without a record", orphan, false},
		{"fresh blob without a record", fresh, true},
		{"image of the record", m.Blob, true},
		{"preview of the record", m.Renditions[RenditionPreview].Blob, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := os.Stat(filepath.Join(s.dir, string(tc.blob)))
			if exists := err == nil; exists != tc.exists {
				t.Errorf("blob file exists: got %v (%v), want %v", exists, err, tc.exists)
			}
		})
	}
	if _, err := s.Get(context.Background(), m.ID); err != nil {
		t.Errorf("record after reopening: %v", err)
	}
}
