package semver

import (
	"errors"
	"testing"

	"golang.org/x/mod/semver"
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Version
	}{
		{"release", "1.2.3", Version{Major: 1, Minor: 2, Patch: 3}},
		{"zero", "0.0.0", Version{}},
		{"prerelease", "1.0.0-rc.1", Version{Major: 1, Prerelease: "rc.1"}},
		{"build", "1.0.0+20240501", Version{Major: 1, Build: "20240501"}},
		{"prerelease and build", "2.1.0-beta-2.x+exp.sha.5114f85", Version{Major: 2, Minor: 1, Prerelease: "beta-2.x", Build: "exp.sha.5114f85"}},
		{"max uint64", "18446744073709551615.0.0", Version{Major: 18446744073709551615}},
		{"build with leading zero", "1.0.0+001", Version{Major: 1, Build: "001"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): got error %v, want nil", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Parse(%q): got %+v, want %+v", tt.in, got, tt.want)
			}
			if got.String() != tt.in {
				t.Errorf("String(): got %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"two fields", "1.2"},
		{"four fields", "1.2.3.4"},
		{"v prefix", "v1.2.3"},
		{"leading zero", "01.2.3"},
		{"empty field", "1..3"},
		{"sign", "+1.2.3"},
		{"space", "1.2.3 "},
		{"overflow", "18446744073709551616.0.0"},
		{"empty prerelease", "1.2.3-"},
		{"empty prerelease identifier", "1.2.3-rc..1"},
		{"prerelease leading zero", "1.2.3-01"},
		{"prerelease bad byte", "1.2.3-rc_1"},
		{"empty build", "1.2.3+"},
		{"build bad byte", "1.2.3+a/b"},
		{"too long", "1.2.3-" + string(make([]byte, MaxLength))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.in)
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Parse(%q): got error %v, want ErrInvalid", tt.in, err)
			}
		})
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want int
	}{
		{"equal", "1.2.3", "1.2.3", 0},
		{"numeric minor", "1.10.0", "1.9.0", 1},
		{"numeric patch", "1.0.9", "1.0.10", -1},
		{"major wins", "2.0.0", "1.99.99", 1},
		{"release after prerelease", "1.0.0", "1.0.0-rc.1", 1},
		{"numeric prerelease", "1.0.0-rc.2", "1.0.0-rc.10", -1},
		{"numeric before alphanumeric", "1.0.0-1", "1.0.0-alpha", -1},
		{"longer prerelease wins", "1.0.0-alpha.1", "1.0.0-alpha", 1},
		{"lexical prerelease", "1.0.0-alpha", "1.0.0-beta", -1},
		{"build ignored", "1.0.0+a", "1.0.0+b", 0},
		{"long numeric identifier", "1.0.0-99999999999999999999999", "1.0.0-100", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Compare(MustParse(tt.a), MustParse(tt.b))
			if got != tt.want {
				t.Errorf("Compare(%s, %s): got %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if back := Compare(MustParse(tt.b), MustParse(tt.a)); back != -tt.want {
				t.Errorf("Compare(%s, %s): got %d, want %d", tt.b, tt.a, back, -tt.want)
			}
		})
	}
}

func TestTextRoundTrip(t *testing.T) {
	var v Version
	if err := v.UnmarshalText([]byte("3.4.5-rc.1+build.7")); err != nil {
		t.Fatalf("UnmarshalText: %v", err)
	}
	text, err := v.MarshalText()
	if err != nil {
		t.Fatalf("MarshalText: %v", err)
	}
	if string(text) != "3.4.5-rc.1+build.7" {
		t.Errorf("MarshalText: got %q, want %q", text, "3.4.5-rc.1+build.7")
	}
	if err := v.UnmarshalText([]byte("3.4")); !errors.Is(err, ErrInvalid) {
		t.Errorf("UnmarshalText(3.4): got error %v, want ErrInvalid", err)
	}
}

// FuzzVersionCompare checks Parse and Compare against the ordering of
// golang.org/x/mod/semver, which implements the same specification with
// a "v" prefix, and checks that Compare is antisymmetric and that
// String round-trips.
func FuzzVersionCompare(f *testing.F) {
	seeds := [][2]string{
		{"1.2.3", "1.2.3"},
		{"1.10.0", "1.9.0"},
		{"1.0.0-rc.1", "1.0.0"},
		{"1.0.0-alpha.1", "1.0.0-alpha.beta"},
		{"1.0.0-1", "1.0.0-alpha"},
		{"1.0.0+a", "1.0.0+b"},
		{"01.0.0", "1.0.0"},
		{"18446744073709551615.0.0", "18446744073709551616.0.0"},
	}
	for _, seed := range seeds {
		f.Add(seed[0], seed[1])
	}

	f.Fuzz(func(t *testing.T, a, b string) {
		va, errA := Parse(a)
		vb, errB := Parse(b)
		checkOracle(t, a, errA)
		checkOracle(t, b, errB)
		if errA != nil || errB != nil {
			return
		}

		got := Compare(va, vb)
		if want := semver.Compare("v"+a, "v"+b); got != want {
			t.Errorf("Compare(%q, %q): got %d, want %d (x/mod/semver)", a, b, got, want)
		}
		if back := Compare(vb, va); back != -got {
			t.Errorf("Compare(%q, %q): got %d, want %d", b, a, back, -got)
		}
		if Compare(va, va) != 0 {
			t.Errorf("Compare(%q, itself): got %d, want 0", a, Compare(va, va))
		}
		if va.String() != a {
			t.Errorf("String(Parse(%q)): got %q", a, va.String())
		}
	})
}

// checkOracle fails when Parse accepts a string that x/mod/semver
// rejects. The reverse may differ: x/mod accepts "v1.2" shorthand and
// numbers of any size, which Parse rejects on purpose.
func checkOracle(t *testing.T, s string, err error) {
	t.Helper()
	if err == nil && !semver.IsValid("v"+s) {
		t.Errorf("Parse(%q): got nil error, want an error because x/mod/semver rejects it", s)
	}
}
