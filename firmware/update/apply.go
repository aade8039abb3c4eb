package update

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"wenban/firmware/bundle"
	"wenban/firmware/semver"
	"wenban/firmware/slot"
)

// Options changes what Apply accepts.
type Options struct {
	// AllowReinstall accepts a version equal to or older than the running
	// one, but never one below the floor.
	AllowReinstall bool
}

// Applied describes a finished install.
type Applied struct {
	Slot    slot.Slot
	Version semver.Version
	// Entry is the new boot entry's file name, with its try counter.
	Entry string
}

// Apply installs the bundle at path into the slot that is not running.
// It verifies the whole bundle against the trusted keys and the running
// root's hardware class, version and floor before it writes anything,
// then removes the target's boot entry, writes and reads back the root
// image, writes and reads back the kernel and initrd, and adds the new
// boot entry last with slot.BootTries tries. It refuses to run while the
// running boot still has tries left (ErrNotBlessed).
//
// When Apply fails after removing the old entry, the target slot has no
// entry and never boots; the running slot is untouched.
func Apply(ctx context.Context, t Terminal, path string, opts Options, log *slog.Logger) (Applied, error) {
	running, entries, err := t.checkWritable()
	if err != nil {
		return Applied{}, err
	}
	target := running.Other()

	b, err := t.openVerified(path, opts)
	if err != nil {
		return Applied{}, err
	}
	defer b.Close()
	version := b.Manifest().Version
	log.Info("update bundle verified", "version", version, "slot", target, "key_id", b.Signature().KeyID)

	options, err := runningOptions(t.ESP, entries[running])
	if err != nil {
		return Applied{}, err
	}
	if err := t.removeEntry(entries[target]); err != nil {
		return Applied{}, err
	}
	if err := t.writeRoot(ctx, b, target); err != nil {
		return Applied{}, err
	}
	log.Info("root slot written and read back", "slot", target, "version", version)

	if err := t.writeBootFiles(b, target); err != nil {
		return Applied{}, err
	}
	if err := writeJSON(filepath.Join(t.slotDir(target), releaseName), Release{Version: version, Installed: t.now()}); err != nil {
		return Applied{}, err
	}
	if err := t.writeResult(Result{Kind: ResultInstalled, Slot: target, Version: version, At: t.now()}); err != nil {
		return Applied{}, err
	}

	name := entryName(target, slot.BootTries)
	generation := max(entries[slot.A].Generation, entries[slot.B].Generation) + 1
	text := entryText(target, version.String(), generation, options)
	if err := writeFileAtomic(filepath.Join(t.ESP, entriesDir, name), []byte(text)); err != nil {
		return Applied{}, err
	}
	log.Info("boot entry added", "slot", target, "entry", name, "generation", generation)
	return Applied{Slot: target, Version: version, Entry: name}, nil
}

// checkWritable returns the running slot and the entries when the running
// boot is blessed, so the other slot may be overwritten.
func (t Terminal) checkWritable() (slot.Slot, map[slot.Slot]Entry, error) {
	running, err := t.RunningSlot()
	if err != nil {
		return "", nil, err
	}
	entries, err := readEntries(t.ESP)
	if err != nil {
		return "", nil, err
	}

	switch e := entries[running]; e.State {
	case EntryGood:
		return running, entries, nil
	case EntryNone:
		return "", nil, fmt.Errorf("%w: running slot %s has no boot entry in %s", ErrInvalidLayout, running, t.ESP)
	default:
		return "", nil, fmt.Errorf("%w: running slot %s entry %s is %s; wait for the health gate to bless it",
			ErrNotBlessed, running, e.Name, e.State)
	}
}

// openVerified opens the bundle and verifies signature, policy and every
// part, and checks that the boot parts are present.
func (t Terminal) openVerified(path string, opts Options) (*bundle.Bundle, error) {
	info, err := t.ReadInfo()
	if err != nil {
		return nil, err
	}
	keys, err := t.TrustedKeys()
	if err != nil {
		return nil, err
	}

	b, err := bundle.OpenFile(path)
	if err != nil {
		return nil, err
	}
	policy := bundle.Policy{
		HardwareClass:  info.HardwareClass,
		CurrentVersion: info.Version,
		FloorVersion:   info.VersionFloor,
		AllowReinstall: opts.AllowReinstall,
	}
	if err := bundle.Verify(b, keys, policy); err != nil {
		b.Close()
		return nil, fmt.Errorf("verifying bundle %s: %w", path, err)
	}

	m := b.Manifest()
	for _, name := range []string{KernelPart, InitrdPart} {
		if _, ok := m.Part(name); !ok {
			b.Close()
			return nil, fmt.Errorf("%w: bundle %s has no %q part", ErrMissingPart, path, name)
		}
	}
	return b, nil
}

// removeEntry deletes the target's boot entry before its slot changes, so
// a half-written slot is never offered to the boot loader.
func (t Terminal) removeEntry(e Entry) error {
	if e.State == EntryNone {
		return nil
	}
	dir := filepath.Join(t.ESP, entriesDir)
	if err := os.Remove(filepath.Join(dir, e.Name)); err != nil {
		return fmt.Errorf("removing boot entry of slot %s: %w", e.Slot, err)
	}
	return syncDir(dir)
}

func (t Terminal) writeRoot(ctx context.Context, b *bundle.Bundle, target slot.Slot) error {
	path := t.Devices[target]
	if path == "" {
		return fmt.Errorf("%w: no device configured for slot %s", ErrInvalidLayout, target)
	}
	dev, err := slot.OpenFileDevice(path, target)
	if err != nil {
		return err
	}
	defer dev.Close()
	return slot.Install(ctx, b, dev)
}

func (t Terminal) writeBootFiles(b *bundle.Bundle, target slot.Slot) error {
	dir := t.slotDir(target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	for name, file := range map[string]string{KernelPart: kernelName, InitrdPart: initrdName} {
		src, part, err := b.OpenPart(name)
		if err != nil {
			return err
		}
		if err := copyVerified(filepath.Join(dir, file), src, part); err != nil {
			return err
		}
	}
	return nil
}
