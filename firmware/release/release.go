// Package release builds signed update bundles from files on the offline
// signing host. It hashes the parts, writes and signs the manifest, and
// writes the bundle. Then it verifies the written bundle with the signing
// key's own public key before it reports success.
package release

import (
	"crypto/ed25519"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"time"

	"wenban/firmware/bundle"
	"wenban/firmware/semver"
)

// File is one part of a bundle to build: its manifest name and the file
// holding its content.
type File struct {
	Name string
	Path string
}

// Spec is what a bundle declares.
type Spec struct {
	Version        semver.Version
	HardwareClass  string
	MinFromVersion *semver.Version
	Created        time.Time
	Parts          []File
}

// Build writes the bundle for spec to out, signed with priv, and returns
// its manifest. Each part is stored as parts/<name> plus the source
// file's extension. out is written through a temporary file and renamed
// only after the bundle verified, so a failed build leaves no bundle.
func Build(out string, spec Spec, priv ed25519.PrivateKey) (*bundle.Manifest, error) {
	m := &bundle.Manifest{
		FormatVersion:  bundle.FormatVersion,
		Product:        bundle.Product,
		Version:        spec.Version,
		HardwareClass:  spec.HardwareClass,
		Created:        spec.Created,
		MinFromVersion: spec.MinFromVersion,
	}
	sources := map[string]string{}
	for _, f := range spec.Parts {
		p, err := hashFile(f)
		if err != nil {
			return nil, err
		}
		m.Parts = append(m.Parts, p)
		sources[p.Name] = f.Path
	}

	raw, err := bundle.MarshalManifest(m)
	if err != nil {
		return nil, err
	}
	sig, err := bundle.Sign(raw, priv)
	if err != nil {
		return nil, err
	}
	if err := writeBundle(out, raw, sig, sources); err != nil {
		return nil, err
	}
	if err := checkBuilt(out, m, priv.Public().(ed25519.PublicKey)); err != nil {
		os.Remove(out)
		return nil, err
	}
	return m, nil
}

func hashFile(f File) (bundle.Part, error) {
	src, err := os.Open(f.Path)
	if err != nil {
		return bundle.Part{}, fmt.Errorf("opening part %q: %w", f.Name, err)
	}
	defer src.Close()
	return bundle.HashPart(f.Name, path.Join("parts", f.Name+filepath.Ext(f.Path)), src)
}

func writeBundle(out string, raw []byte, sig bundle.Signature, sources map[string]string) error {
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp*")
	if err != nil {
		return fmt.Errorf("creating bundle %s: %w", out, err)
	}
	open := func(p bundle.Part) (io.ReadCloser, error) { return os.Open(sources[p.Name]) }

	err = bundle.Write(tmp, raw, sig, open)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), out)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing bundle %s: %w", out, err)
	}
	return nil
}

// checkBuilt reads the bundle back as a terminal of its hardware class
// would, accepting any version, so a bundle that would not install is
// caught on the signing host.
func checkBuilt(out string, m *bundle.Manifest, pub ed25519.PublicKey) error {
	b, err := bundle.OpenFile(out)
	if err != nil {
		return err
	}
	defer b.Close()

	policy := bundle.Policy{HardwareClass: m.HardwareClass, CurrentVersion: m.Version, AllowReinstall: true}
	if m.MinFromVersion != nil {
		policy.CurrentVersion = *m.MinFromVersion
	}
	if err := bundle.Verify(b, []ed25519.PublicKey{pub}, policy); err != nil {
		return fmt.Errorf("checking written bundle %s: %w", out, err)
	}
	return nil
}
