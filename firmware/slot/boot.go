package slot

import (
	"fmt"
	"time"
)

// BootAttempt records one boot and returns the slot to start. A good
// active slot is returned unchanged. A pending active slot with attempts
// left spends one. A pending slot with none left, because it started
// BootTries times without being blessed, is marked bad, the other slot
// becomes active, and that slot is returned. When the change cannot be
// saved, BootAttempt returns the error and no slot, and the state is
// unchanged.
func (s *State) BootAttempt() (Slot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	active := s.data.record(s.data.Active)
	if active.Status == StatusGood {
		return s.data.Active, nil
	}

	var boot Slot
	err := s.change(func(d *stateFile, at time.Time) error {
		record := d.record(d.Active)
		if record.TriesLeft > 0 {
			record.TriesLeft--
			record.Updated = at
			boot = d.Active
			return nil
		}

		failed := d.Active
		*record = Record{Version: record.Version, Status: StatusBad, Updated: at}
		d.Active = failed.Other()
		d.LastResult = Result{Kind: ResultRolledBack, Slot: failed, Version: record.Version, At: at}
		boot = d.Active
		return nil
	})
	if err != nil {
		return "", err
	}
	return boot, nil
}

// Bless marks the running slot good once the system in it works. booted
// is the slot the running system started from. Blessing a slot that is
// already good does nothing, so the service may call Bless on every
// start. Only after Bless may Apply overwrite the other slot.
func (s *State) Bless(booted Slot) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	if _, err := ParseSlot(string(booted)); err != nil {
		return err
	}
	switch record := s.data.record(booted); record.Status {
	case StatusGood:
		return nil
	case StatusPending:
	default:
		return fmt.Errorf("%w: booted slot %s is %s", ErrNotBootable, booted, record.Status)
	}

	return s.change(func(d *stateFile, at time.Time) error {
		record := d.record(booted)
		*record = Record{Version: record.Version, Status: StatusGood, Updated: at}
		d.LastResult = Result{Kind: ResultBlessed, Slot: booted, Version: record.Version, At: at}
		return nil
	})
}
