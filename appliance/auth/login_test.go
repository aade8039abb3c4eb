package auth

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLoginSuccess(t *testing.T) {
	h := newHarness(t)
	a := h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")

	sess := h.login(t, " ZhangSan", "Zhang-2024-pass")
	checks := []struct {
		name      string
		got, want any
	}{
		{"account id", sess.AccountID, a.ID},
		{"token length", len(sess.Token), 43},
		{"csrf length", len(sess.CSRF), 43},
		{"id length", len(sess.ID), 16},
		{"created at", sess.CreatedAt.Equal(start), true},
		{"last seen", sess.LastSeen.Equal(start), true},
		{"expires at", sess.ExpiresAt.Equal(start.Add(DefaultSessionTTL)), true},
		{"token differs from csrf", sess.Token != sess.CSRF, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s got %v, want %v", c.name, c.got, c.want)
		}
	}

	other := h.login(t, "zhangsan", "Zhang-2024-pass")
	if other.Token == sess.Token || other.CSRF == sess.CSRF || other.ID == sess.ID {
		t.Errorf("second login reused a token, CSRF token or ID")
	}
}

func TestLoginBadCredentials(t *testing.T) {
	h := newHarness(t)
	h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")

	tests := []struct {
		name, login, password string
	}{
		{"wrong password", "zhangsan", "Zhang-2024-PASS"},
		{"empty password", "zhangsan", ""},
		{"unknown login", "lisi", "Zhang-2024-pass"},
		{"invalid login", "张三", "Zhang-2024-pass"},
		{"empty login", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.svc.Login(context.Background(), tt.login, tt.password, "127.0.0.1:1")
			if !errors.Is(err, ErrBadCredentials) {
				t.Errorf("Login got %v, want ErrBadCredentials", err)
			}
			if err != nil && err.Error() != ErrBadCredentials.Error() {
				t.Errorf("error text got %q, want the bare sentinel so causes cannot leak", err)
			}
		})
	}
	if n := h.count(t, sessionsBucket); n != 0 {
		t.Errorf("sessions after failed logins got %d, want 0", n)
	}
	if h.svc.dummyHash == "" {
		t.Errorf("dummy hash unset after unknown logins, want one argon2 run per unknown name")
	}
	if logs := h.logs.String(); strings.Contains(logs, "zhangsan") || strings.Contains(logs, "lisi") {
		t.Errorf("log contains a login name:\n%s", logs)
	}
}

func TestLoginLockout(t *testing.T) {
	for _, tc := range []struct {
		name  string
		login string
	}{
		{"existing login", "zhangsan"},
		{"unknown login", "nobody"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
			ctx := context.Background()

			for i := range MaxFailures {
				_, err := h.svc.Login(ctx, tc.login, "wrong-password", "")
				if !errors.Is(err, ErrBadCredentials) {
					t.Fatalf("attempt %d got %v, want ErrBadCredentials", i+1, err)
				}
				h.clock.Advance(time.Minute)
			}

			// Locked 15 minutes from the fifth failure, 1 minute ago.
			_, err := h.svc.Login(ctx, tc.login, "Zhang-2024-pass", "")
			var locked *LockedError
			if !errors.As(err, &locked) || !errors.Is(err, ErrLocked) {
				t.Fatalf("attempt after %d failures got %v, want *LockedError", MaxFailures, err)
			}
			if got := locked.Minutes(); got != 14 {
				t.Errorf("minutes left got %d, want 14", got)
			}
			if msg := UserMessage(err); !strings.Contains(msg, "14 分钟") {
				t.Errorf("UserMessage got %q, want it to state 14 分钟", msg)
			}

			h.clock.Advance(10 * time.Minute)
			_, err = h.svc.Login(ctx, tc.login, "Zhang-2024-pass", "")
			if !errors.As(err, &locked) || locked.Minutes() != 4 {
				t.Fatalf("after 10 more minutes got %v, want locked with 4 minutes left", err)
			}

			h.clock.Advance(4 * time.Minute)
			_, err = h.svc.Login(ctx, tc.login, "Zhang-2024-pass", "")
			if tc.login == "zhangsan" && err != nil {
				t.Errorf("login after the lock expired got %v, want success", err)
			}
			if tc.login == "nobody" && !errors.Is(err, ErrBadCredentials) {
				t.Errorf("login after the lock expired got %v, want ErrBadCredentials", err)
			}
		})
	}
}

