package auth

import (
	"fmt"
	"net"
	"time"

	"wenban/appliance/store"
)

// Login throttling. MaxFailures failed attempts for one login name from
// one client address within FailureWindow lock that name for that address
// for LockDuration, so a stranger guessing from elsewhere cannot lock a
// staff member out of their own seat. MaxNameFailures failures from all
// addresses together lock the name for every attempt without a device
// cookie, which bounds guessing spread over many addresses. Attempts with
// a valid device cookie (device.go) neither count toward nor meet that
// lock, so staff on a device they signed in from before can still log in.
// Their failures count per device instead, with the limit MaxFailures.
const (
	MaxFailures     = 5
	MaxNameFailures = 50
	FailureWindow   = 15 * time.Minute
	LockDuration    = 15 * time.Minute
)

// failureRecord tracks recent attempts for one login key in failuresBucket.
// Records exist for unknown login names too, so an unknown name locks
// exactly like a real one and lockouts do not reveal which names exist.
// The record contains only times, so it is stored plain.
type failureRecord struct {
	// Attempts are the failed attempts within FailureWindow plus any
	// attempt whose password is still being checked.
	Attempts    []time.Time `json:"attempts,omitempty"`
	LockedUntil time.Time   `json:"locked_until,omitzero"`
}

// reserve counts an attempt before its password is checked, so that many
// parallel attempts cannot all pass the limit at once. It returns a
// *LockedError when the login is locked.
func (f *failureRecord) reserve(now time.Time, limit int) error {
	if !f.LockedUntil.IsZero() && !now.Before(f.LockedUntil) {
		*f = failureRecord{}
	}
	if now.Before(f.LockedUntil) {
		return &LockedError{Remaining: f.LockedUntil.Sub(now)}
	}

	f.prune(now)
	if len(f.Attempts) >= limit {
		f.LockedUntil = now.Add(LockDuration)
		return &LockedError{Remaining: LockDuration}
	}
	f.Attempts = append(f.Attempts, now)
	return nil
}

// fail settles a reserved attempt as failed, locking the login when it
// was the last one allowed.
func (f *failureRecord) fail(now time.Time, limit int) {
	f.prune(now)
	if len(f.Attempts) >= limit && f.LockedUntil.IsZero() {
		f.LockedUntil = now.Add(LockDuration)
	}
}

func (f *failureRecord) prune(now time.Time) {
	cutoff := now.Add(-FailureWindow)
	kept := f.Attempts[:0]
	for _, t := range f.Attempts {
		if t.After(cutoff) {
			kept = append(kept, t)
		}
	}
	f.Attempts = kept
}

// stale reports whether the record no longer affects any login.
func (f *failureRecord) stale(now time.Time) bool {
	f.prune(now)
	return len(f.Attempts) == 0 && !now.Before(f.LockedUntil)
}

// reserveAttempt runs reserve on the stored record for lk inside tx. It
// returns the *LockedError separately from storage errors, because tx must
// commit either way for the lock to be stored. newlyLocked reports whether
// this attempt started the lock.
func reserveAttempt(tx *store.Tx, lk string, now time.Time, limit int) (locked error, newlyLocked bool, err error) {
	var f failureRecord
	if _, err := tx.Get(failuresBucket, lk, &f); err != nil {
		return nil, false, err
	}
	before := f.LockedUntil
	locked = f.reserve(now, limit)
	if err := tx.Put(failuresBucket, lk, f); err != nil {
		return nil, false, fmt.Errorf("storing login attempts: %w", err)
	}
	return locked, lockStarted(before, f.LockedUntil, now), nil
}

// lockStarted reports whether a record's LockedUntil changed from before
// to after into a lock that is on at now.
func lockStarted(before, after, now time.Time) bool {
	return !after.Equal(before) && now.Before(after)
}

// recordFailure runs fail on the stored record for lk. It reports whether
// the login is now locked and whether this failure started the lock.
func (s *Service) recordFailure(lk string, limit int) (locked, newlyLocked bool, err error) {
	now := s.now()
	err = s.db.Update(func(tx *store.Tx) error {
		var f failureRecord
		if _, err := tx.Get(failuresBucket, lk, &f); err != nil {
			return err
		}
		before := f.LockedUntil
		f.fail(now, limit)
		locked = now.Before(f.LockedUntil)
		newlyLocked = lockStarted(before, f.LockedUntil, now)
		return tx.Put(failuresBucket, lk, f)
	})
	if err != nil {
		return false, false, fmt.Errorf("recording failed login: %w", err)
	}
	return locked, newlyLocked, nil
}

// addressKey names the attempt record of one login name from one client
// address. It starts with the name's key, so clearing a name's records
// can find them by prefix, and the address is keyed with the index key, so
// no address lies in the database in plain form.
func (s *Service) addressKey(lk, remoteAddr string) (string, error) {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ak, err := s.loginKey("\x00address\x00" + host)
	if err != nil {
		return "", err
	}
	return lk + "/" + ak[:16], nil
}

// clearFailures deletes every attempt record of a login name: the
// name-wide one and those of each address and device.
func clearFailures(tx *store.Tx, lk string) error {
	var keys []string
	err := tx.Scan(failuresBucket, lk, func(key string, _ store.Decoder) error {
		keys = append(keys, key)
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := tx.Delete(failuresBucket, k); err != nil {
			return err
		}
	}
	return nil
}

// lockName locks a login name for logins from every address.
func (s *Service) lockName(lk string) error {
	now := s.now()
	err := s.db.Update(func(tx *store.Tx) error {
		var f failureRecord
		if _, err := tx.Get(failuresBucket, lk, &f); err != nil {
			return err
		}
		f.LockedUntil = now.Add(LockDuration)
		return tx.Put(failuresBucket, lk, f)
	})
	if err != nil {
		return fmt.Errorf("locking login name: %w", err)
	}
	return nil
}
