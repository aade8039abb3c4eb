package logvalue

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"short", "window-1", "window-1"},
		{"exactly the limit", strings.Repeat("a", MaxBytes), strings.Repeat("a", MaxBytes)},
		{"one byte over", strings.Repeat("a", MaxBytes+1), strings.Repeat("a", MaxBytes) + "…(65 bytes)"},
		{"a megabyte", strings.Repeat("A", 1<<20), strings.Repeat("A", MaxBytes) + "…(1048576 bytes)"},
		// 22 three-byte characters are 66 bytes; the cut falls inside the
		// 22nd, so 21 remain.
		{"cut inside a character", strings.Repeat("窗", 22), strings.Repeat("窗", 21) + "…(66 bytes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Clip(tt.in)
			if got != tt.want {
				t.Errorf("Clip: got %q, want %q", got, tt.want)
			}
			if !utf8.ValidString(got) {
				t.Errorf("Clip: got invalid UTF-8 %q", got)
			}
		})
	}
}

func FuzzClip(f *testing.F) {
	f.Add("window-1")
	f.Add(strings.Repeat("窗", 30))
	f.Fuzz(func(t *testing.T, v string) {
		got := Clip(v)
		if len(v) <= MaxBytes && got != v {
			t.Fatalf("Clip(%q) = %q, want it unchanged", v, got)
		}
		if len(got) > MaxBytes+32 {
			t.Fatalf("Clip of %d bytes gave %d bytes, want at most %d", len(v), len(got), MaxBytes+32)
		}
		if utf8.ValidString(v) && !utf8.ValidString(got) {
			t.Fatalf("Clip(%q) = %q, invalid UTF-8 from valid input", v, got)
		}
	})
}
