package bundle

import (
	"crypto/ed25519"
	"fmt"

	"wenban/firmware/semver"
)

// Policy decides which signed bundles a device accepts.
type Policy struct {
	// HardwareClass is the device's hardware class. It is required and
	// must equal the manifest's hardware_class.
	HardwareClass string
	// CurrentVersion is the version the device runs now. It is required.
	CurrentVersion semver.Version
	// FloorVersion is the lowest version ever accepted, even with
	// AllowReinstall. The zero value means no floor.
	FloorVersion semver.Version
	// AllowReinstall accepts a version equal to or older than
	// CurrentVersion, down to FloorVersion. When false, only newer
	// versions are accepted, so an old signed bundle cannot be replayed.
	AllowReinstall bool
}

// Verify checks that b is signed by one of the trusted keys, that policy
// admits it, and that every part matches the manifest. The checks run in
// that order, so an unsigned or unwanted bundle is rejected before its
// parts are read. Verify writes nothing. On success b.OpenPart works.
//
// Two or more trusted keys allow a key rotation: bundles signed by the old
// and the new key are both accepted until the old key is removed.
func Verify(b *Bundle, trusted []ed25519.PublicKey, policy Policy) error {
	b.parts = nil

	if err := checkSignature(b.rawManifest, b.signature, trusted); err != nil {
		return err
	}
	if err := policy.check(b.manifest); err != nil {
		return err
	}

	offsets, err := b.scan()
	if err != nil {
		return err
	}
	b.parts = offsets
	return nil
}

// checkSignature finds the trusted key with the signature's KeyID and
// checks the signature over the exact manifest bytes.
func checkSignature(manifest []byte, sig Signature, trusted []ed25519.PublicKey) error {
	if len(trusted) == 0 {
		return ErrNoTrustedKeys
	}

	for _, pub := range trusted {
		if len(pub) != ed25519.PublicKeySize || KeyIDOf(pub) != sig.KeyID {
			continue
		}
		if !ed25519.Verify(pub, manifest, sig.Value) {
			return fmt.Errorf("%w: key %s", ErrBadSignature, sig.KeyID)
		}
		return nil
	}
	return fmt.Errorf("%w: key %s", ErrUnknownKey, sig.KeyID)
}

func (p Policy) check(m *Manifest) error {
	if p.HardwareClass == "" {
		return fmt.Errorf("%w: HardwareClass is empty", ErrInvalidPolicy)
	}
	if p.CurrentVersion.IsZero() {
		return fmt.Errorf("%w: CurrentVersion is unset", ErrInvalidPolicy)
	}

	if m.HardwareClass != p.HardwareClass {
		return fmt.Errorf("%w: bundle is for %q, device is %q", ErrWrongHardware, m.HardwareClass, p.HardwareClass)
	}
	if !p.FloorVersion.IsZero() && m.Version.Less(p.FloorVersion) {
		return fmt.Errorf("%w: bundle version %s, floor %s", ErrBelowFloor, m.Version, p.FloorVersion)
	}
	if m.MinFromVersion != nil && p.CurrentVersion.Less(*m.MinFromVersion) {
		return fmt.Errorf("%w: device runs %s, bundle needs at least %s", ErrUpgradePath, p.CurrentVersion, m.MinFromVersion)
	}
	if !p.AllowReinstall && semver.Compare(m.Version, p.CurrentVersion) <= 0 {
		return fmt.Errorf("%w: bundle version %s, device runs %s", ErrNotNewer, m.Version, p.CurrentVersion)
	}
	return nil
}
