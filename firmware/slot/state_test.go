package slot

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wenban/firmware/semver"
)

func TestCreate(t *testing.T) {
	state := newState(t, "1.2.0")

	checkRecord(t, state, A, Record{Version: semver.MustParse("1.2.0"), Status: StatusGood})
	checkRecord(t, state, B, Record{Status: StatusEmpty})
	if target, err := state.WriteTarget(); err != nil || target != B {
		t.Errorf("WriteTarget: got %s, %v, want B, nil", target, err)
	}

	if _, err := Create(state.Path(), B, semver.MustParse("2.0.0")); !errors.Is(err, os.ErrExist) {
		t.Errorf("Create over existing file: got error %v, want os.ErrExist", err)
	}
	if _, err := Create(filepath.Join(t.TempDir(), "s.json"), A, semver.Version{}); !errors.Is(err, ErrInvalidState) {
		t.Errorf("Create with version 0.0.0: got error %v, want ErrInvalidState", err)
	}
}

func TestSaveLeavesNoTemporaryFiles(t *testing.T) {
	state := pendingState(t)
	if _, err := state.BootAttempt(); err != nil {
		t.Fatal(err)
	}

	entries, err := os.ReadDir(filepath.Dir(state.Path()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got, want := strings.Join(names, " "), "state.json state.json.lock"; got != want {
		t.Errorf("directory: got %q, want %q", got, want)
	}

	info, err := os.Stat(state.Path())
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o644 {
		t.Errorf("state file mode: got %04o, want 0644", perm)
	}
}

func TestStateChangedElsewhere(t *testing.T) {
	state := pendingState(t)
	other, err := Load(state.Path())
	if err != nil {
		t.Fatal(err)
	}

	if _, err := other.BootAttempt(); err != nil {
		t.Fatal(err)
	}
	if _, err := state.BootAttempt(); !errors.Is(err, ErrStateChanged) {
		t.Errorf("BootAttempt on a stale State: got error %v, want ErrStateChanged", err)
	}
	if got := other.Record(B).TriesLeft; got != BootTries-1 {
		t.Errorf("tries left: got %d, want %d", got, BootTries-1)
	}
}

func TestLoadRejects(t *testing.T) {
	const good = `{"version": "1.2.0", "status": "good", "tries_left": 0}`
	const pending = `{"version": "1.3.0", "status": "pending", "tries_left": 2}`
	const empty = `{"status": "empty", "tries_left": 0}`
	const result = `"last_result": {"kind": "provisioned", "slot": "A", "version": "1.2.0", "at": "2024-06-01T09:00:00Z"}`
	state := func(active, a, b string) string {
		return `{"format": 1, "active": "` + active + `", "a": ` + a + `, "b": ` + b + `, ` + result + `}`
	}

	tests := []struct {
		name string
		in   string
	}{
		{"not json", "state"},
		{"trailing data", state("A", good, empty) + "{}"},
		{"unknown field", strings.Replace(state("A", good, empty), `"format": 1`, `"format": 1, "next": "B"`, 1)},
		{"format 2", strings.Replace(state("A", good, empty), `"format": 1`, `"format": 2`, 1)},
		{"invalid active", state("C", good, empty)},
		{"unknown status", state("A", `{"version": "1.2.0", "status": "ok", "tries_left": 0}`, empty)},
		{"active empty", state("B", good, empty)},
		{"active bad", state("A", `{"version": "1.2.0", "status": "bad", "tries_left": 0}`, good)},
		{"inactive pending", state("A", good, pending)},
		{"pending without fallback", state("A", pending, empty)},
		{"tries out of range", state("B", good, `{"version": "1.3.0", "status": "pending", "tries_left": 4}`)},
		{"negative tries", state("B", good, `{"version": "1.3.0", "status": "pending", "tries_left": -1}`)},
		{"good with tries", state("A", `{"version": "1.2.0", "status": "good", "tries_left": 1}`, empty)},
		{"empty with version", state("A", good, `{"version": "1.0.0", "status": "empty", "tries_left": 0}`)},
		{"good without version", state("A", `{"status": "good", "tries_left": 0}`, empty)},
		{"bad version", state("A", `{"version": "1.2", "status": "good", "tries_left": 0}`, empty)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, []byte(tt.in), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			t.Logf("error: %v", err)
			if !errors.Is(err, ErrInvalidState) && !errors.Is(err, ErrInvalidSlot) {
				t.Errorf("got error %v, want ErrInvalidState or ErrInvalidSlot", err)
			}
		})
	}

	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte(state("B", good, pending)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err != nil {
		t.Errorf("valid pending state: got error %v, want nil", err)
	}
}

func TestParseSlot(t *testing.T) {
	for _, in := range []string{"A", "B"} {
		slot, err := ParseSlot(in)
		if err != nil || slot.String() != in {
			t.Errorf("ParseSlot(%q): got %q, %v, want %q, nil", in, slot, err, in)
		}
	}
	for _, in := range []string{"", "a", "C", "AB"} {
		if _, err := ParseSlot(in); !errors.Is(err, ErrInvalidSlot) {
			t.Errorf("ParseSlot(%q): got error %v, want ErrInvalidSlot", in, err)
		}
	}
	if A.Other() != B || B.Other() != A {
		t.Errorf("Other: got A→%s, B→%s, want A→B, B→A", A.Other(), B.Other())
	}
}

func TestFileDeviceBounds(t *testing.T) {
	dev := newDevice(t, B, 4096)
	if got := dev.Size(); got != 4096 {
		t.Errorf("Size: got %d, want 4096", got)
	}
	if _, err := dev.WriteAt(make([]byte, 10), 4090); err == nil {
		t.Errorf("WriteAt past the end: got nil error, want an error")
	}
	if _, err := dev.WriteAt([]byte("ok"), 4094); err != nil {
		t.Errorf("WriteAt at the end: got error %v, want nil", err)
	}
	if err := dev.Sync(); err != nil {
		t.Errorf("Sync: got error %v, want nil", err)
	}
	if _, err := OpenFileDevice(filepath.Join(t.TempDir(), "missing.img"), A); err == nil {
		t.Errorf("OpenFileDevice(missing): got nil error, want an error")
	}
}
