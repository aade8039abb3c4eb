package attach

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestBlobRoundTrip(t *testing.T) {
	s, _ := newTestStore(t)
	cases := []struct {
		name string
		size int
	}{
		{"empty", 0},
		{"one byte", 1},
		{"one chunk", chunkSize},
		{"chunk and one", chunkSize + 1},
		{"three chunks and some", 3*chunkSize + 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := make([]byte, tc.size)
			rand.Read(want)
			w, err := createBlob(s.dir, s.ring)
			if err != nil {
				t.Fatal(err)
			}
			// Odd write sizes cross chunk borders inside one Write.
			for rest := want; len(rest) > 0; {
				n := min(len(rest), 7919)
				if _, err := w.Write(rest[:n]); err != nil {
					t.Fatal(err)
				}
				rest = rest[n:]
			}
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}

			r, err := openBlob(s.dir, w.id, s.ring)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if r.Size() != int64(tc.size) {
				t.Fatalf("got size %d, want %d", r.Size(), tc.size)
			}
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("read %d bytes that differ from the %d written", len(got), len(want))
			}
			if tc.size > 10 {
				part := make([]byte, 10)
				off := int64(tc.size - 10)
				if _, err := r.ReadAt(part, off); err != nil && !errors.Is(err, io.EOF) {
					t.Fatal(err)
				}
				if !bytes.Equal(part, want[off:]) {
					t.Errorf("ReadAt(%d) got %x, want %x", off, part, want[off:])
				}
			}
		})
	}
}

func TestBlobRejectsTampering(t *testing.T) {
	s, _ := newTestStore(t)
	data := bytes.Repeat([]byte("x"), 2*chunkSize+100)

	cases := []struct {
		name   string
		damage func(path string) error
	}{
		{"cut at chunk border", func(path string) error {
			return os.Truncate(path, int64(blobHeaderLen+2*(chunkSize+sealOverhead)))
		}},
		{"flipped byte", func(path string) error {
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteAt([]byte{0xff}, int64(blobHeaderLen+100))
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, err := createBlob(s.dir, s.ring)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(data)
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
			if err := tc.damage(filepath.Join(s.dir, string(w.id))); err != nil {
				t.Fatal(err)
			}
			r, err := openBlob(s.dir, w.id, s.ring)
			if err == nil {
				_, err = io.ReadAll(r)
				r.Close()
			}
			if !errors.Is(err, ErrCorruptBlob) {
				t.Errorf("got %v, want ErrCorruptBlob", err)
			}
		})
	}
}

func TestBlobAbortLeavesNoFile(t *testing.T) {
	s, _ := newTestStore(t)
	w, err := createBlob(s.dir, s.ring)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(make([]byte, 3*chunkSize))
	w.Abort()
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("got %d files after abort, want 0", len(entries))
	}
}