func TestLoginFailuresOutsideWindowForgotten(t *testing.T) {
	h := newHarness(t)
	h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	ctx := context.Background()

	fail := func(n int) {
		t.Helper()
		for range n {
			if _, err := h.svc.Login(ctx, "zhangsan", "wrong-password", ""); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("failed login got %v, want ErrBadCredentials", err)
			}
		}
	}
	fail(MaxFailures - 1)
	h.clock.Advance(FailureWindow + time.Second)
	fail(MaxFailures - 1)

	if _, err := h.svc.Login(ctx, "zhangsan", "Zhang-2024-pass", ""); err != nil {
		t.Errorf("login after spread-out failures got %v, want success", err)
	}
}

func TestLoginSuccessResetsFailures(t *testing.T) {
	h := newHarness(t)
	h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	ctx := context.Background()

	for range 2 {
		for range MaxFailures - 1 {
			if _, err := h.svc.Login(ctx, "zhangsan", "wrong-password", ""); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("failed login got %v, want ErrBadCredentials", err)
			}
		}
		h.login(t, "zhangsan", "Zhang-2024-pass")
	}
	if n := h.count(t, failuresBucket); n != 0 {
		t.Errorf("attempt records after success got %d, want 0", n)
	}
}

func TestLoginParallelAttemptsBounded(t *testing.T) {
	h := newHarness(t)
	h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")

	const attempts = 20
	var wg sync.WaitGroup
	errs := make(chan error, attempts)
	for range attempts {
		wg.Go(func() {
			_, err := h.svc.Login(context.Background(), "zhangsan", "wrong-password", "")
			errs <- err
		})
	}
	wg.Wait()
	close(errs)

	checked := 0
	for err := range errs {
		switch {
		case errors.Is(err, ErrBadCredentials):
			checked++
		case errors.Is(err, ErrLocked):
		default:
			t.Errorf("parallel attempt got %v, want ErrBadCredentials or ErrLocked", err)
		}
	}
	if checked > MaxFailures {
		t.Errorf("passwords checked got %d of %d parallel attempts, want at most %d", checked, attempts, MaxFailures)
	}
}

func TestLoginDisabledAccount(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	a.Disabled = true
	if err := h.svc.Update(ctx, a); err != nil {
		t.Fatalf("Update: %v", err)
	}

	_, err := h.svc.Login(ctx, "zhangsan", "Zhang-2024-pass", "")
	if !errors.Is(err, ErrAccountDisabled) {
		t.Errorf("right password got %v, want ErrAccountDisabled", err)
	}
	_, err = h.svc.Login(ctx, "zhangsan", "wrong-password", "")
	if !errors.Is(err, ErrBadCredentials) {
		t.Errorf("wrong password got %v, want ErrBadCredentials", err)
	}
	if n := h.count(t, sessionsBucket); n != 0 {
		t.Errorf("sessions got %d, want 0", n)
	}

	a.Disabled = false
	if err := h.svc.Update(ctx, a); err != nil {
		t.Fatalf("re-enabling: %v", err)
	}
	h.login(t, "zhangsan", "Zhang-2024-pass")
}

func TestLoginUpgradesHashParams(t *testing.T) {
	h := newHarness(t)
	a := h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	stronger := testParams
	stronger.Time = 2
	h.svc.params = stronger

	h.login(t, "zhangsan", "Zhang-2024-pass")

	rec, err := h.svc.readAccount(a.ID)
	if err != nil {
		t.Fatalf("readAccount: %v", err)
	}
	parsed, err := parseHash(rec.PasswordHash)
	if err != nil {
		t.Fatalf("parseHash: %v", err)
	}
	if parsed.params != stronger {
		t.Errorf("stored params got %+v, want %+v", parsed.params, stronger)
	}
	h.login(t, "zhangsan", "Zhang-2024-pass")
}

func TestLogFailureRateLimited(t *testing.T) {
	h := newHarness(t)
	for range failureLogBurst + 5 {
		h.svc.logFailure("login failed: bad credentials", "127.0.0.1:1", "")
	}
	if got := strings.Count(h.logs.String(), "login failed"); got != failureLogBurst {
		t.Errorf("failure lines got %d, want %d", got, failureLogBurst)
	}

	h.clock.Advance(time.Minute)
	h.svc.logFailure("login failed: bad credentials", "127.0.0.1:1", "")
	if !strings.Contains(h.logs.String(), "count=5") {
		t.Errorf("log lacks the suppressed count of 5:\n%s", h.logs.String())
	}
}
