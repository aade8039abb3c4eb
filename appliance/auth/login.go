package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"wenban/appliance/store"
)

// Login checks a login name and password and starts a session. Session is
// the only place its Token is ever returned, so hand it to SetCookie.
//
// A wrong password and an unknown name both return ErrBadCredentials and
// take the same time, because an unknown name is checked against a dummy
// hash. After MaxFailures failures within FailureWindow the name is locked
// for LockDuration and Login returns a *LockedError, whether the name
// exists or not. A disabled account returns ErrAccountDisabled, but only
// after its password was verified. remoteAddr is only logged.
func (s *Service) Login(ctx context.Context, login, password, remoteAddr string) (Session, error) {
	if err := checkContext(ctx); err != nil {
		return Session{}, err
	}
	s.sweepIfDue()

	login = normalizeLogin(login)
	lk, err := s.loginKey(login)
	if err != nil {
		return Session{}, err
	}

	ak, err := s.addressKey(lk, remoteAddr)
	if err != nil {
		return Session{}, err
	}
	rec, found, err := s.beginAttempt(lk, ak)
	if err != nil {
		if errors.Is(err, ErrLocked) {
			s.logFailure("login rejected: locked", remoteAddr, rec.ID)
		}
		return Session{}, err
	}

	release, err := s.acquireHash(ctx)
	if err != nil {
		s.logFailure("login rejected: password checks busy", remoteAddr, rec.ID)
		return Session{}, err
	}
	ok, err := s.checkPassword(rec, found, password)
	release()
	if err != nil {
		return Session{}, err
	}
	if !ok {
		return Session{}, s.failAttempt(lk, ak, remoteAddr, rec.ID)
	}

	sess, err := s.finishLogin(rec, password)
	if err != nil {
		return Session{}, err
	}
	s.log.Info("login succeeded", "account_id", rec.ID, "session_id", sess.ID, "remote_addr", remoteAddr)
	return sess, nil
}

// beginAttempt reserves an attempt for lk and looks its account up in the
// same transaction.
func (s *Service) beginAttempt(lk, ak string) (accountRecord, bool, error) {
	now := s.now()
	var rec accountRecord
	var found bool
	var locked error
	err := s.db.Update(func(tx *store.Tx) error {
		var err error
		rec, found, err = lookupLogin(tx, lk)
		if err != nil {
			return err
		}
		locked, err = reserveAttempt(tx, ak, now, MaxFailures)
		if err != nil || locked != nil {
			return err
		}
		locked, err = reserveAttempt(tx, lk, now, MaxNameFailures)
		return err
	})
	if err != nil {
		return accountRecord{}, false, fmt.Errorf("starting login attempt: %w", err)
	}
	return rec, found, locked
}

// checkPassword verifies password against rec, or against the dummy hash
// when the account was not found, so both paths cost one argon2 run.
func (s *Service) checkPassword(rec accountRecord, found bool, password string) (bool, error) {
	if !found {
		s.verifyDummy(password)
		return false, nil
	}
	ok, _, err := verifyPassword(rec.PasswordHash, password)
	if err != nil {
		return false, fmt.Errorf("checking password of account %s: %w", rec.ID, err)
	}
	return ok, nil
}

func (s *Service) failAttempt(lk, ak, remoteAddr, accountID string) error {
	locked, err := s.recordFailure(ak, MaxFailures)
	if err != nil {
		return err
	}
	nameLocked, err := s.recordFailure(lk, MaxNameFailures)
	if err != nil {
		return err
	}
	locked = locked || nameLocked
	msg := "login failed: bad credentials"
	if locked {
		msg = "login failed: name now locked"
	}
	s.logFailure(msg, remoteAddr, accountID)
	return ErrBadCredentials
}

// finishLogin clears the attempt record and stores a new session, or
// returns ErrAccountDisabled for a disabled account. A hash made with older parameters is replaced.
func (s *Service) finishLogin(rec accountRecord, password string) (Session, error) {
	upgrade := s.upgradedHash(rec.PasswordHash, password)
	sess, err := s.newSession(rec.ID)
	if err != nil {
		return Session{}, err
	}

	err = s.db.Update(func(tx *store.Tx) error {
		if err := clearFailures(tx, rec.LoginKey); err != nil {
			return err
		}
		if rec.Disabled {
			return nil
		}
		if upgrade != "" {
			if err := storeHash(tx, rec.ID, upgrade, rec.MustChangePassword, s.now()); err != nil {
				return err
			}
		}
		return putSession(tx, sess)
	})
	if err != nil {
		return Session{}, fmt.Errorf("starting session for account %s: %w", rec.ID, err)
	}
	if rec.Disabled {
		return Session{}, fmt.Errorf("logging in to account %s: %w", rec.ID, ErrAccountDisabled)
	}
	return sess, nil
}

// upgradedHash returns a new hash of password when stored was made with
// parameters other than the service's, or "" when it needs no change.
func (s *Service) upgradedHash(stored, password string) string {
	h, err := parseHash(stored)
	if err != nil || h.params == s.params {
		return ""
	}
	upgrade, err := hashPassword(s.params, password)
	if err != nil {
		s.log.Warn("rehashing password failed", "err", err)
		return ""
	}
	return upgrade
}

// storeHash replaces the password hash of account id, rereading the record
// so concurrent edits of other fields survive.
func storeHash(tx *store.Tx, id, hash string, mustChange bool, now time.Time) error {
	rec, err := loadAccount(tx, id)
	if err != nil {
		return err
	}
	rec.PasswordHash, rec.MustChangePassword, rec.UpdatedAt = hash, mustChange, now
	if err := tx.PutSealed(accountsBucket, id, rec); err != nil {
		return fmt.Errorf("storing password of account %s: %w", id, err)
	}
	return nil
}

// logFailure logs a rejected login at warning level, at most
// failureLogBurst lines a minute.
func (s *Service) logFailure(msg, remoteAddr, accountID string) {
	allowed, suppressed := s.failureLog.allow(s.now())
	if suppressed > 0 {
		s.log.Warn("login failure lines suppressed", "count", suppressed)
	}
	if !allowed {
		return
	}
	if accountID == "" {
		s.log.Warn(msg, "remote_addr", remoteAddr, "account_known", false)
		return
	}
	s.log.Warn(msg, "remote_addr", remoteAddr, "account_id", accountID)
}
