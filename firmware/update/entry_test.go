package update

import (
	"testing"

	"wenban/firmware/slot"
)

func TestParseEntryName(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		wantOK bool
		want   Entry
	}{
		{"blessed", "wenban-a.conf", true, Entry{Slot: slot.A, State: EntryGood}},
		{"new", "wenban-b+3.conf", true, Entry{Slot: slot.B, State: EntryPending, TriesLeft: 3}},
		{"tried once", "wenban-b+2-1.conf", true, Entry{Slot: slot.B, State: EntryPending, TriesLeft: 2, TriesDone: 1}},
		{"used up", "wenban-b+0-3.conf", true, Entry{Slot: slot.B, State: EntryBad, TriesDone: 3}},
		{"other loader entry", "debian-6.1.conf", false, Entry{}},
		{"unknown slot", "wenban-c.conf", false, Entry{}},
		{"upper case slot", "wenban-A.conf", false, Entry{}},
		{"temporary file", ".wenban-b+3.conf.tmp123", false, Entry{}},
		{"huge counter", "wenban-a+99999999999999999999.conf", false, Entry{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseEntryName(tt.file)
			if ok != tt.wantOK {
				t.Fatalf("got ok %v, want %v", ok, tt.wantOK)
			}
			if !ok {
				return
			}
			tt.want.Name = tt.file
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func FuzzParseEntryName(f *testing.F) {
	for _, seed := range []string{"wenban-a.conf", "wenban-b+3.conf", "wenban-b+0-3.conf", "wenban-a+1-", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		e, ok := parseEntryName(name)
		if !ok {
			return
		}
		if e.Slot != slot.A && e.Slot != slot.B {
			t.Fatalf("%q parsed to slot %q", name, e.Slot)
		}
		if e.TriesLeft < 0 || e.TriesDone < 0 {
			t.Fatalf("%q parsed to negative counter %d-%d", name, e.TriesLeft, e.TriesDone)
		}
		if (e.State == EntryBad) != (e.TriesLeft == 0 && e.State != EntryGood) {
			t.Fatalf("%q parsed to state %s with %d tries left", name, e.State, e.TriesLeft)
		}
	})
}
