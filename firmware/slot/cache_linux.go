package slot

import (
	"os"

	"golang.org/x/sys/unix"
)

// dropCache evicts the file's clean pages from the page cache, so the
// read-back in Apply reads the device rather than the copy just written.
func dropCache(f *os.File) error {
	return unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}
