package update

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wenban/firmware/bundle"
	"wenban/firmware/semver"
	"wenban/firmware/slot"
)

const (
	testHardware = "qemu-x86-64"
	testOptions  = "console=ttyS0,115200 panic=10"
	slotSize     = 64 << 10
)

var (
	trustedKey   = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	untrustedKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, ed25519.SeedSize))
)

// bundleSpec is the content of a test bundle.
type bundleSpec struct {
	version  string
	hardware string
	key      ed25519.PrivateKey
	// parts maps part name to content; nil means rootfs, kernel and initrd.
	parts map[string][]byte
}

func defaultParts(version string) map[string][]byte {
	return map[string][]byte{
		bundle.RootfsPart: bytes.Repeat([]byte("root-"+version), 1000),
		KernelPart:        []byte("kernel " + version),
		InitrdPart:        []byte("initrd " + version),
	}
}

// writeBundle signs a bundle for spec into dir and returns its path.
func writeBundle(t *testing.T, dir string, spec bundleSpec) string {
	t.Helper()
	if spec.hardware == "" {
		spec.hardware = testHardware
	}
	if spec.key == nil {
		spec.key = trustedKey
	}
	if spec.parts == nil {
		spec.parts = defaultParts(spec.version)
	}

	var parts []bundle.Part
	for _, name := range []string{bundle.RootfsPart, KernelPart, InitrdPart} {
		data, ok := spec.parts[name]
		if !ok {
			continue
		}
		p, err := bundle.HashPart(name, "parts/"+name, bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, p)
	}
	raw, err := bundle.MarshalManifest(&bundle.Manifest{
		FormatVersion: bundle.FormatVersion,
		Product:       bundle.Product,
		Version:       semver.MustParse(spec.version),
		HardwareClass: spec.hardware,
		Created:       time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC),
		Parts:         parts,
	})
	if err != nil {
		t.Fatal(err)
	}
	sig, err := bundle.Sign(raw, spec.key)
	if err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(dir, "bundle-"+spec.version+".tar")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	open := func(p bundle.Part) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(spec.parts[p.Name])), nil
	}
	if err := bundle.Write(f, raw, sig, open); err != nil {
		t.Fatal(err)
	}
	return path
}

// newTerminal lays out a terminal in a temporary folder: slot A seeded
// with version 1.0.0 and running, slot B an empty device file.
func newTerminal(t *testing.T) Terminal {
	t.Helper()
	root := t.TempDir()
	term := Terminal{
		ESP: filepath.Join(root, "efi"),
		Devices: map[slot.Slot]string{
			slot.A: filepath.Join(root, "root-a.img"),
			slot.B: filepath.Join(root, "root-b.img"),
		},
		CmdlinePath: filepath.Join(root, "cmdline"),
		InfoPath:    filepath.Join(root, "firmware.json"),
		KeysPath:    filepath.Join(root, "keys.pem"),
		Now:         func() time.Time { return time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC) },
	}
	for _, dev := range term.Devices {
		if err := os.WriteFile(dev, make([]byte, slotSize), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	kernel := filepath.Join(root, "vmlinuz")
	initrd := filepath.Join(root, "initrd.img")
	writeFile(t, kernel, "kernel 1.0.0")
	writeFile(t, initrd, "initrd 1.0.0")
	err := Seed(term.ESP, SeedOptions{
		Slot: slot.A, Version: semver.MustParse("1.0.0"),
		Kernel: kernel, Initrd: initrd, KernelOptions: testOptions,
	})
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}

	setRunning(t, term, slot.A)
	setInfo(t, term, "1.0.0", "1.0.0")
	pub, err := bundle.MarshalPublicKey(trustedKey.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	next, err := bundle.MarshalPublicKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, ed25519.SeedSize)).Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, term.KeysPath, string(pub)+string(next))
	return term
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// setRunning writes a kernel command line that booted s.
func setRunning(t *testing.T, term Terminal, s slot.Slot) {
	t.Helper()
	writeFile(t, term.CmdlinePath, "root=/dev/disk/by-partlabel/wenban-root-"+strings.ToLower(string(s))+
		" ro wenban.slot="+string(s)+" quiet\n")
}

func setInfo(t *testing.T, term Terminal, version, floor string) {
	t.Helper()
	data, err := json.Marshal(map[string]any{"version": version, "hardware_class": testHardware, "version_floor": floor})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, term.InfoPath, string(data))
}

// bootTry renames the entry of s the way systemd-boot does when it starts
// it: one try moves from "left" to "done".
func bootTry(t *testing.T, term Terminal, s slot.Slot) {
	t.Helper()
	e := entryOf(t, term, s)
	if e.State != EntryPending {
		t.Fatalf("boot try of slot %s: entry %s is %s, want pending", s, e.Name, e.State)
	}
	next := entryNameWithCounter(s, e.TriesLeft-1, e.TriesDone+1)
	renameEntry(t, term, e.Name, next)
}

// bless renames the entry of s the way systemd-bless-boot does.
func bless(t *testing.T, term Terminal, s slot.Slot) {
	t.Helper()
	renameEntry(t, term, entryOf(t, term, s).Name, entryName(s, 0))
}

func entryNameWithCounter(s slot.Slot, left, done int) string {
	return fmt.Sprintf("wenban-%s+%d-%d.conf", strings.ToLower(string(s)), left, done)
}

func renameEntry(t *testing.T, term Terminal, from, to string) {
	t.Helper()
	dir := filepath.Join(term.ESP, entriesDir)
	if err := os.Rename(filepath.Join(dir, from), filepath.Join(dir, to)); err != nil {
		t.Fatal(err)
	}
}

func entryOf(t *testing.T, term Terminal, s slot.Slot) Entry {
	t.Helper()
	entries, err := readEntries(term.ESP)
	if err != nil {
		t.Fatalf("readEntries: %v", err)
	}
	return entries[s]
}

func readDevice(t *testing.T, path string, n int) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data[:n]
}
