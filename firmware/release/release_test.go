package release

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"wenban/firmware/bundle"
	"wenban/firmware/semver"
)

func TestBuildVerifies(t *testing.T) {
	dir := t.TempDir()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{5}, ed25519.SeedSize))
	root := filepath.Join(dir, "rootfs.erofs")
	kernel := filepath.Join(dir, "vmlinuz")
	if err := os.WriteFile(root, bytes.Repeat([]byte("r"), 5000), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kernel, []byte("kernel"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "update.tar")

	m, err := Build(out, Spec{
		Version:       semver.MustParse("1.2.0"),
		HardwareClass: "qemu-x86-64",
		Created:       time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC),
		Parts:         []File{{Name: bundle.RootfsPart, Path: root}, {Name: "kernel", Path: kernel}},
	}, priv)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if got := m.Parts[0].Path; got != "parts/rootfs.erofs" {
		t.Errorf("got rootfs path %q, want parts/rootfs.erofs", got)
	}

	b, err := bundle.OpenFile(out)
	if err != nil {
		t.Fatalf("OpenFile: %v", err)
	}
	defer b.Close()
	policy := bundle.Policy{HardwareClass: "qemu-x86-64", CurrentVersion: semver.MustParse("1.0.0")}
	if err := bundle.Verify(b, []ed25519.PublicKey{priv.Public().(ed25519.PublicKey)}, policy); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestBuildRejectsMissingRootfs(t *testing.T) {
	dir := t.TempDir()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{5}, ed25519.SeedSize))
	kernel := filepath.Join(dir, "vmlinuz")
	if err := os.WriteFile(kernel, []byte("kernel"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "update.tar")

	_, err := Build(out, Spec{
		Version: semver.MustParse("1.2.0"), HardwareClass: "qemu-x86-64", Created: time.Now(),
		Parts: []File{{Name: "kernel", Path: kernel}},
	}, priv)
	if !errors.Is(err, bundle.ErrInvalidManifest) {
		t.Fatalf("got error %v, want ErrInvalidManifest", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("got bundle file after a failed build (stat error %v)", err)
	}
}
