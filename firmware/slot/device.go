package slot

import (
	"fmt"
	"io"
	"os"
)

// SlotDevice is the storage behind one root slot: a partition on the
// terminal, a file in tests.
type SlotDevice interface {
	io.ReaderAt
	io.WriterAt
	// Size returns the device capacity in bytes.
	Size() int64
	// Sync makes written data durable and, where possible, drops cached
	// copies so a following read comes from the medium.
	Sync() error
	// Slot returns which slot the device holds. Apply compares it with the
	// state, so a wrong device path cannot overwrite the active slot.
	Slot() Slot
}

// FileDevice is a SlotDevice backed by a regular file or a block device
// node.
type FileDevice struct {
	file *os.File
	slot Slot
	size int64
}

// OpenFileDevice opens an existing file or block device for slot. The
// size is fixed at open: a block device's capacity or a file's length.
func OpenFileDevice(path string, slot Slot) (*FileDevice, error) {
	if _, err := ParseSlot(string(slot)); err != nil {
		return nil, err
	}

	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("opening slot %s device %s: %w", slot, path, err)
	}

	// Seeking to the end works for block devices, where Stat reports 0.
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("measuring slot %s device %s: %w", slot, path, err)
	}
	return &FileDevice{file: f, slot: slot, size: size}, nil
}

// ReadAt reads from the device.
func (d *FileDevice) ReadAt(p []byte, off int64) (int, error) { return d.file.ReadAt(p, off) }

// WriteAt writes to the device. It fails rather than grow a file past
// the size measured at open.
func (d *FileDevice) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || off+int64(len(p)) > d.size {
		return 0, fmt.Errorf("writing slot %s: %d bytes at offset %d exceed device size %d", d.slot, len(p), off, d.size)
	}
	return d.file.WriteAt(p, off)
}

// Size returns the capacity measured at open.
func (d *FileDevice) Size() int64 { return d.size }

// Slot returns the slot given at open.
func (d *FileDevice) Slot() Slot { return d.slot }

// Sync flushes the device and drops its pages from the page cache.
func (d *FileDevice) Sync() error {
	if err := d.file.Sync(); err != nil {
		return fmt.Errorf("syncing slot %s: %w", d.slot, err)
	}
	if err := dropCache(d.file); err != nil {
		return fmt.Errorf("dropping page cache of slot %s: %w", d.slot, err)
	}
	return nil
}

// Close closes the device.
func (d *FileDevice) Close() error { return d.file.Close() }
