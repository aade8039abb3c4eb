package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// Bundle is an opened update bundle. Open reads only the manifest and the
// signature. Verify reads the rest, and only then does OpenPart return
// part contents. A Bundle is not safe for concurrent use.
type Bundle struct {
	src    io.ReaderAt
	size   int64
	closer io.Closer

	manifest    *Manifest
	rawManifest []byte
	signature   Signature

	// parts maps part names to data offsets. It is set by a successful
	// Verify and cleared when Verify starts.
	parts map[string]int64
}

// Open reads the first two entries of the bundle in src, which is size
// bytes long. They must be manifest.json (at most MaxManifestSize bytes)
// and manifest.sig, in that order, and both must parse. Open checks no
// signature and reads no parts.
func Open(src io.ReaderAt, size int64) (*Bundle, error) {
	a := newArchiveReader(src, size)

	rawManifest, err := readLeadingEntry(a, ManifestName, MaxManifestSize, ErrManifestTooLarge)
	if err != nil {
		return nil, err
	}
	manifest, err := ParseManifest(rawManifest)
	if err != nil {
		return nil, err
	}

	rawSignature, err := readLeadingEntry(a, SignatureName, MaxSignatureSize, ErrInvalidSignatureFile)
	if err != nil {
		return nil, err
	}
	signature, err := ParseSignature(rawSignature)
	if err != nil {
		return nil, err
	}

	return &Bundle{
		src:         src,
		size:        size,
		manifest:    manifest,
		rawManifest: rawManifest,
		signature:   signature,
	}, nil
}

// OpenFile opens the bundle file at path. Close releases the file.
func OpenFile(path string) (*Bundle, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening bundle %s: %w", path, err)
	}

	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("checking bundle %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("opening bundle %s: not a regular file", path)
	}

	b, err := Open(f, info.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("bundle %s: %w", path, err)
	}
	b.closer = f
	return b, nil
}

// Close closes the file opened by OpenFile. It does nothing for a bundle
// from Open.
func (b *Bundle) Close() error {
	if b.closer == nil {
		return nil
	}
	return b.closer.Close()
}

// Manifest returns a copy of the bundle's manifest. Until Verify succeeds
// nothing in it is authenticated.
func (b *Bundle) Manifest() *Manifest {
	return b.manifest.clone()
}

// RawManifest returns a copy of the exact manifest.json bytes.
func (b *Bundle) RawManifest() []byte {
	return bytes.Clone(b.rawManifest)
}

// Signature returns the parsed manifest.sig.
func (b *Bundle) Signature() Signature {
	return Signature{KeyID: b.signature.KeyID, Value: bytes.Clone(b.signature.Value)}
}

// Verified reports whether the last call to Verify succeeded.
func (b *Bundle) Verified() bool {
	return b.parts != nil
}

// OpenPart returns a reader over the named part's data in the bundle. It
// fails with ErrNotVerified before Verify succeeds. The bytes come from
// the source again, so a caller that must trust them, such as slot.Apply,
// hashes them once more against the manifest.
func (b *Bundle) OpenPart(name string) (io.Reader, Part, error) {
	if b.parts == nil {
		return nil, Part{}, ErrNotVerified
	}
	part, ok := b.manifest.Part(name)
	if !ok {
		return nil, Part{}, fmt.Errorf("%w: %q", ErrUnknownPart, name)
	}
	return io.NewSectionReader(b.src, b.parts[name], part.Size), part, nil
}

// readLeadingEntry reads one of the two entries every bundle starts with.
func readLeadingEntry(a *archiveReader, name string, max int64, tooLarge error) ([]byte, error) {
	hdr, err := a.next()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: archive ends before %s", ErrLayout, name)
	}
	if err != nil {
		return nil, err
	}
	if hdr.Name != name {
		return nil, fmt.Errorf("%w: found %q where %s belongs", ErrLayout, hdr.Name, name)
	}
	return a.readSmall(hdr, max, tooLarge)
}

// scan reads the whole archive and returns the data offset of every part.
// It fails unless every listed part appears exactly once with the right
// size and digest, no other entry appears, and the archive ends cleanly.
func (b *Bundle) scan() (map[string]int64, error) {
	a := newArchiveReader(b.src, b.size)
	if err := b.rescanLeading(a); err != nil {
		return nil, err
	}

	byPath := make(map[string]Part, len(b.manifest.Parts))
	for _, p := range b.manifest.Parts {
		byPath[p.Path] = p
	}
	seen := map[string]bool{ManifestName: true, SignatureName: true}
	offsets := make(map[string]int64, len(b.manifest.Parts))
	buf := make([]byte, 128<<10)

	for {
		hdr, err := a.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}

		part, err := checkPartHeader(hdr.Name, hdr.Size, byPath, seen)
		if err != nil {
			return nil, err
		}
		digest, offset, err := a.hashEntry(hdr, buf)
		if err != nil {
			return nil, err
		}
		if digest != part.SHA256 {
			return nil, fmt.Errorf("%w: part %q has sha256 %s, want %s", ErrPartDigest, part.Name, digest, part.SHA256)
		}
		offsets[part.Name] = offset
	}

	if err := a.finish(); err != nil {
		return nil, err
	}
	for _, p := range b.manifest.Parts {
		if _, ok := offsets[p.Name]; !ok {
			return nil, fmt.Errorf("%w: part %q (%s)", ErrMissingPart, p.Name, p.Path)
		}
	}
	return offsets, nil
}

// rescanLeading reads manifest.json and manifest.sig again and checks
// that they are the bytes Open read, so the signature Verify checked
// covers the manifest whose digests scan compares.
func (b *Bundle) rescanLeading(a *archiveReader) error {
	rawManifest, err := readLeadingEntry(a, ManifestName, MaxManifestSize, ErrManifestTooLarge)
	if err != nil {
		return err
	}
	if !bytes.Equal(rawManifest, b.rawManifest) {
		return fmt.Errorf("%w: %s differs from the copy read at open", ErrChanged, ManifestName)
	}

	rawSignature, err := readLeadingEntry(a, SignatureName, MaxSignatureSize, ErrInvalidSignatureFile)
	if err != nil {
		return err
	}
	signature, err := ParseSignature(rawSignature)
	if err != nil {
		return err
	}
	if signature.KeyID != b.signature.KeyID || !bytes.Equal(signature.Value, b.signature.Value) {
		return fmt.Errorf("%w: %s differs from the copy read at open", ErrChanged, SignatureName)
	}
	return nil
}

// checkPartHeader matches an entry header to its manifest part before any
// data is read, and marks the name as seen.
func checkPartHeader(name string, size int64, byPath map[string]Part, seen map[string]bool) (Part, error) {
	if seen[name] {
		return Part{}, fmt.Errorf("%w: %q", ErrDuplicateEntry, name)
	}
	seen[name] = true

	part, ok := byPath[name]
	if !ok {
		return Part{}, fmt.Errorf("%w: %q", ErrUnlistedEntry, name)
	}
	if size != part.Size {
		return Part{}, fmt.Errorf("%w: part %q is %d bytes, want %d", ErrPartSize, part.Name, size, part.Size)
	}
	return part, nil
}
