package bundle

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"
)

// FuzzOpenBundle feeds arbitrary archives to Open and Verify. Nothing may
// panic, and a bundle that passes Verify must carry one of the manifests
// the test signed (an ed25519 forgery is out of reach), and every part it
// hands out must match the manifest's digest.
func FuzzOpenBundle(f *testing.F) {
	pub1, priv1 := testKey(1)
	pub2, priv2 := testKey(2)
	_, priv3 := testKey(3)
	trusted := []ed25519.PublicKey{pub1, pub2}

	parts := []testPart{
		{name: RootfsPart, path: "parts/rootfs.img", data: bytes.Repeat([]byte("rootfs"), 100)},
		{name: "boot", path: "boot.img", data: []byte("boot")},
	}
	m := testManifest(parts)
	signed := [][]byte{marshalManifest(f, m)}

	f.Add(tarBytes(f, signedEntries(f, m, parts, priv1)))
	f.Add(tarBytes(f, signedEntries(f, m, parts, priv2)))
	f.Add(tarBytes(f, signedEntries(f, m, parts, priv3)))
	f.Add(tarBytes(f, signedEntries(f, m, parts[:1], priv1)))
	f.Add(tarBytes(f, append(signedEntries(f, m, parts, priv1), entry{name: "x", data: []byte("x")})))
	f.Add([]byte{})
	f.Add(make([]byte, 1024))

	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		policy := testPolicy()
		if err := Verify(b, trusted, policy); err != nil {
			return
		}

		raw := b.RawManifest()
		if !containsBytes(signed, raw) {
			t.Fatalf("Verify accepted a manifest the test never signed:\n%s", raw)
		}
		if !ed25519.Verify(pub1, raw, b.Signature().Value) && !ed25519.Verify(pub2, raw, b.Signature().Value) {
			t.Fatalf("Verify accepted a signature no trusted key made")
		}
		for _, p := range b.Manifest().Parts {
			checkPartDigest(t, b, p)
		}
	})
}

func checkPartDigest(t *testing.T, b *Bundle, p Part) {
	t.Helper()
	r, _, err := b.OpenPart(p.Name)
	if err != nil {
		t.Fatalf("OpenPart(%q) after Verify: %v", p.Name, err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		t.Fatalf("reading part %q: %v", p.Name, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != p.SHA256 {
		t.Fatalf("part %q: got sha256 %s, manifest says %s", p.Name, got, p.SHA256)
	}
}

func containsBytes(list [][]byte, b []byte) bool {
	for _, item := range list {
		if bytes.Equal(item, b) {
			return true
		}
	}
	return false
}
