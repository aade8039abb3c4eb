package bundle

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// PartSource opens the content of one manifest part for Write. Write
// closes the returned reader.
type PartSource func(p Part) (io.ReadCloser, error)

// HashPart reads r to the end and returns a Part with its size and
// SHA-256 digest, for building a manifest.
func HashPart(name, path string, r io.Reader) (Part, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return Part{}, fmt.Errorf("hashing part %q: %w", name, err)
	}
	return Part{Name: name, Path: path, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// Write writes a bundle to w: manifest (the exact bytes that sig signs),
// then sig, then every part in manifest order, read through open. It
// fails with ErrPartSize or ErrPartDigest when a part's content no longer
// matches the manifest, so a file changed after hashing never ships.
// Entry times are the manifest's created time, so the same inputs always
// produce the same bytes.
func Write(w io.Writer, manifest []byte, sig Signature, open PartSource) error {
	m, err := ParseManifest(manifest)
	if err != nil {
		return fmt.Errorf("writing bundle: %w", err)
	}
	rawSignature, err := json.Marshal(sig)
	if err != nil {
		return fmt.Errorf("encoding signature: %w", err)
	}
	modTime := m.Created.UTC().Truncate(time.Second)

	tw := tar.NewWriter(w)
	if err := writeEntry(tw, ManifestName, manifest, modTime); err != nil {
		return err
	}
	if err := writeEntry(tw, SignatureName, append(rawSignature, '\n'), modTime); err != nil {
		return err
	}
	for _, p := range m.Parts {
		if err := writePart(tw, p, open, modTime); err != nil {
			return err
		}
	}

	if err := tw.Close(); err != nil {
		return fmt.Errorf("finishing bundle: %w", err)
	}
	return nil
}

func writeEntry(tw *tar.Writer, name string, data []byte, modTime time.Time) error {
	if err := tw.WriteHeader(entryHeader(name, int64(len(data)), modTime)); err != nil {
		return fmt.Errorf("writing %s header: %w", name, err)
	}
	if _, err := tw.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return nil
}

func writePart(tw *tar.Writer, p Part, open PartSource, modTime time.Time) (err error) {
	rc, err := open(p)
	if err != nil {
		return fmt.Errorf("opening part %q: %w", p.Name, err)
	}
	defer func() {
		if cerr := rc.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("closing part %q: %w", p.Name, cerr)
		}
	}()

	if err := tw.WriteHeader(entryHeader(p.Path, p.Size, modTime)); err != nil {
		return fmt.Errorf("writing part %q header: %w", p.Name, err)
	}

	h := sha256.New()
	n, err := io.CopyN(tw, io.TeeReader(rc, h), p.Size)
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: part %q source has %d bytes, want %d", ErrPartSize, p.Name, n, p.Size)
	}
	if err != nil {
		return fmt.Errorf("writing part %q: %w", p.Name, err)
	}

	// A source longer than p.Size is as wrong as a short one.
	var probe [1]byte
	if extra, _ := io.ReadFull(rc, probe[:]); extra > 0 {
		return fmt.Errorf("%w: part %q source is longer than %d bytes", ErrPartSize, p.Name, p.Size)
	}
	if digest := hex.EncodeToString(h.Sum(nil)); digest != p.SHA256 {
		return fmt.Errorf("%w: part %q source has sha256 %s, want %s", ErrPartDigest, p.Name, digest, p.SHA256)
	}
	return nil
}

func entryHeader(name string, size int64, modTime time.Time) *tar.Header {
	return &tar.Header{
		Typeflag: tar.TypeReg,
		Name:     name,
		Size:     size,
		Mode:     0o644,
		ModTime:  modTime,
	}
}
