package update

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wenban/firmware/bundle"
	"wenban/firmware/slot"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestApplyWritesInactiveSlot(t *testing.T) {
	term := newTerminal(t)
	path := writeBundle(t, t.TempDir(), bundleSpec{version: "1.1.0"})

	got, err := Apply(context.Background(), term, path, Options{}, discard)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}

	if got.Slot != slot.B {
		t.Errorf("got slot %s, want B", got.Slot)
	}
	if got.Entry != "wenban-b+3.conf" {
		t.Errorf("got entry %q, want wenban-b+3.conf", got.Entry)
	}
	root := defaultParts("1.1.0")[bundle.RootfsPart]
	if dev := readDevice(t, term.Devices[slot.B], len(root)); !bytes.Equal(dev, root) {
		t.Errorf("slot B device does not hold the bundle's rootfs")
	}
	kernel, err := os.ReadFile(filepath.Join(term.ESP, "wenban/B/vmlinuz"))
	if err != nil || string(kernel) != "kernel 1.1.0" {
		t.Errorf("got slot B kernel %q (%v), want %q", kernel, err, "kernel 1.1.0")
	}

	entry, err := os.ReadFile(filepath.Join(term.ESP, entriesDir, "wenban-b+3.conf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"version 2\n",
		"linux /wenban/B/vmlinuz\n",
		"options root=/dev/disk/by-partlabel/wenban-root-b rootfstype=erofs ro wenban.slot=B " + testOptions + "\n",
	} {
		if !strings.Contains(string(entry), want) {
			t.Errorf("entry lacks %q; got:\n%s", want, entry)
		}
	}
}

func TestApplyRejectsBeforeWriting(t *testing.T) {
	tests := []struct {
		name string
		spec bundleSpec
		// floor is the terminal's version floor, "1.0.0" when empty.
		floor   string
		reinst  bool
		wantErr error
	}{
		{"untrusted key", bundleSpec{version: "1.1.0", key: untrustedKey}, "", false, bundle.ErrUnknownKey},
		{"wrong hardware class", bundleSpec{version: "1.1.0", hardware: "hn-vw-2024"}, "", false, bundle.ErrWrongHardware},
		{"replayed old version", bundleSpec{version: "0.9.0"}, "0.1.0", false, bundle.ErrNotNewer},
		{"same version", bundleSpec{version: "1.0.0"}, "", false, bundle.ErrNotNewer},
		{"reinstall below floor", bundleSpec{version: "0.9.0"}, "0.9.5", true, bundle.ErrBelowFloor},
		{"missing kernel", bundleSpec{version: "1.1.0", parts: map[string][]byte{
			bundle.RootfsPart: []byte("root"), InitrdPart: []byte("initrd"),
		}}, "", false, ErrMissingPart},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			term := newTerminal(t)
			if tt.floor != "" {
				setInfo(t, term, "1.0.0", tt.floor)
			}
			path := writeBundle(t, t.TempDir(), tt.spec)

			_, err := Apply(context.Background(), term, path, Options{AllowReinstall: tt.reinst}, discard)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if dev := readDevice(t, term.Devices[slot.B], slotSize); !bytes.Equal(dev, make([]byte, slotSize)) {
				t.Errorf("slot B device was written")
			}
			if e := entryOf(t, term, slot.B); e.State != EntryNone {
				t.Errorf("got slot B entry %s, want none", e.Name)
			}
		})
	}
}

func TestApplyTruncatedBundle(t *testing.T) {
	term := newTerminal(t)
	path := writeBundle(t, t.TempDir(), bundleSpec{version: "1.1.0"})
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, info.Size()-2048); err != nil {
		t.Fatal(err)
	}

	_, err = Apply(context.Background(), term, path, Options{}, discard)
	if !errors.Is(err, bundle.ErrTruncated) {
		t.Fatalf("got error %v, want ErrTruncated", err)
	}
	if e := entryOf(t, term, slot.B); e.State != EntryNone {
		t.Errorf("got slot B entry %s, want none", e.Name)
	}
}

func TestApplyRefusesUnblessedBoot(t *testing.T) {
	term := newTerminal(t)
	dir := t.TempDir()
	if _, err := Apply(context.Background(), term, writeBundle(t, dir, bundleSpec{version: "1.1.0"}), Options{}, discard); err != nil {
		t.Fatalf("Apply 1.1.0: %v", err)
	}
	bootTry(t, term, slot.B)
	setRunning(t, term, slot.B)
	setInfo(t, term, "1.1.0", "1.0.0")

	_, err := Apply(context.Background(), term, writeBundle(t, dir, bundleSpec{version: "1.2.0"}), Options{}, discard)
	if !errors.Is(err, ErrNotBlessed) {
		t.Fatalf("got error %v, want ErrNotBlessed", err)
	}
	if e := entryOf(t, term, slot.A); e.State != EntryGood {
		t.Errorf("got slot A entry %s (%s), want the good entry kept", e.Name, e.State)
	}
}

func TestApplyAfterBlessWritesOldSlot(t *testing.T) {
	term := newTerminal(t)
	dir := t.TempDir()
	if _, err := Apply(context.Background(), term, writeBundle(t, dir, bundleSpec{version: "1.1.0"}), Options{}, discard); err != nil {
		t.Fatalf("Apply 1.1.0: %v", err)
	}
	bootTry(t, term, slot.B)
	setRunning(t, term, slot.B)
	bless(t, term, slot.B)
	setInfo(t, term, "1.1.0", "1.0.0")

	got, err := Apply(context.Background(), term, writeBundle(t, dir, bundleSpec{version: "1.2.0"}), Options{}, discard)
	if err != nil {
		t.Fatalf("Apply 1.2.0: %v", err)
	}
	if got.Slot != slot.A {
		t.Errorf("got slot %s, want A", got.Slot)
	}
	if e := entryOf(t, term, slot.A); e.Generation != 3 || e.State != EntryPending {
		t.Errorf("got slot A entry generation %d state %s, want 3 pending", e.Generation, e.State)
	}
	if e := entryOf(t, term, slot.B); e.State != EntryGood {
		t.Errorf("got slot B entry state %s, want good", e.State)
	}
}
