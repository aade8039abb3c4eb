package slot

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"wenban/firmware/semver"
)

// pendingState returns a state in which 1.3.0 was just applied to slot B
// while slot A runs 1.2.0.
func pendingState(t *testing.T) *State {
	t.Helper()
	data := testBundle(t, "1.3.0", testImage(5000))
	state := newState(t, "1.2.0")
	b := verifiedBundle(t, bytes.NewReader(data), int64(len(data)), "1.2.0")
	if err := Apply(context.Background(), b, newDevice(t, B, 8192), state); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return state
}

func TestBootAttemptFallsBack(t *testing.T) {
	state := pendingState(t)
	v12, v13 := semver.MustParse("1.2.0"), semver.MustParse("1.3.0")

	// Three boots of B that never reach Bless.
	for attempt := 1; attempt <= BootTries; attempt++ {
		slot, err := state.BootAttempt()
		if err != nil {
			t.Fatalf("boot %d: %v", attempt, err)
		}
		if slot != B {
			t.Errorf("boot %d: got slot %s, want B", attempt, slot)
		}
		checkRecord(t, state, B, Record{Version: v13, Status: StatusPending, TriesLeft: BootTries - attempt})
	}

	slot, err := state.BootAttempt()
	if err != nil {
		t.Fatalf("boot %d: %v", BootTries+1, err)
	}
	if slot != A {
		t.Errorf("boot %d: got slot %s, want A", BootTries+1, slot)
	}
	if got := state.Active(); got != A {
		t.Errorf("Active after fallback: got %s, want A", got)
	}
	checkRecord(t, state, B, Record{Version: v13, Status: StatusBad})
	checkRecord(t, state, A, Record{Version: v12, Status: StatusGood})
	if got := state.LastResult(); got.Kind != ResultRolledBack || got.Slot != B || got.Version != v13 {
		t.Errorf("LastResult: got %+v, want rolled_back of 1.3.0 in B", got)
	}

	// The fallback persists and the bad slot may be written again.
	reloaded, err := Load(state.Path())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if slot, err := reloaded.BootAttempt(); err != nil || slot != A {
		t.Errorf("boot after reload: got %s, %v, want A, nil", slot, err)
	}
	if target, err := reloaded.WriteTarget(); err != nil || target != B {
		t.Errorf("WriteTarget after fallback: got %s, %v, want B, nil", target, err)
	}
}

func TestBless(t *testing.T) {
	state := pendingState(t)
	v12, v13 := semver.MustParse("1.2.0"), semver.MustParse("1.3.0")

	if slot, err := state.BootAttempt(); err != nil || slot != B {
		t.Fatalf("BootAttempt: got %s, %v, want B, nil", slot, err)
	}
	if err := state.Bless(B); err != nil {
		t.Fatalf("Bless(B): %v", err)
	}

	checkRecord(t, state, B, Record{Version: v13, Status: StatusGood})
	checkRecord(t, state, A, Record{Version: v12, Status: StatusGood})
	if got := state.LastResult(); got.Kind != ResultBlessed || got.Slot != B {
		t.Errorf("LastResult: got %+v, want blessed B", got)
	}
	if target, err := state.WriteTarget(); err != nil || target != A {
		t.Errorf("WriteTarget after Bless: got %s, %v, want A, nil", target, err)
	}

	// A blessed slot boots without spending attempts, and blessing again
	// changes nothing on disk.
	before := readFile(t, state.Path())
	for i := 0; i < BootTries+1; i++ {
		if slot, err := state.BootAttempt(); err != nil || slot != B {
			t.Fatalf("boot %d after Bless: got %s, %v, want B, nil", i+1, slot, err)
		}
	}
	if err := state.Bless(B); err != nil {
		t.Errorf("second Bless(B): got error %v, want nil", err)
	}
	if after := readFile(t, state.Path()); !bytes.Equal(after, before) {
		t.Errorf("state file changed by boots of a good slot or a second Bless")
	}
}

func TestBlessSlots(t *testing.T) {
	tests := []struct {
		name   string
		booted Slot
		fall   bool // exhaust B's attempts first
		want   error
	}{
		{"old slot before reboot", A, false, nil},
		{"bad slot", B, true, ErrNotBootable},
		{"invalid slot", Slot("C"), false, ErrInvalidSlot},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := pendingState(t)
			if tt.fall {
				for i := 0; i <= BootTries; i++ {
					if _, err := state.BootAttempt(); err != nil {
						t.Fatal(err)
					}
				}
			}
			before := readFile(t, state.Path())

			if err := state.Bless(tt.booted); !errors.Is(err, tt.want) {
				t.Fatalf("Bless(%s): got error %v, want %v", tt.booted, err, tt.want)
			}
			if after := readFile(t, state.Path()); !bytes.Equal(after, before) {
				t.Errorf("Bless(%s) changed the state file", tt.booted)
			}
		})
	}
}
