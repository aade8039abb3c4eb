package slot

import (
	"fmt"
)

// Slot names a root slot.
type Slot string

// The two root slots.
const (
	A Slot = "A"
	B Slot = "B"
)

// ParseSlot parses "A" or "B".
func ParseSlot(s string) (Slot, error) {
	switch Slot(s) {
	case A, B:
		return Slot(s), nil
	}
	return "", fmt.Errorf("%w: %q, want A or B", ErrInvalidSlot, s)
}

// Other returns the slot that is not s.
func (s Slot) Other() Slot {
	if s == A {
		return B
	}
	return A
}

// String returns "A" or "B".
func (s Slot) String() string { return string(s) }

// UnmarshalText parses a slot with ParseSlot.
func (s *Slot) UnmarshalText(text []byte) error {
	parsed, err := ParseSlot(string(text))
	if err != nil {
		return err
	}
	*s = parsed
	return nil
}

// Status is the health of the system in a slot.
type Status string

const (
	// StatusEmpty means nothing has been installed in the slot.
	StatusEmpty Status = "empty"
	// StatusGood means the slot's system booted and was blessed, or was
	// provisioned at the factory.
	StatusGood Status = "good"
	// StatusPending means the slot holds a new install that has not been
	// blessed yet and has boot attempts left.
	StatusPending Status = "pending"
	// StatusBad means the slot's system used up its boot attempts without
	// being blessed.
	StatusBad Status = "bad"
)

// ParseStatus parses a status name.
func ParseStatus(s string) (Status, error) {
	switch Status(s) {
	case StatusEmpty, StatusGood, StatusPending, StatusBad:
		return Status(s), nil
	}
	return "", fmt.Errorf("unknown slot status %q, want empty, good, pending or bad", s)
}

// String returns the status name.
func (s Status) String() string { return string(s) }

// UnmarshalText parses a status with ParseStatus.
func (s *Status) UnmarshalText(text []byte) error {
	parsed, err := ParseStatus(string(text))
	if err != nil {
		return err
	}
	*s = parsed
	return nil
}
