package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"wenban/appliance/store"
)

// Login checks a login name and password and starts a session. Session is
// the only place its Token and DeviceToken are ever returned, so hand it
// to SetCookie.
//
// A wrong password and an unknown name both return ErrBadCredentials and
// take the same time, because an unknown name is checked against a dummy
// hash. After MaxFailures failures within FailureWindow the name is locked
// for LockDuration and Login returns a *LockedError, whether the name
// exists or not. A disabled account returns ErrAccountDisabled, but only
// after its password was verified. remoteAddr keys the per-address limit
// and is logged. Login carries no device cookie, so the name-wide lock
// always applies. Browser logins go through LoginDevice.
func (s *Service) Login(ctx context.Context, login, password, remoteAddr string) (Session, error) {
	return s.login(ctx, login, password, remoteAddr, nil)
}

// attempt is one login attempt between beginAttempt and its outcome.
type attempt struct {
	lk, ak     string // attempt record keys of the name and of the address
	remoteAddr string
	rec        accountRecord
	found      bool
	// dk is the attempt record key of the honoured device cookie, or ""
	// when the attempt falls under the name-wide lock.
	dk string
}

func (s *Service) login(ctx context.Context, login, password, remoteAddr string, cookies []*http.Cookie) (Session, error) {
	if err := checkContext(ctx); err != nil {
		return Session{}, err
	}
	s.sweepIfDue()

	a, deviceKey, err := s.newAttempt(login, remoteAddr)
	if err != nil {
		return Session{}, err
	}
	if err := s.beginAttempt(&a, deviceKey, cookies); err != nil {
		var locked *LockedError
		switch {
		case errors.As(err, &locked) && locked.NameWide:
			s.logFailure("login rejected: name-wide lock", remoteAddr, a.rec.ID)
		case errors.Is(err, ErrLocked):
			s.logFailure("login rejected: locked", remoteAddr, a.rec.ID)
		}
		return Session{}, err
	}

	release, err := s.acquireHash(ctx)
	if err != nil {
		s.logFailure("login rejected: password checks busy", remoteAddr, a.rec.ID)
		return Session{}, err
	}
	ok, err := s.checkPassword(a.rec, a.found, password)
	release()
	if err != nil {
		return Session{}, err
	}
	if !ok {
		return Session{}, s.failAttempt(a)
	}

	sess, err := s.finishLogin(a, password, deviceKey)
	if err != nil {
		return Session{}, err
	}
	s.log.Info("login succeeded", "account_id", a.rec.ID, "session_id", sess.ID,
		"remote_addr", remoteAddr, "device_cookie", a.dk != "")
	return sess, nil
}

// newAttempt computes the attempt record keys of login from remoteAddr
// and loads the device cookie key, all of which may write to the database
// and so must run before beginAttempt's transaction.
func (s *Service) newAttempt(login, remoteAddr string) (attempt, []byte, error) {
	lk, err := s.loginKey(normalizeLogin(login))
	if err != nil {
		return attempt{}, nil, err
	}
	ak, err := s.addressKey(lk, remoteAddr)
	if err != nil {
		return attempt{}, nil, err
	}
	deviceKey, err := s.loadDeviceKey()
	if err != nil {
		return attempt{}, nil, err
	}
	return attempt{lk: lk, ak: ak, remoteAddr: remoteAddr}, deviceKey, nil
}

// beginAttempt looks the account of a up and reserves the attempt in one
// transaction: against the address, then against the device cookie among
// cookies when it is valid for the account, and otherwise against the
// name. A device cookie locked by its own failures is not honoured, so its
// attempt falls under the name-wide lock.
func (s *Service) beginAttempt(a *attempt, deviceKey []byte, cookies []*http.Cookie) error {
	now := s.now()
	var locked error
	var nameLockStarted bool
	err := s.db.Update(func(tx *store.Tx) error {
		var err error
		a.rec, a.found, err = lookupLogin(tx, a.lk)
		if err != nil {
			return err
		}
		locked, _, err = reserveAttempt(tx, a.ak, now, MaxFailures)
		if err != nil || locked != nil {
			return err
		}

		if a.found {
			a.dk = trustedDevice(deviceKey, a.lk, a.rec.ID, deviceSubject(a.rec.ID, a.rec.PasswordHash), cookies, now)
		}
		if a.dk != "" {
			locked, _, err = reserveAttempt(tx, a.dk, now, MaxFailures)
			if err != nil || locked == nil {
				return err
			}
			a.dk = ""
		}

		locked, nameLockStarted, err = reserveAttempt(tx, a.lk, now, MaxNameFailures)
		var le *LockedError
		if errors.As(locked, &le) {
			le.NameWide = true
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("starting login attempt: %w", err)
	}
	if nameLockStarted {
		s.logNameLocked(a.rec.ID)
	}
	return locked
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

// failAttempt settles a as failed against the records beginAttempt
// reserved it on: the address, and the device cookie or else the name.
func (s *Service) failAttempt(a attempt) error {
	locked, _, err := s.recordFailure(a.ak, MaxFailures)
	if err != nil {
		return err
	}

	second, limit := a.lk, MaxNameFailures
	if a.dk != "" {
		second, limit = a.dk, MaxFailures
	}
	secondLocked, started, err := s.recordFailure(second, limit)
	if err != nil {
		return err
	}
	if started && a.dk == "" {
		s.logNameLocked(a.rec.ID)
	}

	msg := "login failed: bad credentials"
	if locked || secondLocked {
		msg = "login failed: name now locked"
	}
	s.logFailure(msg, a.remoteAddr, a.rec.ID)
	return ErrBadCredentials
}

// logNameLocked logs the start of a name-wide lock. It needs no rate
// limit of its own, because each lock takes MaxNameFailures failed
// attempts, which the failure log already limits.
func (s *Service) logNameLocked(accountID string) {
	account := slog.String("account_id", accountID)
	if accountID == "" {
		account = slog.Bool("account_known", false)
	}
	s.log.Warn("login name locked for clients without a device cookie",
		account, "failures", MaxNameFailures, "window", FailureWindow, "lock_duration", LockDuration)
}

// finishLogin clears the attempt records and stores a new session with a
// fresh device token, or returns ErrAccountDisabled for a disabled
// account. A hash made with older parameters is replaced.
//
// A login with a device cookie clears only its address's and device's
// records, because it never met the name-wide lock and must not reset the
// count of strangers' guesses. Other logins clear every record of the name.
func (s *Service) finishLogin(a attempt, password string, deviceKey []byte) (Session, error) {
	rec := a.rec
	upgrade := s.upgradedHash(rec.PasswordHash, password)
	sess, err := s.newSession(rec.ID)
	if err != nil {
		return Session{}, err
	}
	// The cookie binds the hash that will be stored after this login.
	stored := rec.PasswordHash
	if upgrade != "" {
		stored = upgrade
	}
	if sess.DeviceToken, err = newDeviceToken(deviceKey, deviceSubject(rec.ID, stored), s.now()); err != nil {
		return Session{}, err
	}

	err = s.db.Update(func(tx *store.Tx) error {
		if err := clearAttemptRecords(tx, a); err != nil {
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

func clearAttemptRecords(tx *store.Tx, a attempt) error {
	if a.dk == "" {
		return clearFailures(tx, a.rec.LoginKey)
	}
	return deleteAll(tx, failuresBucket, []string{a.ak, a.dk})
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
