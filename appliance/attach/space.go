package attach

import (
	"errors"
	"fmt"
	"io"
	"syscall"

	"golang.org/x/sys/unix"
)

// spaceCheckInterval is how many bytes an upload writes between two
// checks of the free space.
const spaceCheckInterval = 1 << 20

// CheckSpace returns ErrDiskFull when writing size more bytes would leave
// the blob folder's file system with less than the configured free
// space. Renditions and previews are small beside their upload, so the
// upload's limit stands for all of them.
func (s *Store) CheckSpace(size int64) error {
	if s.minFree < 0 {
		return nil
	}
	free, err := s.freeBytes()
	if err != nil {
		return fmt.Errorf("checking free space of %s: %w", s.dir, err)
	}
	if free-size < s.minFree {
		s.log.Warn("attachment rejected, disk nearly full", "dir", s.dir, "free_bytes", free, "keep_bytes", s.minFree)
		return fmt.Errorf("%d bytes free in %s, %d needed: %w", free, s.dir, size+s.minFree, ErrDiskFull)
	}
	return nil
}

func statfsFree(dir string) (int64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}

// spaceGuard sits in front of an upload's blob and checks the free space
// again after every spaceCheckInterval bytes. Uploads that passed their
// first check together stop once the disk nears the reserve, instead of
// filling it. Bytes a slow client has not sent yet hold no space, so
// slow uploads cannot make the hub reject others as if the disk were full.
type spaceGuard struct {
	store   *Store
	w       io.Writer
	written int64
}

func (g *spaceGuard) Write(p []byte) (int, error) {
	if g.written >= spaceCheckInterval {
		g.written = 0
		if err := g.store.CheckSpace(0); err != nil {
			return 0, err
		}
	}
	n, err := g.w.Write(p)
	g.written += int64(n)
	return n, err
}

// diskFull marks a failed write to a full file system with ErrDiskFull,
// which the space check missed because other files grew meanwhile.
func diskFull(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	}
	return err
}
