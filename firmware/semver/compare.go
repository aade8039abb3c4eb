package semver

import (
	"cmp"
	"strings"
)

// Compare returns -1 when a is older than b, 0 when they have the same
// precedence and +1 when a is newer. Build metadata is ignored, so
// 1.0.0+a and 1.0.0+b compare equal.
func Compare(a, b Version) int {
	if c := cmp.Compare(a.Major, b.Major); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Minor, b.Minor); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Patch, b.Patch); c != 0 {
		return c
	}
	return comparePrerelease(a.Prerelease, b.Prerelease)
}

// Less reports whether v is older than w.
func (v Version) Less(w Version) bool {
	return Compare(v, w) < 0
}

// comparePrerelease orders pre-release lists. A release (empty list) is
// newer than any pre-release of the same MAJOR.MINOR.PATCH.
func comparePrerelease(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}

	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if c := compareIdentifier(as[i], bs[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(as), len(bs))
}

// compareIdentifier orders one pre-release identifier. Numeric
// identifiers sort before alphanumeric ones. Parse has rejected leading
// zeros, so a longer numeric identifier is the larger number, and no
// identifier ever needs converting to an integer that could overflow.
func compareIdentifier(a, b string) int {
	an, bn := isNumeric(a), isNumeric(b)
	switch {
	case an && bn:
		if c := cmp.Compare(len(a), len(b)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	case an:
		return -1
	case bn:
		return 1
	}
	return strings.Compare(a, b)
}
