//go:build unix

package slot

import (
	"fmt"
	"os"
	"syscall"
)

// lock takes an exclusive advisory lock on statePath+".lock", blocking
// until it is free, and returns the function that releases it. The lock
// file is separate because the state file itself is replaced on every
// save, and a lock on a replaced inode protects nothing.
func lock(statePath string) (func(), error) {
	path := statePath + ".lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening slot state lock %s: %w", path, err)
	}

	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking slot state %s: %w", path, err)
	}
	// Closing the descriptor releases the lock.
	return func() { f.Close() }, nil
}
