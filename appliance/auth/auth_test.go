package auth

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"wenban/appliance/seal"
	"wenban/appliance/store"
)

// testParams make argon2 cheap so the suite stays fast; production code
// uses defaultParams, which TestDefaultParams pins.
var testParams = hashParams{Time: 1, Memory: 64, Threads: 1, SaltLen: 16, KeyLen: 32}

var start = time.Date(2025, 3, 3, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// syncBuffer collects log output from concurrent goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type harness struct {
	svc    *Service
	clock  *fakeClock
	db     *store.DB
	path   string
	master *seal.MasterKey
	logs   *syncBuffer
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	key, err := seal.NewDataKey()
	if err != nil {
		t.Fatalf("NewDataKey: %v", err)
	}
	master, err := seal.NewMasterKey(key)
	if err != nil {
		t.Fatalf("NewMasterKey: %v", err)
	}
	path := filepath.Join(t.TempDir(), "wenban.db")
	db, err := store.Open(path, master)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })

	h := &harness{clock: &fakeClock{now: start}, db: db, path: path, master: master, logs: &syncBuffer{}}
	logger := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.svc = NewService(db, Options{Now: h.clock.Now, Logger: logger})
	h.svc.params = testParams
	return h
}

func (h *harness) create(t *testing.T, login, name string, role Role, password string) Account {
	t.Helper()
	a, err := h.svc.CreateAccount(context.Background(), login, name, role, password)
	if err != nil {
		t.Fatalf("CreateAccount(%s): %v", login, err)
	}
	return a
}

func (h *harness) login(t *testing.T, login, password string) Session {
	t.Helper()
	sess, err := h.svc.Login(context.Background(), login, password, "127.0.0.1:5000")
	if err != nil {
		t.Fatalf("Login(%s): %v", login, err)
	}
	return sess
}

// count returns the number of records in bucket.
func (h *harness) count(t *testing.T, bucket string) int {
	t.Helper()
	n := 0
	err := h.db.View(func(tx *store.Tx) error {
		return tx.Scan(bucket, "", func(string, store.Decoder) error {
			n++
			return nil
		})
	})
	if err != nil {
		t.Fatalf("counting %s: %v", bucket, err)
	}
	return n
}

func wantInputError(t *testing.T, err error, field string) *InputError {
	t.Helper()
	var input *InputError
	if !errors.As(err, &input) {
		t.Fatalf("error got %v, want *InputError for %s", err, field)
	}
	if input.Field != field {
		t.Errorf("InputError.Field got %q, want %q", input.Field, field)
	}
	if input.Message == "" {
		t.Errorf("InputError.Message is empty, want Chinese text")
	}
	return input
}

func TestNewServiceDefaults(t *testing.T) {
	tests := []struct {
		name     string
		opts     Options
		wantTTL  time.Duration
		wantIdle time.Duration
	}{
		{"zero", Options{}, DefaultSessionTTL, DefaultIdleTimeout},
		{"negative", Options{SessionTTL: -1, IdleTimeout: -1}, DefaultSessionTTL, DefaultIdleTimeout},
		{"set", Options{SessionTTL: time.Hour, IdleTimeout: 10 * time.Minute}, time.Hour, 10 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewService(nil, tt.opts)
			if s.ttl != tt.wantTTL {
				t.Errorf("ttl got %v, want %v", s.ttl, tt.wantTTL)
			}
			if s.idle != tt.wantIdle {
				t.Errorf("idle got %v, want %v", s.idle, tt.wantIdle)
			}
			if s.now == nil || s.log == nil {
				t.Errorf("now or log is nil, want defaults")
			}
			if s.params != defaultParams {
				t.Errorf("params got %+v, want defaultParams", s.params)
			}
		})
	}
}

func TestCanceledContextRejected(t *testing.T) {
	h := newHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	if _, err := h.svc.CreateAccount(ctx, "lisi", "李四", RoleAgent, "Li-Si-pass-2026"); !errors.Is(err, context.Canceled) {
		t.Errorf("CreateAccount got %v, want context.Canceled", err)
	}
	if _, err := h.svc.Login(ctx, "lisi", "x", ""); !errors.Is(err, context.Canceled) {
		t.Errorf("Login got %v, want context.Canceled", err)
	}
	if _, _, err := h.svc.Authenticate(ctx, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("Authenticate got %v, want context.Canceled", err)
	}
}
