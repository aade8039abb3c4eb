package attach

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

func TestPutStopsWhenDiskFillsMidUpload(t *testing.T) {
	const keep = 100 << 20
	cases := []struct {
		name      string
		freeAfter int64
		want      error
	}{
		{"others fill the disk meanwhile", keep - 1, ErrDiskFull},
		{"disk keeps its reserve", keep + 10<<20, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newTestStore(t)
			s.minFree = keep
			var free atomic.Int64
			free.Store(keep + 60<<20)
			s.freeBytes = func() (int64, error) { return free.Load(), nil }

			slow, feed := io.Pipe()
			done := make(chan error, 1)
			go func() {
				_, err := s.Put(context.Background(), PutRequest{Conversation: "c", Kind: KindFile, Name: "a.txt",
					MaxBytes: 50 << 20, Allowed: fileTypes}, slow)
				// A rejected upload stops reading; the sender must not block.
				slow.Close()
				done <- err
			}()
			chunk := []byte(strings.Repeat("第一份材料\n", 100_000))
			feed.Write(chunk)
			// Another upload or a log file takes the space meanwhile.
			free.Store(tc.freeAfter)
			for range 3 {
				if _, err := feed.Write(chunk); err != nil {
					break
				}
			}
			feed.Close()

			err := <-done
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
			wantFiles := 0
			if tc.want == nil {
				wantFiles = 1
			}
			if n := countFiles(t, s.dir); n != wantFiles {
				t.Errorf("got %d blob files, want %d", n, wantFiles)
			}
		})
	}
}

// failingBody sends head and then fails with err, as a client that drops
// its connection or stalls past the read deadline does.
type failingBody struct {
	head string
	err  error
}

func (b *failingBody) Read(p []byte) (int, error) {
	if b.head == "" {
		return 0, b.err
	}
	n := copy(p, b.head)
	b.head = b.head[n:]
	return n, nil
}

func TestPutReportsInterruptedBody(t *testing.T) {
	cases := []struct {
		name     string
		head     string
		err      error
		deadline bool
	}{
		{"dropped after the first bytes", strings.Repeat("材料", 400), io.ErrUnexpectedEOF, false},
		{"dropped at once", "", io.ErrUnexpectedEOF, false},
		{"read deadline passed", strings.Repeat("材料", 400), os.ErrDeadlineExceeded, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newTestStore(t)
			_, err := s.Put(context.Background(), PutRequest{Conversation: "c", Kind: KindFile, Name: "a.txt",
				MaxBytes: 1 << 20, Allowed: fileTypes}, &failingBody{head: tc.head, err: tc.err})
			if !errors.Is(err, ErrUploadInterrupted) {
				t.Errorf("got %v, want ErrUploadInterrupted", err)
			}
			if got := errors.Is(err, os.ErrDeadlineExceeded); got != tc.deadline {
				t.Errorf("got deadline error %v, want %v", got, tc.deadline)
			}
			if n := countFiles(t, s.dir); n != 0 {
				t.Errorf("got %d blob files, want 0", n)
			}
		})
	}
}

func TestDiskFullMarksNoSpaceErrors(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"no space", &os.PathError{Op: "write", Path: "x.part", Err: syscall.ENOSPC}, true},
		{"quota", &os.PathError{Op: "write", Path: "x.part", Err: syscall.EDQUOT}, true},
		{"other", &os.PathError{Op: "write", Path: "x.part", Err: syscall.EIO}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := errors.Is(diskFull(tc.err), ErrDiskFull); got != tc.want {
				t.Errorf("got ErrDiskFull %v, want %v", got, tc.want)
			}
		})
	}
}
