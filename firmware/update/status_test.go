package update

import (
	"context"
	"strings"
	"testing"

	"wenban/firmware/semver"
	"wenban/firmware/slot"
)

func TestStatusFollowsBootLoader(t *testing.T) {
	tests := []struct {
		name string
		// boot changes the terminal after the install of 1.1.0 into B.
		boot        func(t *testing.T, term Terminal)
		wantKind    ResultKind
		wantEntry   EntryState
		wantTries   int
		wantRunning slot.Slot
		wantTarget  slot.Slot
	}{
		{"installed", func(*testing.T, Terminal) {}, ResultInstalled, EntryPending, 3, slot.A, slot.B},
		{"first try", func(t *testing.T, term Terminal) {
			bootTry(t, term, slot.B)
			setRunning(t, term, slot.B)
		}, ResultInstalled, EntryPending, 2, slot.B, ""},
		{"blessed", func(t *testing.T, term Terminal) {
			bootTry(t, term, slot.B)
			setRunning(t, term, slot.B)
			bless(t, term, slot.B)
		}, ResultBlessed, EntryGood, 0, slot.B, slot.A},
		{"rolled back", func(t *testing.T, term Terminal) {
			for range slot.BootTries {
				bootTry(t, term, slot.B)
			}
			setRunning(t, term, slot.A)
		}, ResultRolledBack, EntryBad, 0, slot.A, slot.B},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			term := newTerminal(t)
			path := writeBundle(t, t.TempDir(), bundleSpec{version: "1.1.0"})
			if _, err := Apply(context.Background(), term, path, Options{}, discard); err != nil {
				t.Fatalf("Apply: %v", err)
			}
			tt.boot(t, term)

			r, err := Status(term)
			if err != nil {
				t.Fatalf("Status: %v", err)
			}
			if r.LastResult.Kind != tt.wantKind {
				t.Errorf("got last result %s, want %s", r.LastResult.Kind, tt.wantKind)
			}
			if got := r.Slots[1]; got.Entry != tt.wantEntry || got.TriesLeft != tt.wantTries {
				t.Errorf("got slot B entry %s with %d tries, want %s with %d", got.Entry, got.TriesLeft, tt.wantEntry, tt.wantTries)
			}
			if r.Running != tt.wantRunning {
				t.Errorf("got running %s, want %s", r.Running, tt.wantRunning)
			}
			if r.WriteTarget != tt.wantTarget {
				t.Errorf("got write target %q, want %q", r.WriteTarget, tt.wantTarget)
			}
			if v := r.Slots[1].Release.Version; semver.Compare(v, semver.MustParse("1.1.0")) != 0 {
				t.Errorf("got slot B version %s, want 1.1.0", v)
			}
		})
	}
}

func TestStatusStringFactory(t *testing.T) {
	r, err := Status(newTerminal(t))
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	text := r.String()
	for _, want := range []string{"当前运行槽位：A", "槽位 A：版本 1.0.0，已确认正常", "槽位 B：无系统，无启动项", "下次更新写入槽位：B"} {
		if !strings.Contains(text, want) {
			t.Errorf("status text lacks %q; got:\n%s", want, text)
		}
	}
}
