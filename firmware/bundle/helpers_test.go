package bundle

import (
	"archive/tar"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"wenban/firmware/semver"
)

const testHardware = "hn-vw-2024"

// testKey derives a fixed key pair from seed, so fuzz corpora built from
// signed bundles stay valid across runs.
func testKey(seed byte) (ed25519.PublicKey, ed25519.PrivateKey) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	return priv.Public().(ed25519.PublicKey), priv
}

// testPart is a part's manifest entry together with its content.
type testPart struct {
	name, path string
	data       []byte
}

func (p testPart) part() Part {
	sum := sha256.Sum256(p.data)
	return Part{Name: p.name, Path: p.path, Size: int64(len(p.data)), SHA256: hex.EncodeToString(sum[:])}
}

func testParts() []testPart {
	rootfs := make([]byte, 3000)
	for i := range rootfs {
		rootfs[i] = byte(i * 7)
	}
	return []testPart{
		{name: RootfsPart, path: "parts/rootfs.img", data: rootfs},
		{name: "boot", path: "parts/boot.img", data: []byte("kernel and initrd")},
	}
}

func testManifest(parts []testPart) *Manifest {
	m := &Manifest{
		FormatVersion: FormatVersion,
		Product:       Product,
		Version:       semver.MustParse("1.3.0"),
		HardwareClass: testHardware,
		Created:       time.Date(2024, 5, 1, 8, 30, 0, 0, time.UTC),
	}
	for _, p := range parts {
		m.Parts = append(m.Parts, p.part())
	}
	return m
}

func testPolicy() Policy {
	return Policy{HardwareClass: testHardware, CurrentVersion: semver.MustParse("1.2.0")}
}

func marshalManifest(t testing.TB, m *Manifest) []byte {
	t.Helper()
	data, err := MarshalManifest(m)
	if err != nil {
		t.Fatalf("MarshalManifest: %v", err)
	}
	return data
}

// entry is one tar entry of a hand-built archive.
type entry struct {
	name     string
	typeflag byte
	linkname string
	data     []byte
	pax      map[string]string
}

// signedEntries returns the entries of a valid bundle: manifest, its
// signature by priv, and every part.
func signedEntries(t testing.TB, m *Manifest, parts []testPart, priv ed25519.PrivateKey) []entry {
	t.Helper()
	raw := marshalManifest(t, m)
	return append(leadingEntries(t, raw, priv), partEntries(parts)...)
}

// leadingEntries signs raw with ed25519 directly, so tests can sign
// manifests that Sign would refuse.
func leadingEntries(t testing.TB, raw []byte, priv ed25519.PrivateKey) []entry {
	t.Helper()
	sig := Signature{KeyID: KeyIDOf(priv.Public().(ed25519.PublicKey)), Value: ed25519.Sign(priv, raw)}
	rawSig, err := json.Marshal(sig)
	if err != nil {
		t.Fatalf("encoding signature: %v", err)
	}
	return []entry{{name: ManifestName, data: raw}, {name: SignatureName, data: rawSig}}
}

func partEntries(parts []testPart) []entry {
	var entries []entry
	for _, p := range parts {
		entries = append(entries, entry{name: p.path, data: p.data})
	}
	return entries
}

func tarBytes(t testing.TB, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		typeflag := e.typeflag
		if typeflag == 0 {
			typeflag = tar.TypeReg
		}
		hdr := &tar.Header{Typeflag: typeflag, Name: e.name, Linkname: e.linkname, Mode: 0o644, PAXRecords: e.pax}
		if typeflag == tar.TypeReg {
			hdr.Size = int64(len(e.data))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatalf("writing header %q: %v", e.name, err)
		}
		if _, err := tw.Write(e.data); err != nil {
			t.Fatalf("writing %q: %v", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatalf("closing tar: %v", err)
	}
	return buf.Bytes()
}

// openAndVerify runs Open and then Verify, returning the first error.
func openAndVerify(data []byte, trusted []ed25519.PublicKey, policy Policy) (*Bundle, error) {
	b, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	return b, Verify(b, trusted, policy)
}

// findHeader returns the offset of the 512-byte tar header naming name.
func findHeader(data []byte, name string) int {
	for off := 0; off+blockSize <= len(data); off += blockSize {
		if string(bytes.TrimRight(data[off:off+100], "\x00")) == name {
			return off
		}
	}
	panic("no tar header for " + name)
}

// setTypeflag rewrites the type flag of the header at off and fixes its
// checksum, producing entry types tar.Writer refuses to write.
func setTypeflag(data []byte, off int, flag byte) {
	hdr := data[off : off+blockSize]
	hdr[156] = flag
	copy(hdr[148:156], "        ")
	sum := 0
	for _, c := range hdr {
		sum += int(c)
	}
	copy(hdr[148:156], fmt.Sprintf("%06o\x00 ", sum))
}
