package bundle

import (
	"encoding/json"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"wenban/firmware/semver"
)

const (
	// FormatVersion is the manifest format this package reads and writes.
	FormatVersion = 1
	// Product is the only product name a manifest may carry.
	Product = "wenban"
	// RootfsPart is the name of the required part holding the root-slot image.
	RootfsPart = "rootfs"

	// MaxManifestSize is the largest manifest.json accepted, in bytes.
	MaxManifestSize = 64 << 10
	// MaxParts is the largest number of parts a manifest may list.
	MaxParts = 64
	// MaxPartPathLength is the longest part path, in bytes. It keeps every
	// name within the 100-byte name field of a plain USTAR header.
	MaxPartPathLength = 100

	// ManifestName and SignatureName are the first two entries of a bundle.
	ManifestName  = "manifest.json"
	SignatureName = "manifest.sig"
)

var (
	hardwareClassPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	partNamePattern      = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	pathSegmentPattern   = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*$`)
)

const (
	maxHardwareClassLength = 64
	maxPartNameLength      = 32
)

// Manifest describes one bundle. Its JSON encoding is what the bundle's
// signature covers.
type Manifest struct {
	// FormatVersion must be FormatVersion.
	FormatVersion int `json:"format_version"`
	// Product must be Product.
	Product string `json:"product"`
	// Version is the firmware version the bundle installs. It must be
	// greater than 0.0.0.
	Version semver.Version `json:"version"`
	// HardwareClass names the terminal model, such as "hn-vw-2024":
	// lowercase letters and digits in dash-separated groups, at most 64 bytes.
	HardwareClass string `json:"hardware_class"`
	// Created is when the bundle was built, in RFC 3339 form.
	Created time.Time `json:"created"`
	// MinFromVersion, when set, is the oldest running version the bundle
	// may upgrade. Nil means any version.
	MinFromVersion *semver.Version `json:"min_from_version,omitempty"`
	// Parts lists the files in the bundle. One must be named RootfsPart.
	Parts []Part `json:"parts"`
}

// Part describes one file inside the bundle.
type Part struct {
	// Name identifies the part, such as "rootfs": lowercase letters and
	// digits in dash-separated groups, at most 32 bytes.
	Name string `json:"name"`
	// Path is the tar entry name: a clean relative path of at most
	// MaxPartPathLength bytes whose segments use [A-Za-z0-9._-] and do not
	// start with a dot.
	Path string `json:"path"`
	// Size is the part length in bytes.
	Size int64 `json:"size"`
	// SHA256 is the lowercase hex SHA-256 digest of the part.
	SHA256 string `json:"sha256"`
}

var manifestSchema = &schema{
	fields: map[string]*schema{
		"format_version":   nil,
		"product":          nil,
		"version":          nil,
		"hardware_class":   nil,
		"created":          nil,
		"min_from_version": nil,
		"parts": {items: &schema{
			fields:   map[string]*schema{"name": nil, "path": nil, "size": nil, "sha256": nil},
			required: []string{"name", "path", "size", "sha256"},
		}},
	},
	required: []string{"format_version", "product", "version", "hardware_class", "created", "parts"},
}

// ParseManifest decodes and validates manifest bytes. It rejects input
// over MaxManifestSize, unknown, duplicate, missing or null fields, and
// any value Validate rejects.
func ParseManifest(data []byte) (*Manifest, error) {
	if len(data) > MaxManifestSize {
		return nil, fmt.Errorf("%w: %d bytes, at most %d allowed", ErrManifestTooLarge, len(data), MaxManifestSize)
	}

	var m Manifest
	if err := decodeStrict(data, manifestSchema, &m); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidManifest, err)
	}

	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// ReadManifest reads at most MaxManifestSize bytes from r and parses them
// with ParseManifest. It returns the raw bytes too, because a signature
// covers those bytes rather than any re-encoding of the Manifest.
func ReadManifest(r io.Reader) (*Manifest, []byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxManifestSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("reading manifest: %w", err)
	}
	if len(data) > MaxManifestSize {
		return nil, nil, fmt.Errorf("%w: more than %d bytes", ErrManifestTooLarge, MaxManifestSize)
	}

	m, err := ParseManifest(data)
	if err != nil {
		return nil, nil, err
	}
	return m, data, nil
}

// MarshalManifest validates m and encodes it as indented JSON ending in a
// newline, ready to be signed.
func MarshalManifest(m *Manifest) ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}

	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding manifest: %w", err)
	}
	data = append(data, '\n')

	if len(data) > MaxManifestSize {
		return nil, fmt.Errorf("%w: %d bytes, at most %d allowed", ErrManifestTooLarge, len(data), MaxManifestSize)
	}
	return data, nil
}

// Validate checks every field against the rules in the field docs. The
// error wraps ErrUnsupportedFormat, ErrWrongProduct or ErrInvalidManifest.
func (m *Manifest) Validate() error {
	if m.FormatVersion != FormatVersion {
		return fmt.Errorf("%w: format_version %d, want %d", ErrUnsupportedFormat, m.FormatVersion, FormatVersion)
	}
	if m.Product != Product {
		return fmt.Errorf("%w: product %q, want %q", ErrWrongProduct, m.Product, Product)
	}
	if m.Version.IsZero() {
		return fmt.Errorf("%w: version must be greater than 0.0.0", ErrInvalidManifest)
	}
	if len(m.HardwareClass) > maxHardwareClassLength || !hardwareClassPattern.MatchString(m.HardwareClass) {
		return fmt.Errorf("%w: hardware_class %q must be lowercase letters and digits in dash-separated groups, at most %d bytes",
			ErrInvalidManifest, m.HardwareClass, maxHardwareClassLength)
	}
	if m.Created.IsZero() {
		return fmt.Errorf("%w: created must be set", ErrInvalidManifest)
	}
	return validateParts(m.Parts)
}

// Part returns the part with the given name.
func (m *Manifest) Part(name string) (Part, bool) {
	i := slices.IndexFunc(m.Parts, func(p Part) bool { return p.Name == name })
	if i < 0 {
		return Part{}, false
	}
	return m.Parts[i], true
}

func (m *Manifest) clone() *Manifest {
	c := *m
	c.Parts = slices.Clone(m.Parts)
	if m.MinFromVersion != nil {
		v := *m.MinFromVersion
		c.MinFromVersion = &v
	}
	return &c
}

func validateParts(parts []Part) error {
	if len(parts) == 0 || len(parts) > MaxParts {
		return fmt.Errorf("%w: %d parts, want 1 to %d", ErrInvalidManifest, len(parts), MaxParts)
	}

	names := make(map[string]bool, len(parts))
	paths := make(map[string]bool, len(parts))
	for _, p := range parts {
		if err := p.validate(); err != nil {
			return fmt.Errorf("%w: part %q: %w", ErrInvalidManifest, p.Name, err)
		}
		if names[p.Name] {
			return fmt.Errorf("%w: duplicate part name %q", ErrInvalidManifest, p.Name)
		}
		if paths[p.Path] {
			return fmt.Errorf("%w: duplicate part path %q", ErrInvalidManifest, p.Path)
		}
		names[p.Name] = true
		paths[p.Path] = true
	}

	if !names[RootfsPart] {
		return fmt.Errorf("%w: required part %q missing", ErrInvalidManifest, RootfsPart)
	}
	return nil
}

func (p Part) validate() error {
	if len(p.Name) > maxPartNameLength || !partNamePattern.MatchString(p.Name) {
		return fmt.Errorf("name must be lowercase letters and digits in dash-separated groups, at most %d bytes", maxPartNameLength)
	}
	if err := validatePartPath(p.Path); err != nil {
		return err
	}
	if p.Size < 0 || p.Size == 0 && p.Name == RootfsPart {
		return fmt.Errorf("size %d out of range", p.Size)
	}
	if len(p.SHA256) != 64 || !isLowerHex(p.SHA256) {
		return fmt.Errorf("sha256 %q must be 64 lowercase hex digits", p.SHA256)
	}
	return nil
}

func validatePartPath(p string) error {
	if p == "" || len(p) > MaxPartPathLength {
		return fmt.Errorf("path %q must be 1 to %d bytes", p, MaxPartPathLength)
	}
	if p == ManifestName || p == SignatureName {
		return fmt.Errorf("path %q is reserved", p)
	}
	if path.Clean(p) != p || strings.HasPrefix(p, "/") {
		return fmt.Errorf("path %q is not a clean relative path", p)
	}
	for _, segment := range strings.Split(p, "/") {
		if !pathSegmentPattern.MatchString(segment) {
			return fmt.Errorf("path %q: segment %q must use [A-Za-z0-9._-] and not start with a dot", p, segment)
		}
	}
	return nil
}
