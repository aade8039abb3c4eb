package update

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"wenban/firmware/slot"
)

// Boot loader entries follow the Boot Loader Specification (type #1 .conf
// files in loader/entries on the ESP) with systemd-boot's boot counting:
// a name like "wenban-b+3.conf" has three tries left. systemd-boot renames
// it on every try ("wenban-b+2-1.conf", ...), systemd-bless-boot drops the
// counter once boot-complete.target is reached ("wenban-b.conf"), and an
// entry at "+0-N" sorts after every other entry, so the previous slot boots.
const entriesDir = "loader/entries"

// entryPattern matches this package's entry names: the slot in lower case,
// then the optional counter of tries left and tries done.
var entryPattern = regexp.MustCompile(`^wenban-([ab])(?:\+([0-9]+)(?:-([0-9]+))?)?\.conf$`)

// EntryState is the state of a slot's entry that its boot counter encodes.
type EntryState string

const (
	// EntryNone means the slot has no boot entry and is never booted.
	EntryNone EntryState = "none"
	// EntryGood means the entry has no counter: it was blessed or installed
	// at the factory.
	EntryGood EntryState = "good"
	// EntryPending means the entry has tries left and has not been blessed.
	EntryPending EntryState = "pending"
	// EntryBad means the entry used up its tries without being blessed.
	EntryBad EntryState = "bad"
)

// Entry is one slot's boot entry as found on the ESP.
type Entry struct {
	Slot slot.Slot
	// Name is the file name in loader/entries.
	Name  string
	State EntryState
	// TriesLeft and TriesDone are the counter in the name, 0 without one.
	TriesLeft int
	TriesDone int
	// Generation is the entry's "version" field. The newest install has
	// the highest generation, so systemd-boot sorts it first.
	Generation int
}

// parseEntryName returns the slot and counter that name encodes, or ok
// false for a file that is not one of this package's entries.
func parseEntryName(name string) (e Entry, ok bool) {
	m := entryPattern.FindStringSubmatch(name)
	if m == nil {
		return Entry{}, false
	}

	e = Entry{Slot: slot.Slot(strings.ToUpper(m[1])), Name: name, State: EntryGood}
	if m[2] == "" {
		return e, true
	}
	left, err1 := strconv.Atoi(m[2])
	done := 0
	var err2 error
	if m[3] != "" {
		done, err2 = strconv.Atoi(m[3])
	}
	if err1 != nil || err2 != nil {
		return Entry{}, false
	}

	e.TriesLeft, e.TriesDone = left, done
	e.State = EntryPending
	if left == 0 {
		e.State = EntryBad
	}
	return e, true
}

// readEntries returns the entry of each slot found under esp. A slot with
// no entry gets State EntryNone. Two entries for one slot are an error,
// because the boot loader would pick between them unpredictably.
func readEntries(esp string) (map[slot.Slot]Entry, error) {
	entries := map[slot.Slot]Entry{
		slot.A: {Slot: slot.A, State: EntryNone},
		slot.B: {Slot: slot.B, State: EntryNone},
	}

	dir := filepath.Join(esp, entriesDir)
	files, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		// An unmounted ESP looks like one without entries, which would
		// report both slots empty.
		return nil, fmt.Errorf("%w: %s is missing; is the ESP mounted at %s?", ErrInvalidLayout, dir, esp)
	}
	if err != nil {
		return nil, fmt.Errorf("reading boot entries in %s: %w", dir, err)
	}
	for _, f := range files {
		e, ok := parseEntryName(f.Name())
		if !ok {
			continue
		}
		if prev := entries[e.Slot]; prev.State != EntryNone {
			return nil, fmt.Errorf("%w: slot %s has two entries, %s and %s", ErrInvalidLayout, e.Slot, prev.Name, e.Name)
		}
		generation, err := readGeneration(filepath.Join(dir, f.Name()))
		if err != nil {
			return nil, err
		}
		e.Generation = generation
		entries[e.Slot] = e
	}
	return entries, nil
}

// readGeneration returns the "version" field of an entry file.
func readGeneration(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("reading boot entry: %w", err)
	}

	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, value, _ := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		if key != "version" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(value))
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%w: boot entry %s has version %q, want a generation number", ErrInvalidLayout, path, value)
		}
		return n, nil
	}
	return 0, fmt.Errorf("%w: boot entry %s has no version line", ErrInvalidLayout, path)
}

// entryText returns the content of a boot entry for slot. options are the
// kernel options other than the root device and slot name.
func entryText(s slot.Slot, version string, generation int, options string) string {
	lower := strings.ToLower(string(s))
	cmdline := fmt.Sprintf("root=/dev/disk/by-partlabel/wenban-root-%s rootfstype=erofs ro %s=%s", lower, cmdlineSlotKey, s)
	if options != "" {
		cmdline += " " + options
	}

	var b strings.Builder
	fmt.Fprintf(&b, "title Wenban %s (slot %s)\n", version, s)
	fmt.Fprintf(&b, "sort-key wenban\n")
	fmt.Fprintf(&b, "version %d\n", generation)
	fmt.Fprintf(&b, "linux /%s/%s/%s\n", espSlotsDir, s, kernelName)
	fmt.Fprintf(&b, "initrd /%s/%s/%s\n", espSlotsDir, s, initrdName)
	fmt.Fprintf(&b, "options %s\n", cmdline)
	return b.String()
}

// entryName returns the file name of a new entry for slot with tries
// boot attempts, or a blessed entry when tries is 0.
func entryName(s slot.Slot, tries int) string {
	lower := strings.ToLower(string(s))
	if tries == 0 {
		return "wenban-" + lower + ".conf"
	}
	return fmt.Sprintf("wenban-%s+%d.conf", lower, tries)
}
