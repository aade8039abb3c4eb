// Package auth manages staff accounts, login sessions and CSRF protection
// for the seat screen and the back office.
//
// Accounts, sessions and the login name index live in the record store.
// Account and session records are sealed, the index is keyed by an HMAC of
// the login name and sessions are keyed by a SHA-256 of their token, so
// neither staff names nor session tokens reach the disk in plain text.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"wenban/appliance/store"
)

// Defaults for Options.
const (
	DefaultSessionTTL  = 12 * time.Hour
	DefaultIdleTimeout = 2 * time.Hour
)

// Options configures a Service.
type Options struct {
	// SessionTTL is the longest a session lives after login, however busy
	// it is. Zero or negative means DefaultSessionTTL (12 hours).
	SessionTTL time.Duration
	// IdleTimeout ends a session that has served no request for this long.
	// Zero or negative means DefaultIdleTimeout (2 hours).
	IdleTimeout time.Duration
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
	// Logger receives account and login events. Nil discards them.
	Logger *slog.Logger
	// OnDenied writes the response when Middleware rejects a request. err
	// is ErrNoSession, ErrSessionExpired, ErrAccountDisabled, ErrCSRF or a
	// storage failure. Nil means a plain-text reply with UserMessage(err)
	// and status 401, 403 or 500.
	OnDenied func(w http.ResponseWriter, r *http.Request, err error)
}

// Service is the account and session authority. It is safe for concurrent
// use.
type Service struct {
	db       *store.DB
	ttl      time.Duration
	idle     time.Duration
	now      func() time.Time
	log      *slog.Logger
	onDenied func(http.ResponseWriter, *http.Request, error)

	// params hashes new passwords. Tests lower it to keep argon2 cheap.
	params hashParams

	mu        sync.Mutex
	indexKey  []byte
	deviceKey []byte
	lastSweep time.Time

	dummyOnce sync.Once
	dummyHash string

	failureLog logLimiter

	// hashSlots bounds concurrent argon2 runs: each takes about 19 MiB,
	// so a flood of logins under made-up names could otherwise exhaust
	// memory and starve the citizens' bot.
	hashSlots chan struct{}
}

// MaxConcurrentHashes is the number of password checks run at once; more
// wait up to HashWait and are then refused with ErrBusy.
const (
	MaxConcurrentHashes = 4
	HashWait            = 5 * time.Second
)

// acquireHash waits for a password-check slot.
func (s *Service) acquireHash(ctx context.Context) (func(), error) {
	timer := time.NewTimer(HashWait)
	defer timer.Stop()
	select {
	case s.hashSlots <- struct{}{}:
		return func() { <-s.hashSlots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-timer.C:
		return nil, ErrBusy
	}
}

// NewService returns a Service over db. It touches the database only when
// first used.
func NewService(db *store.DB, opts Options) *Service {
	s := &Service{
		db:       db,
		ttl:      opts.SessionTTL,
		idle:     opts.IdleTimeout,
		now:      opts.Now,
		log:      opts.Logger,
		onDenied: opts.OnDenied,
		params:   defaultParams,

		hashSlots: make(chan struct{}, MaxConcurrentHashes),
	}
	if s.ttl <= 0 {
		s.ttl = DefaultSessionTTL
	}
	if s.idle <= 0 {
		s.idle = DefaultIdleTimeout
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = s.log.With("component", "auth")
	return s
}

// Bucket names in the record store.
const (
	metaBucket     = "auth_meta"
	accountsBucket = "auth_accounts"
	loginsBucket   = "auth_logins"
	sessionsBucket = "auth_sessions"
	failuresBucket = "auth_failures"
)

// randomBytes returns n bytes from crypto/rand.
func randomBytes(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("reading %d random bytes: %w", n, err)
	}
	return b, nil
}

// newID returns a random 16-hex-digit record ID. IDs are not secrets. They
// are random only so that they reveal neither order nor count.
func newID() (string, error) {
	b, err := randomBytes(8)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// newToken returns 32 random bytes in unpadded base64url.
func newToken() (string, error) {
	b, err := randomBytes(32)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func checkContext(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	return nil
}
