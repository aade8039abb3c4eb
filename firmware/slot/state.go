package slot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"wenban/firmware/semver"
)

// BootTries is the number of boot attempts a pending slot gets.
const BootTries = 3

// stateFormat is the "format" value of the state file this package writes.
const stateFormat = 1

// maxStateSize bounds the state file read. A valid file is under 1 KiB.
const maxStateSize = 64 << 10

// Record is the state of one slot.
type Record struct {
	// Version is the firmware version installed in the slot. It is zero
	// for an empty slot.
	Version semver.Version `json:"version,omitzero"`
	Status  Status         `json:"status"`
	// TriesLeft is the number of boot attempts a pending slot has left.
	// It is 0 in every other status.
	TriesLeft int `json:"tries_left"`
	// Updated is when the record last changed.
	Updated time.Time `json:"updated,omitzero"`
}

// ResultKind names what the last state change did.
type ResultKind string

const (
	// ResultProvisioned means the state was created by Create.
	ResultProvisioned ResultKind = "provisioned"
	// ResultInstalled means Apply wrote a new version, now pending.
	ResultInstalled ResultKind = "installed"
	// ResultBlessed means Bless marked the pending version good.
	ResultBlessed ResultKind = "blessed"
	// ResultRolledBack means a pending version used up its boot attempts
	// and the other slot became active again.
	ResultRolledBack ResultKind = "rolled_back"
)

// Result records the last state change.
type Result struct {
	Kind ResultKind `json:"kind"`
	// Slot and Version name the slot and version the change concerned:
	// the slot written, blessed or abandoned.
	Slot    Slot           `json:"slot"`
	Version semver.Version `json:"version"`
	At      time.Time      `json:"at"`
}

// stateFile is the JSON form of the state file.
type stateFile struct {
	Format     int    `json:"format"`
	Active     Slot   `json:"active"`
	A          Record `json:"a"`
	B          Record `json:"b"`
	LastResult Result `json:"last_result"`
}

// State is the boot state of both slots, backed by a file. Methods that
// change it save it before returning, and leave it unchanged on error.
// A State is safe for concurrent use, and an advisory lock on path+".lock"
// serialises changes between processes.
type State struct {
	mu   sync.Mutex
	path string
	now  func() time.Time

	data stateFile
	// raw is the file content data was loaded from or saved as. A change
	// fails with ErrStateChanged when the file no longer holds raw.
	raw []byte
}

// Create writes a new state file in which slot active holds version and
// is good, and the other slot is empty. It is for provisioning a
// terminal and fails if path exists.
func Create(path string, active Slot, version semver.Version) (*State, error) {
	if _, err := ParseSlot(string(active)); err != nil {
		return nil, err
	}
	if version.IsZero() {
		return nil, fmt.Errorf("%w: initial version must be greater than 0.0.0", ErrInvalidState)
	}

	s := &State{path: path, now: time.Now}
	at := s.now().UTC()
	data := stateFile{
		Format:     stateFormat,
		Active:     active,
		A:          Record{Status: StatusEmpty},
		B:          Record{Status: StatusEmpty},
		LastResult: Result{Kind: ResultProvisioned, Slot: active, Version: version, At: at},
	}
	*data.record(active) = Record{Version: version, Status: StatusGood, Updated: at}

	unlock, err := lock(path)
	if err != nil {
		return nil, err
	}
	defer unlock()

	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("creating slot state %s: %w", path, os.ErrExist)
	}
	if err := s.commit(data); err != nil {
		return nil, err
	}
	return s, nil
}

// Load reads and validates the state file at path.
func Load(path string) (*State, error) {
	raw, err := readStateFile(path)
	if err != nil {
		return nil, err
	}
	data, err := decodeState(raw)
	if err != nil {
		return nil, fmt.Errorf("slot state %s: %w", path, err)
	}
	return &State{path: path, now: time.Now, data: data, raw: raw}, nil
}

// Path returns the state file path.
func (s *State) Path() string { return s.path }

// Active returns the slot that boots next: the running slot, or the slot
// Apply just wrote.
func (s *State) Active() Slot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data.Active
}

// Record returns the record of slot.
func (s *State) Record(slot Slot) Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.data.record(slot)
}

// LastResult returns the last recorded state change.
func (s *State) LastResult() Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data.LastResult
}

// WriteTarget returns the slot Apply would write: the slot that is not
// active. It fails with ErrNotBlessed while the active slot is pending,
// because the other slot then holds the last good system.
func (s *State) WriteTarget() (Slot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data.writeTarget()
}

func (d *stateFile) writeTarget() (Slot, error) {
	active := d.record(d.Active)
	if active.Status != StatusGood {
		return "", fmt.Errorf("%w: active slot %s is %s with version %s; reboot and bless it first",
			ErrNotBlessed, d.Active, active.Status, active.Version)
	}
	return d.Active.Other(), nil
}

