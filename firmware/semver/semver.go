// Package semver parses and compares firmware versions in Semantic
// Versioning 2.0.0 form (MAJOR.MINOR.PATCH, an optional pre-release after
// "-" and optional build metadata after "+"). Versions compare by numeric
// fields and pre-release identifiers as the specification orders them, so
// 1.10.0 is newer than 1.9.0 and 1.0.0-rc.1 is older than 1.0.0.
package semver

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxLength is the longest version string Parse accepts, in bytes. It
// bounds the work done on untrusted manifests.
const MaxLength = 128

// ErrInvalid is wrapped by every error that Parse returns.
var ErrInvalid = errors.New("invalid semantic version")

// Version is a parsed semantic version. The zero value is 0.0.0, which
// callers use to mean "no version" where a field is optional.
type Version struct {
	Major, Minor, Patch uint64

	// Prerelease is the dot-separated identifier list after "-", without
	// the dash. Empty means a release version.
	Prerelease string

	// Build is the metadata after "+", without the plus. It is kept for
	// display and ignored by Compare, as the specification requires.
	Build string
}

// Parse parses s, which must be a complete semantic version without a
// leading "v". Numeric fields must fit in 64 bits and carry no leading
// zeros.
func Parse(s string) (Version, error) {
	if len(s) > MaxLength {
		return Version{}, fmt.Errorf("%w: %d bytes, at most %d allowed", ErrInvalid, len(s), MaxLength)
	}

	var v Version
	rest := s
	if i := strings.IndexByte(rest, '+'); i >= 0 {
		v.Build = rest[i+1:]
		rest = rest[:i]
		if err := checkIdentifiers(v.Build, false); err != nil {
			return Version{}, fmt.Errorf("%w %q: build metadata: %w", ErrInvalid, s, err)
		}
	}
	if i := strings.IndexByte(rest, '-'); i >= 0 {
		v.Prerelease = rest[i+1:]
		rest = rest[:i]
		if err := checkIdentifiers(v.Prerelease, true); err != nil {
			return Version{}, fmt.Errorf("%w %q: pre-release: %w", ErrInvalid, s, err)
		}
	}

	fields := strings.Split(rest, ".")
	if len(fields) != 3 {
		return Version{}, fmt.Errorf("%w %q: want MAJOR.MINOR.PATCH", ErrInvalid, s)
	}
	numbers := [3]*uint64{&v.Major, &v.Minor, &v.Patch}
	for i, field := range fields {
		n, err := parseNumber(field)
		if err != nil {
			return Version{}, fmt.Errorf("%w %q: %w", ErrInvalid, s, err)
		}
		*numbers[i] = n
	}
	return v, nil
}

// MustParse is Parse for constants in code and tests. It panics on an
// invalid version.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// String formats v in the form Parse accepts.
func (v Version) String() string {
	var b strings.Builder
	b.WriteString(strconv.FormatUint(v.Major, 10))
	b.WriteByte('.')
	b.WriteString(strconv.FormatUint(v.Minor, 10))
	b.WriteByte('.')
	b.WriteString(strconv.FormatUint(v.Patch, 10))
	if v.Prerelease != "" {
		b.WriteByte('-')
		b.WriteString(v.Prerelease)
	}
	if v.Build != "" {
		b.WriteByte('+')
		b.WriteString(v.Build)
	}
	return b.String()
}

// IsZero reports whether v is the zero value (0.0.0 without pre-release
// or build metadata).
func (v Version) IsZero() bool {
	return v == Version{}
}

// MarshalText formats v with String, so versions appear as JSON strings.
func (v Version) MarshalText() ([]byte, error) {
	return []byte(v.String()), nil
}

// UnmarshalText parses text with Parse.
func (v *Version) UnmarshalText(text []byte) error {
	parsed, err := Parse(string(text))
	if err != nil {
		return err
	}
	*v = parsed
	return nil
}

func parseNumber(field string) (uint64, error) {
	if field == "" {
		return 0, errors.New("empty numeric field")
	}
	if len(field) > 1 && field[0] == '0' {
		return 0, fmt.Errorf("numeric field %q has a leading zero", field)
	}
	for i := 0; i < len(field); i++ {
		if field[i] < '0' || field[i] > '9' {
			return 0, fmt.Errorf("numeric field %q contains a non-digit", field)
		}
	}
	n, err := strconv.ParseUint(field, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("numeric field %q does not fit in 64 bits", field)
	}
	return n, nil
}

// checkIdentifiers validates a dot-separated identifier list. Numeric
// pre-release identifiers must not have leading zeros; build identifiers
// may.
func checkIdentifiers(list string, prerelease bool) error {
	for _, id := range strings.Split(list, ".") {
		if id == "" {
			return errors.New("empty identifier")
		}
		for i := 0; i < len(id); i++ {
			if !isIdentifierByte(id[i]) {
				return fmt.Errorf("identifier %q contains a byte outside [0-9A-Za-z-]", id)
			}
		}
		if prerelease && isNumeric(id) && len(id) > 1 && id[0] == '0' {
			return fmt.Errorf("numeric identifier %q has a leading zero", id)
		}
	}
	return nil
}

func isIdentifierByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-'
}

func isNumeric(id string) bool {
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return true
}
