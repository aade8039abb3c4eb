package update

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"wenban/firmware/bundle"
	"wenban/firmware/semver"
	"wenban/firmware/slot"
)

// SeedOptions describe the factory install of one slot on a new ESP.
type SeedOptions struct {
	Slot    slot.Slot
	Version semver.Version
	// Kernel and Initrd are files to copy to the slot's folder.
	Kernel, Initrd string
	// KernelOptions are added to the root device and slot options.
	KernelOptions string
}

// Seed writes a slot's kernel, initrd, release record and a blessed boot
// entry into the ESP folder esp, for the image build. The entry has no
// try counter because the factory image counts as good.
func Seed(esp string, opts SeedOptions) error {
	if _, err := slot.ParseSlot(string(opts.Slot)); err != nil {
		return err
	}
	t := Terminal{ESP: esp}
	for src, name := range map[string]string{opts.Kernel: kernelName, opts.Initrd: initrdName} {
		if err := copyFile(filepath.Join(t.slotDir(opts.Slot), name), src); err != nil {
			return err
		}
	}

	if err := writeJSON(filepath.Join(t.slotDir(opts.Slot), releaseName), Release{Version: opts.Version, Installed: t.now()}); err != nil {
		return err
	}
	text := entryText(opts.Slot, opts.Version.String(), 1, opts.KernelOptions)
	return writeFileAtomic(filepath.Join(esp, entriesDir, entryName(opts.Slot, 0)), []byte(text))
}

func copyFile(dst, src string) error {
	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("opening %s: %w", src, err)
	}
	defer f.Close()

	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return fmt.Errorf("reading %s: %w", src, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("rewinding %s: %w", src, err)
	}
	return copyVerified(dst, f, bundle.Part{Name: filepath.Base(src), Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
}
