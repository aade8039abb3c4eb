package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"wenban/appliance/store"
)

// Session is one signed-in browser.
type Session struct {
	// Token is the bearer secret for the session cookie. It is set only in
	// the Session that Login returns. The database keeps only its SHA-256.
	Token string `json:"-"`
	// DeviceToken is the value of the device cookie that a successful
	// login issues. Like Token it is set only in the Session that Login or
	// LoginDevice returns and is never stored. SetCookie sends it.
	DeviceToken string `json:"-"`
	ID          string `json:"id"` // for logs and session lists, grants nothing
	AccountID   string `json:"account_id"`
	// CSRF is the token unsafe requests must echo in the X-CSRF-Token header
	// or the csrf_token form field. Pages embed it, and no cookie carries it.
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"` // CreatedAt + SessionTTL, unless the idle timeout ends it sooner
}

// tokenLen is the length of a token from newToken: 32 bytes in unpadded
// base64url.
var tokenLen = base64.RawURLEncoding.EncodedLen(32)

// tokenKey returns the sessionsBucket key for token: hex(SHA-256(token)).
// A fast hash is enough because the token has 256 random bits.
func tokenKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// wellFormedToken rejects cookies that newToken cannot have made, so junk
// never reaches the database.
func wellFormedToken(token string) bool {
	if len(token) != tokenLen {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(token)
	return err == nil
}

func (s *Service) newSession(accountID string) (Session, error) {
	token, err := newToken()
	if err != nil {
		return Session{}, err
	}
	csrf, err := newToken()
	if err != nil {
		return Session{}, err
	}
	id, err := newID()
	if err != nil {
		return Session{}, err
	}
	now := s.now()
	return Session{
		Token: token, ID: id, AccountID: accountID, CSRF: csrf,
		CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(s.ttl),
	}, nil
}

func putSession(tx *store.Tx, sess Session) error {
	if err := tx.PutSealed(sessionsBucket, tokenKey(sess.Token), sess); err != nil {
		return fmt.Errorf("storing session %s: %w", sess.ID, err)
	}
	return nil
}

// expired reports whether the session has outlived its TTL or idle timeout.
func (s *Service) expired(sess Session, now time.Time) bool {
	return !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeen) >= s.idle
}

// touchInterval returns how stale LastSeen may get before Authenticate
// writes it back. Writing on every request would cost an fsync each, and the
// price of skipping is that the idle timeout may end a session up to this
// much early.
func (s *Service) touchInterval() time.Duration {
	return min(time.Minute, s.idle/10)
}

// Authenticate resolves a session token to its session and account and
// extends the idle timeout. It returns ErrNoSession for an unknown or
// malformed token, ErrSessionExpired past the TTL or idle timeout and
// ErrAccountDisabled for a disabled account. The last two also end the
// session. The returned Session has no Token.
func (s *Service) Authenticate(ctx context.Context, token string) (Session, Account, error) {
	if err := checkContext(ctx); err != nil {
		return Session{}, Account{}, err
	}
	if !wellFormedToken(token) {
		return Session{}, Account{}, ErrNoSession
	}
	key := tokenKey(token)

	sess, rec, err := s.readSession(key)
	if err != nil {
		return Session{}, Account{}, err
	}

	now := s.now()
	if reason := s.rejectReason(sess, rec, now); reason != nil {
		if err := s.deleteSession(key); err != nil {
			return Session{}, Account{}, err
		}
		return Session{}, Account{}, reason
	}

	if now.Sub(sess.LastSeen) >= s.touchInterval() {
		if sess, err = s.touchSession(key, now); err != nil {
			return Session{}, Account{}, err
		}
	}
	return sess, rec.public(), nil
}

// readSession loads the session at key and its account. A session whose
// account is gone returns an empty record, which rejectReason rejects.
func (s *Service) readSession(key string) (Session, accountRecord, error) {
	var sess Session
	var rec accountRecord
	err := s.db.View(func(tx *store.Tx) error {
		found, err := tx.GetSealed(sessionsBucket, key, &sess)
		if err != nil {
			return fmt.Errorf("reading session: %w", err)
		}
		if !found {
			return ErrNoSession
		}
		rec, err = loadAccount(tx, sess.AccountID)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	})
	return sess, rec, err
}

func (s *Service) rejectReason(sess Session, rec accountRecord, now time.Time) error {
	switch {
	case s.expired(sess, now):
		return ErrSessionExpired
	case rec.ID == "":
		return ErrNoSession
	case rec.Disabled:
		return ErrAccountDisabled
	}
	return nil
}

func (s *Service) touchSession(key string, now time.Time) (Session, error) {
	var sess Session
	err := s.db.Update(func(tx *store.Tx) error {
		// Reread: a concurrent Logout may have deleted the session.
		found, err := tx.GetSealed(sessionsBucket, key, &sess)
		if err != nil {
			return fmt.Errorf("reading session: %w", err)
		}
		if !found {
			return ErrNoSession
		}
		sess.LastSeen = now
		return tx.PutSealed(sessionsBucket, key, sess)
	})
	if err != nil {
		return Session{}, err
	}
	return sess, nil
}

func (s *Service) deleteSession(key string) error {
	err := s.db.Update(func(tx *store.Tx) error {
		return tx.Delete(sessionsBucket, key)
	})
	if err != nil {
		return fmt.Errorf("ending session: %w", err)
	}
	return nil
}

// Logout ends the session of token. An unknown or malformed token is not
// an error, so a double logout is harmless.
func (s *Service) Logout(ctx context.Context, token string) error {
	if err := checkContext(ctx); err != nil {
		return err
	}
	if !wellFormedToken(token) {
		return nil
	}

	key := tokenKey(token)
	var sess Session
	var found bool
	err := s.db.Update(func(tx *store.Tx) error {
		var err error
		if found, err = tx.GetSealed(sessionsBucket, key, &sess); err != nil || !found {
			return err
		}
		return tx.Delete(sessionsBucket, key)
	})
	if err != nil {
		return fmt.Errorf("logging out: %w", err)
	}
	if found {
		s.log.Info("logged out", "account_id", sess.AccountID, "session_id", sess.ID)
	}
	return nil
}

// CheckCSRF reports whether token is sess's CSRF token, in constant time.
// An empty token never matches.
func (s *Service) CheckCSRF(sess Session, token string) bool {
	if sess.CSRF == "" || token == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(sess.CSRF), []byte(token)) == 1
}

// endSessions deletes every session of accountID and returns how many.
func endSessions(tx *store.Tx, accountID string) (int, error) {
	var keys []string
	err := tx.ScanSealed(sessionsBucket, "", func(key string, decode store.Decoder) error {
		var sess Session
		if err := decode(&sess); err != nil {
			return err
		}
		if sess.AccountID == accountID {
			keys = append(keys, key)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("listing sessions of account %s: %w", accountID, err)
	}

	// Delete after the scan: bbolt cursors skip keys when the bucket
	// changes under them.
	if err := deleteAll(tx, sessionsBucket, keys); err != nil {
		return 0, err
	}
	return len(keys), nil
}