func (d *stateFile) record(slot Slot) *Record {
	if slot == A {
		return &d.A
	}
	return &d.B
}

// change applies edit to a copy of the state and saves the copy. It holds
// the cross-process lock and checks that the file still holds what this
// State last read or wrote, so two processes never overwrite each
// other's changes.
func (s *State) change(edit func(d *stateFile, at time.Time) error) error {
	unlock, err := lock(s.path)
	if err != nil {
		return err
	}
	defer unlock()

	onDisk, err := readStateFile(s.path)
	if err != nil {
		return err
	}
	if !bytes.Equal(onDisk, s.raw) {
		return fmt.Errorf("%w: %s", ErrStateChanged, s.path)
	}

	next := s.data
	if err := edit(&next, s.now().UTC()); err != nil {
		return err
	}
	return s.commit(next)
}

// commit validates data, writes it and adopts it as the current state.
func (s *State) commit(data stateFile) error {
	if err := data.validate(); err != nil {
		return fmt.Errorf("saving slot state %s: %w", s.path, err)
	}

	raw, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding slot state: %w", err)
	}
	raw = append(raw, '\n')

	if err := writeFileAtomic(s.path, raw); err != nil {
		return err
	}
	s.data = data
	s.raw = raw
	return nil
}

func readStateFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening slot state: %w", err)
	}
	defer f.Close()

	raw, err := io.ReadAll(io.LimitReader(f, maxStateSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading slot state %s: %w", path, err)
	}
	if len(raw) > maxStateSize {
		return nil, fmt.Errorf("%w: %s is over %d bytes", ErrInvalidState, path, maxStateSize)
	}
	return raw, nil
}

func decodeState(raw []byte) (stateFile, error) {
	var data stateFile
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&data); err != nil {
		return stateFile{}, fmt.Errorf("%w: %w", ErrInvalidState, err)
	}
	if dec.More() {
		return stateFile{}, fmt.Errorf("%w: data after the JSON object", ErrInvalidState)
	}

	if err := data.validate(); err != nil {
		return stateFile{}, err
	}
	return data, nil
}

// validate checks the invariants every saved state keeps.
func (d *stateFile) validate() error {
	if d.Format != stateFormat {
		return fmt.Errorf("%w: format %d, want %d", ErrInvalidState, d.Format, stateFormat)
	}
	if _, err := ParseSlot(string(d.Active)); err != nil {
		return fmt.Errorf("%w: active: %w", ErrInvalidState, err)
	}
	for _, slot := range []Slot{A, B} {
		if err := d.record(slot).validate(); err != nil {
			return fmt.Errorf("%w: slot %s: %w", ErrInvalidState, slot, err)
		}
	}

	active, other := d.record(d.Active), d.record(d.Active.Other())
	switch {
	case active.Status != StatusGood && active.Status != StatusPending:
		return fmt.Errorf("%w: active slot %s is %s", ErrInvalidState, d.Active, active.Status)
	case other.Status == StatusPending:
		return fmt.Errorf("%w: inactive slot %s is pending", ErrInvalidState, d.Active.Other())
	case active.Status == StatusPending && other.Status != StatusGood:
		// Apply only makes a slot pending while the other is good, and a
		// pending slot must have a good slot to fall back to.
		return fmt.Errorf("%w: slot %s is pending but fallback slot %s is %s",
			ErrInvalidState, d.Active, d.Active.Other(), other.Status)
	}
	return nil
}

func (r Record) validate() error {
	if _, err := ParseStatus(string(r.Status)); err != nil {
		return err
	}

	switch {
	case r.Status == StatusEmpty && !r.Version.IsZero():
		return fmt.Errorf("empty slot has version %s", r.Version)
	case r.Status != StatusEmpty && r.Version.IsZero():
		return fmt.Errorf("%s slot has no version", r.Status)
	case r.Status == StatusPending && (r.TriesLeft < 0 || r.TriesLeft > BootTries):
		return fmt.Errorf("pending slot has %d tries left, want 0 to %d", r.TriesLeft, BootTries)
	case r.Status != StatusPending && r.TriesLeft != 0:
		return fmt.Errorf("%s slot has %d tries left, want 0", r.Status, r.TriesLeft)
	}
	return nil
}

// writeFileAtomic replaces path with data so that a crash leaves either
// the old or the new content: it writes a temporary file in the same
// directory, syncs it, renames it over path and syncs the directory.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("creating temporary slot state in %s: %w", dir, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed

	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing temporary slot state %s: %w", tmp.Name(), err)
	}

	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replacing slot state %s: %w", path, err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("opening directory %s: %w", dir, err)
	}
	defer d.Close()

	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing directory %s: %w", dir, err)
	}
	return nil
}
