package bundle

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"

	"wenban/firmware/semver"
)

func TestVerifySignature(t *testing.T) {
	oldPub, oldPriv := testKey(1)
	newPub, newPriv := testKey(2)
	_, unknownPriv := testKey(3)
	parts := testParts()
	m := testManifest(parts)
	raw := marshalManifest(t, m)

	signedBy := func(priv ed25519.PrivateKey) []byte {
		return tarBytes(t, signedEntries(t, m, parts, priv))
	}
	// The signature of the real manifest, attached to an edited manifest.
	tampered := bytes.Replace(raw, []byte(`"1.3.0"`), []byte(`"1.4.0"`), 1)
	oldSig := leadingEntries(t, raw, oldPriv)[1]
	tamperedBundle := tarBytes(t, append([]entry{{name: ManifestName, data: tampered}, oldSig}, partEntries(parts)...))
	// A signature by the unknown key under the trusted key's id.
	forged := leadingEntries(t, raw, unknownPriv)[1]
	forged.data = bytes.Replace(forged.data, []byte(KeyIDOf(unknownPriv.Public().(ed25519.PublicKey))), []byte(KeyIDOf(oldPub)), 1)
	forgedBundle := tarBytes(t, append([]entry{{name: ManifestName, data: raw}, forged}, partEntries(parts)...))

	rotation := []ed25519.PublicKey{oldPub, newPub}
	tests := []struct {
		name    string
		archive []byte
		trusted []ed25519.PublicKey
		want    error
	}{
		{"first key", signedBy(oldPriv), rotation, nil},
		{"second key", signedBy(newPriv), rotation, nil},
		{"second key listed first", signedBy(newPriv), []ed25519.PublicKey{newPub, oldPub}, nil},
		{"retired key", signedBy(oldPriv), []ed25519.PublicKey{newPub}, ErrUnknownKey},
		{"unknown key", signedBy(unknownPriv), rotation, ErrUnknownKey},
		{"tampered manifest", tamperedBundle, rotation, ErrBadSignature},
		{"forged key id", forgedBundle, rotation, ErrBadSignature},
		{"no trusted keys", signedBy(oldPriv), nil, ErrNoTrustedKeys},
		{"malformed trusted key", signedBy(oldPriv), []ed25519.PublicKey{oldPub[:16]}, ErrUnknownKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := openAndVerify(tt.archive, tt.trusted, testPolicy())
			if !errors.Is(err, tt.want) {
				t.Fatalf("got error %v, want %v", err, tt.want)
			}
			if got := b.Verified(); got != (tt.want == nil) {
				t.Errorf("Verified(): got %t, want %t", got, tt.want == nil)
			}
		})
	}
}

func TestVerifyPolicy(t *testing.T) {
	pub, priv := testKey(1)
	parts := testParts()
	v := semver.MustParse

	tests := []struct {
		name    string
		version string
		minFrom string
		policy  Policy
		want    error
	}{
		{"newer", "1.3.0", "", Policy{HardwareClass: testHardware, CurrentVersion: v("1.2.0")}, nil},
		{"numeric not lexical", "1.10.0", "", Policy{HardwareClass: testHardware, CurrentVersion: v("1.9.0")}, nil},
		{"release after its prerelease", "1.3.0", "", Policy{HardwareClass: testHardware, CurrentVersion: v("1.3.0-rc.2")}, nil},
		{"replay of current", "1.3.0", "", Policy{HardwareClass: testHardware, CurrentVersion: v("1.3.0")}, ErrNotNewer},
		{"replay ignores build", "1.3.0+rebuild", "", Policy{HardwareClass: testHardware, CurrentVersion: v("1.3.0")}, ErrNotNewer},
		{"replay of older", "1.2.9", "", Policy{HardwareClass: testHardware, CurrentVersion: v("1.3.0")}, ErrNotNewer},
		{"reinstall current", "1.3.0", "", Policy{HardwareClass: testHardware, CurrentVersion: v("1.3.0"), AllowReinstall: true}, nil},
		{"reinstall older above floor", "1.2.0", "", Policy{HardwareClass: testHardware, CurrentVersion: v("1.3.0"), FloorVersion: v("1.1.0"), AllowReinstall: true}, nil},
		{"reinstall below floor", "1.0.0", "", Policy{HardwareClass: testHardware, CurrentVersion: v("1.3.0"), FloorVersion: v("1.1.0"), AllowReinstall: true}, ErrBelowFloor},
		{"at floor", "1.1.0", "", Policy{HardwareClass: testHardware, CurrentVersion: v("1.0.0"), FloorVersion: v("1.1.0")}, nil},
		{"newer but below floor", "1.1.0", "", Policy{HardwareClass: testHardware, CurrentVersion: v("1.0.0"), FloorVersion: v("1.2.0")}, ErrBelowFloor},
		{"upgrade path met", "2.0.0", "1.5.0", Policy{HardwareClass: testHardware, CurrentVersion: v("1.5.0")}, nil},
		{"upgrade path not met", "2.0.0", "1.5.0", Policy{HardwareClass: testHardware, CurrentVersion: v("1.4.9")}, ErrUpgradePath},
		{"wrong hardware", "1.3.0", "", Policy{HardwareClass: "hn-vw-2025", CurrentVersion: v("1.2.0")}, ErrWrongHardware},
		{"no hardware class", "1.3.0", "", Policy{CurrentVersion: v("1.2.0")}, ErrInvalidPolicy},
		{"no current version", "1.3.0", "", Policy{HardwareClass: testHardware}, ErrInvalidPolicy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testManifest(parts)
			m.Version = v(tt.version)
			if tt.minFrom != "" {
				from := v(tt.minFrom)
				m.MinFromVersion = &from
			}
			archive := tarBytes(t, signedEntries(t, m, parts, priv))

			_, err := openAndVerify(archive, []ed25519.PublicKey{pub}, tt.policy)
			if !errors.Is(err, tt.want) {
				t.Errorf("got error %v, want %v", err, tt.want)
			}
		})
	}
}

// TestVerifyChecksSignatureFirst makes sure an unsigned bundle is
// rejected for its signature, not for the parts after it, so no part of
// an untrusted bundle is read.
func TestVerifyChecksSignatureFirst(t *testing.T) {
	pub, _ := testKey(1)
	_, unknownPriv := testKey(3)
	parts := testParts()
	data := tarBytes(t, signedEntries(t, testManifest(parts), parts, unknownPriv))
	src := &highWaterReader{r: bytes.NewReader(data)}

	b, err := Open(src, int64(len(data)))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	callsByOpen := src.calls
	if err := Verify(b, []ed25519.PublicKey{pub}, testPolicy()); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("got error %v, want ErrUnknownKey", err)
	}
	if src.calls != callsByOpen {
		t.Errorf("Verify made %d reads, want 0", src.calls-callsByOpen)
	}
}
