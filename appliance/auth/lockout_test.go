package auth

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestFailureRecord(t *testing.T) {
	type step struct {
		at      time.Duration // since start
		op      string        // "reserve", "fail"
		wantErr bool          // reserve only: want *LockedError
	}
	tests := []struct {
		name       string
		steps      []step
		wantLocked time.Duration // LockedUntil since start, 0 for none
	}{
		{
			name: "four failures stay open",
			steps: []step{
				{0, "reserve", false}, {0, "fail", false},
				{1 * time.Minute, "reserve", false}, {1 * time.Minute, "fail", false},
				{2 * time.Minute, "reserve", false}, {2 * time.Minute, "fail", false},
				{3 * time.Minute, "reserve", false}, {3 * time.Minute, "fail", false},
			},
		},
		{
			name: "fifth failure locks",
			steps: []step{
				{0, "reserve", false}, {0, "fail", false},
				{0, "reserve", false}, {0, "fail", false},
				{0, "reserve", false}, {0, "fail", false},
				{0, "reserve", false}, {0, "fail", false},
				{time.Minute, "reserve", false}, {time.Minute, "fail", false},
				{2 * time.Minute, "reserve", true},
			},
			wantLocked: time.Minute + LockDuration,
		},
		{
			name: "in-flight attempts count",
			steps: []step{
				{0, "reserve", false}, {0, "reserve", false}, {0, "reserve", false},
				{0, "reserve", false}, {0, "reserve", false}, {0, "reserve", true},
			},
			wantLocked: LockDuration,
		},
		{
			name: "lock expires and resets",
			steps: []step{
				{0, "reserve", false}, {0, "reserve", false}, {0, "reserve", false},
				{0, "reserve", false}, {0, "reserve", false}, {0, "reserve", true},
				{LockDuration, "reserve", false},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f failureRecord
			for i, st := range tt.steps {
				now := start.Add(st.at)
				if st.op == "fail" {
					f.fail(now, MaxFailures)
					continue
				}
				err := f.reserve(now, MaxFailures)
				var locked *LockedError
				if got := errors.As(err, &locked); got != st.wantErr {
					t.Fatalf("step %d: reserve got %v, want locked %v", i, err, st.wantErr)
				}
			}

			var want time.Time
			if tt.wantLocked > 0 {
				want = start.Add(tt.wantLocked)
			}
			if !f.LockedUntil.Equal(want) {
				t.Errorf("LockedUntil got %v, want %v", f.LockedUntil, want)
			}
		})
	}
}

func TestFailureRecordStale(t *testing.T) {
	var f failureRecord
	if err := f.reserve(start, MaxFailures); err != nil {
		t.Fatalf("reserve: %v", err)
	}
	f.fail(start, MaxFailures)

	if f.stale(start.Add(FailureWindow - time.Second)) {
		t.Errorf("record inside the window reported stale")
	}
	if !f.stale(start.Add(FailureWindow)) {
		t.Errorf("record past the window not reported stale")
	}

	locked := failureRecord{LockedUntil: start.Add(time.Hour)}
	if locked.stale(start.Add(30 * time.Minute)) {
		t.Errorf("record with an active lock reported stale")
	}
}

func TestLockedErrorMinutes(t *testing.T) {
	tests := []struct {
		remaining time.Duration
		want      int
	}{
		{time.Second, 1},
		{time.Minute, 1},
		{time.Minute + time.Second, 2},
		{15 * time.Minute, 15},
		{0, 1},
	}
	for _, tt := range tests {
		e := &LockedError{Remaining: tt.remaining}
		if got := e.Minutes(); got != tt.want {
			t.Errorf("Minutes for %v got %d, want %d", tt.remaining, got, tt.want)
		}
		if !errors.Is(e, ErrLocked) {
			t.Errorf("errors.Is(LockedError, ErrLocked) got false, want true")
		}
	}
}

func TestLockoutIsPerAddress(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")

	for range MaxFailures {
		if _, err := h.svc.Login(ctx, "zhangsan", "wrong-password", "192.0.2.7:4000"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("wrong guess: got %v, want ErrBadCredentials", err)
		}
	}
	if _, err := h.svc.Login(ctx, "zhangsan", "Zhang-2024-pass", "192.0.2.7:4001"); !errors.Is(err, ErrLocked) {
		t.Errorf("right password from the guessing address: got %v, want ErrLocked", err)
	}
	if _, err := h.svc.Login(ctx, "zhangsan", "Zhang-2024-pass", "198.51.100.3:5000"); err != nil {
		t.Errorf("right password from another address: got %v, want a session", err)
	}
}

func TestLockoutNameWideLimit(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")

	// Guesses spread over many addresses, each under its own limit, still
	// lock the name once they reach the name-wide limit.
	for i := range MaxNameFailures {
		addr := fmt.Sprintf("10.0.%d.%d:4000", i/200, i%200)
		if _, err := h.svc.Login(ctx, "zhangsan", "wrong-password", addr); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("guess %d: got %v, want ErrBadCredentials", i, err)
		}
	}
	if _, err := h.svc.Login(ctx, "zhangsan", "Zhang-2024-pass", "198.51.100.3:5000"); !errors.Is(err, ErrLocked) {
		t.Errorf("after %d spread guesses: got %v, want ErrLocked", MaxNameFailures, err)
	}
}

func TestStrangersCannotBlockPasswordChange(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")

	// Wrong guesses from elsewhere fill the name-wide record, which the
	// owner's change of password must not share.
	for i := range MaxFailures {
		addr := fmt.Sprintf("203.0.113.%d:4000", i+1)
		if _, err := h.svc.Login(ctx, "zhangsan", "wrong-password", addr); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("guess %d: got %v", i, err)
		}
	}
	if err := h.svc.SetPassword(ctx, a.ID, "Zhang-2024-pass", "Zhang-2025-pass"); err != nil {
		t.Errorf("owner changing the password after strangers' guesses: got %v, want success", err)
	}
}
