package slot

import (
	"bytes"
	"crypto/ed25519"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"wenban/firmware/bundle"
	"wenban/firmware/semver"
)

const testHardware = "hn-vw-2024"

// testImage returns a rootfs image of n bytes with a recognisable pattern.
func testImage(n int) []byte {
	image := make([]byte, n)
	for i := range image {
		image[i] = byte(i*31 + i/256)
	}
	return image
}

// testBundle builds and signs a bundle holding rootfs at version.
func testBundle(t *testing.T, version string, rootfs []byte) []byte {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))

	part, err := bundle.HashPart(bundle.RootfsPart, "rootfs.img", bytes.NewReader(rootfs))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := bundle.MarshalManifest(&bundle.Manifest{
		FormatVersion: bundle.FormatVersion,
		Product:       bundle.Product,
		Version:       semver.MustParse(version),
		HardwareClass: testHardware,
		Created:       time.Date(2024, 6, 1, 9, 0, 0, 0, time.UTC),
		Parts:         []bundle.Part{part},
	})
	if err != nil {
		t.Fatal(err)
	}
	sig, err := bundle.Sign(raw, priv)
	if err != nil {
		t.Fatal(err)
	}

	var buf bytes.Buffer
	open := func(bundle.Part) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(rootfs)), nil }
	if err := bundle.Write(&buf, raw, sig, open); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// verifiedBundle opens and verifies data as a device running current.
func verifiedBundle(t *testing.T, src io.ReaderAt, size int64, current string) *bundle.Bundle {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	b, err := bundle.Open(src, size)
	if err != nil {
		t.Fatalf("bundle.Open: %v", err)
	}
	policy := bundle.Policy{HardwareClass: testHardware, CurrentVersion: semver.MustParse(current)}
	if err := bundle.Verify(b, []ed25519.PublicKey{priv.Public().(ed25519.PublicKey)}, policy); err != nil {
		t.Fatalf("bundle.Verify: %v", err)
	}
	return b
}

// newDevice creates a zero-filled file of size bytes and opens it as slot.
func newDevice(t *testing.T, slot Slot, size int64) *FileDevice {
	t.Helper()
	path := filepath.Join(t.TempDir(), "slot-"+string(slot)+".img")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
	dev, err := OpenFileDevice(path, slot)
	if err != nil {
		t.Fatalf("OpenFileDevice: %v", err)
	}
	t.Cleanup(func() { dev.Close() })
	return dev
}

// newState provisions a state file with slot A good at version.
func newState(t *testing.T, version string) *State {
	t.Helper()
	state, err := Create(filepath.Join(t.TempDir(), "state.json"), A, semver.MustParse(version))
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return state
}

// readDevice returns the first n bytes of dev.
func readDevice(t *testing.T, dev SlotDevice, n int) []byte {
	t.Helper()
	buf := make([]byte, n)
	if _, err := dev.ReadAt(buf, 0); err != nil {
		t.Fatalf("reading device: %v", err)
	}
	return buf
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func checkRecord(t *testing.T, state *State, slot Slot, want Record) {
	t.Helper()
	got := state.Record(slot)
	if got.Version != want.Version || got.Status != want.Status || got.TriesLeft != want.TriesLeft {
		t.Errorf("slot %s: got %s %s tries %d, want %s %s tries %d",
			slot, got.Version, got.Status, got.TriesLeft, want.Version, want.Status, want.TriesLeft)
	}
}
