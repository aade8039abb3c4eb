package auth

import (
	"context"
	"errors"
	"fmt"

	"wenban/appliance/store"
)

// SetPassword changes the password of account id after checking its old
// one. A wrong old password returns an *InputError for old_password that
// wraps ErrBadCredentials and counts toward the login lockout, so a stolen
// session cannot be used to guess the password. Success clears
// MustChangePassword and ends every session of the account, including
// the caller's, so the web layer should log in again with the new password.
func (s *Service) SetPassword(ctx context.Context, id, oldPassword, newPassword string) error {
	if err := checkContext(ctx); err != nil {
		return err
	}
	rec, err := s.readAccount(id)
	if err != nil {
		return err
	}
	if rec.Disabled {
		return fmt.Errorf("changing password of account %s: %w", id, ErrAccountDisabled)
	}
	if err := validatePassword("new_password", newPassword, rec.Login); err != nil {
		return err
	}
	if newPassword == oldPassword {
		return inputError("new_password", "新密码不能与原密码相同。")
	}

	if err := s.checkOldPassword(rec, oldPassword); err != nil {
		return err
	}

	ended, err := s.replacePassword(id, newPassword, false)
	if err != nil {
		return err
	}
	s.log.Info("changed password", "account_id", id, "sessions_ended", ended)
	return nil
}

// changeKey names the attempt record of old-password checks. It is kept
// apart from the name-wide login record, which strangers' guesses fill, so
// their guesses cannot lock the owner out of changing their password.
func changeKey(lk string) string { return lk + "/change" }

// checkOldPassword verifies password under the same limits as Login.
func (s *Service) checkOldPassword(rec accountRecord, password string) error {
	var locked error
	err := s.db.Update(func(tx *store.Tx) error {
		var err error
		locked, _, err = reserveAttempt(tx, changeKey(rec.LoginKey), s.now(), MaxFailures)
		if err != nil || locked != nil {
			return err
		}
		locked, _, err = reserveAttempt(tx, rec.LoginKey, s.now(), MaxNameFailures)
		return err
	})
	if err != nil {
		return fmt.Errorf("starting password check: %w", err)
	}
	if locked != nil {
		return locked
	}

	ok, err := s.checkPassword(rec, true, password)
	if err != nil {
		return err
	}
	if !ok {
		locked, _, err := s.recordFailure(changeKey(rec.LoginKey), MaxFailures)
		if err != nil {
			return err
		}
		// Someone guessing the old password holds a live session, so the
		// name is then locked for logins everywhere too.
		if locked {
			if err := s.lockName(rec.LoginKey); err != nil {
				return err
			}
		}
		s.logFailure("password change rejected: wrong old password", "", rec.ID)
		return &InputError{Field: "old_password", Message: "原密码不正确。", Err: ErrBadCredentials}
	}
	return nil
}

// ResetPassword sets a new password for account id on behalf of the
// administrator adminID, who must be an enabled RoleAdmin account. The
// target must change the password at next login unless it is the
// administrator's own account. The reset also lifts a login lockout and
// ends the target's sessions.
func (s *Service) ResetPassword(ctx context.Context, adminID, id, newPassword string) error {
	if err := checkContext(ctx); err != nil {
		return err
	}
	admin, err := s.readAccount(adminID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if err != nil || !admin.isActiveAdmin() {
		return fmt.Errorf("resetting password as account %s: %w", adminID, ErrForbidden)
	}

	rec, err := s.readAccount(id)
	if err != nil {
		return err
	}
	if err := validatePassword("password", newPassword, rec.Login); err != nil {
		return err
	}

	// A handed-over password is known to whoever set it, so its owner
	// must replace it, even when an administrator resets their own.
	ended, err := s.replacePassword(id, newPassword, true)
	if err != nil {
		return err
	}
	s.log.Info("reset password", "account_id", id, "admin_id", adminID, "sessions_ended", ended)
	return nil
}

// replacePassword stores a hash of password for account id, clears its
// attempt record and ends its sessions.
func (s *Service) replacePassword(id, password string, mustChange bool) (int, error) {
	hash, err := hashPassword(s.params, password)
	if err != nil {
		return 0, err
	}

	var ended int
	err = s.db.Update(func(tx *store.Tx) error {
		if err := storeHash(tx, id, hash, mustChange, s.now()); err != nil {
			return err
		}
		rec, err := loadAccount(tx, id)
		if err != nil {
			return err
		}
		if err := clearFailures(tx, rec.LoginKey); err != nil {
			return err
		}
		ended, err = endSessions(tx, id)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("replacing password of account %s: %w", id, err)
	}
	return ended, nil
}

func (s *Service) readAccount(id string) (accountRecord, error) {
	var rec accountRecord
	err := s.db.View(func(tx *store.Tx) error {
		var err error
		rec, err = loadAccount(tx, id)
		return err
	})
	return rec, err
}
