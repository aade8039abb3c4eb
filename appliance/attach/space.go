package attach

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// CheckSpace returns ErrDiskFull when writing size more bytes would leave
// the blob folder's file system with less than the configured free
// space. Renditions and previews are small beside their upload, so the
// upload's limit stands for all of them.
func (s *Store) CheckSpace(size int64) error {
	if s.minFree < 0 {
		return nil
	}
	var st unix.Statfs_t
	if err := unix.Statfs(s.dir, &st); err != nil {
		return fmt.Errorf("checking free space of %s: %w", s.dir, err)
	}
	free := int64(st.Bavail) * int64(st.Bsize)
	if free-size < s.minFree {
		s.log.Warn("attachment rejected, disk nearly full", "dir", s.dir, "free_bytes", free, "keep_bytes", s.minFree)
		return fmt.Errorf("%d bytes free in %s, %d needed: %w", free, s.dir, size+s.minFree, ErrDiskFull)
	}
	return nil
}
