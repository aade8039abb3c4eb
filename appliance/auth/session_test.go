package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestAuthenticate(t *testing.T) {
	h := newHarness(t)
	a := h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	sess := h.login(t, "zhangsan", "Zhang-2024-pass")

	got, acct, err := h.svc.Authenticate(context.Background(), sess.Token)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if got.ID != sess.ID || got.CSRF != sess.CSRF || got.AccountID != a.ID {
		t.Errorf("session got %+v, want the one from Login", got)
	}
	if got.Token != "" {
		t.Errorf("Authenticate returned the token, want it only from Login")
	}
	if acct.ID != a.ID || acct.DisplayName != "张三" || acct.PasswordHash != "" {
		t.Errorf("account got %+v, want zhangsan without hash", acct)
	}
}

func TestAuthenticateRejectsTokens(t *testing.T) {
	h := newHarness(t)
	h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	sess := h.login(t, "zhangsan", "Zhang-2024-pass")
	unknown, err := newToken()
	if err != nil {
		t.Fatalf("newToken: %v", err)
	}

	tests := []struct {
		name, token string
	}{
		{"empty", ""},
		{"unknown", unknown},
		{"truncated", sess.Token[:42]},
		{"padded", sess.Token + "="},
		{"standard base64 chars", "+" + sess.Token[1:]},
		{"session id", sess.ID},
		{"csrf token", sess.CSRF},
		{"token hash", tokenKey(sess.Token)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := h.svc.Authenticate(context.Background(), tt.token); !errors.Is(err, ErrNoSession) {
				t.Errorf("Authenticate got %v, want ErrNoSession", err)
			}
		})
	}
}

func TestSessionIdleTimeoutSlides(t *testing.T) {
	h := newHarness(t)
	h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	sess := h.login(t, "zhangsan", "Zhang-2024-pass")
	ctx := context.Background()

	// Three requests 90 minutes apart: 4.5 hours in all, well past the
	// 2-hour idle timeout, but never 2 hours idle.
	for i := range 3 {
		h.clock.Advance(90 * time.Minute)
		got, _, err := h.svc.Authenticate(ctx, sess.Token)
		if err != nil {
			t.Fatalf("request %d: Authenticate got %v, want success", i+1, err)
		}
		if !got.LastSeen.Equal(h.clock.Now()) {
			t.Errorf("request %d: LastSeen got %v, want %v", i+1, got.LastSeen, h.clock.Now())
		}
	}

	h.clock.Advance(DefaultIdleTimeout)
	if _, _, err := h.svc.Authenticate(ctx, sess.Token); !errors.Is(err, ErrSessionExpired) {
		t.Errorf("after 2 idle hours got %v, want ErrSessionExpired", err)
	}
	if _, _, err := h.svc.Authenticate(ctx, sess.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("expired session still stored: got %v, want ErrNoSession", err)
	}
	if n := h.count(t, sessionsBucket); n != 0 {
		t.Errorf("sessions after expiry got %d, want 0", n)
	}
}

func TestSessionTouchSkipsRecentWrites(t *testing.T) {
	h := newHarness(t)
	h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	sess := h.login(t, "zhangsan", "Zhang-2024-pass")

	h.clock.Advance(30 * time.Second)
	got, _, err := h.svc.Authenticate(context.Background(), sess.Token)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if !got.LastSeen.Equal(start) {
		t.Errorf("LastSeen after 30 s got %v, want unchanged %v", got.LastSeen, start)
	}
}

func TestSessionTTLEndsBusySession(t *testing.T) {
	h := newHarness(t)
	h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	sess := h.login(t, "zhangsan", "Zhang-2024-pass")
	ctx := context.Background()

	for elapsed := time.Hour; elapsed < DefaultSessionTTL; elapsed += time.Hour {
		h.clock.Advance(time.Hour)
		if _, _, err := h.svc.Authenticate(ctx, sess.Token); err != nil {
			t.Fatalf("after %v: Authenticate got %v, want success", elapsed, err)
		}
	}
	h.clock.Advance(time.Hour)
	if _, _, err := h.svc.Authenticate(ctx, sess.Token); !errors.Is(err, ErrSessionExpired) {
		t.Errorf("after the 12-hour TTL got %v, want ErrSessionExpired", err)
	}
	if msg := UserMessage(ErrSessionExpired); !strings.Contains(msg, "重新登录") {
		t.Errorf("UserMessage(ErrSessionExpired) got %q, want it to ask for a new login", msg)
	}
}

func TestSessionCustomTimeouts(t *testing.T) {
	h := newHarness(t)
	h.svc.ttl, h.svc.idle = time.Hour, 10*time.Minute
	h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	sess := h.login(t, "zhangsan", "Zhang-2024-pass")
	if !sess.ExpiresAt.Equal(start.Add(time.Hour)) {
		t.Errorf("ExpiresAt got %v, want one hour after login", sess.ExpiresAt)
	}

	h.clock.Advance(10 * time.Minute)
	if _, _, err := h.svc.Authenticate(context.Background(), sess.Token); !errors.Is(err, ErrSessionExpired) {
		t.Errorf("after 10 idle minutes got %v, want ErrSessionExpired", err)
	}
}

func TestLogout(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	sess := h.login(t, "zhangsan", "Zhang-2024-pass")
	other := h.login(t, "zhangsan", "Zhang-2024-pass")

	if err := h.svc.Logout(ctx, sess.Token); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	if _, _, err := h.svc.Authenticate(ctx, sess.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("Authenticate after Logout got %v, want ErrNoSession", err)
	}
	if _, _, err := h.svc.Authenticate(ctx, other.Token); err != nil {
		t.Errorf("other session after Logout got %v, want it still valid", err)
	}
	for _, token := range []string{sess.Token, "", "junk"} {
		if err := h.svc.Logout(ctx, token); err != nil {
			t.Errorf("Logout(%q) got %v, want nil", token, err)
		}
	}
}

func TestCheckCSRF(t *testing.T) {
	h := newHarness(t)
	h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	sess := h.login(t, "zhangsan", "Zhang-2024-pass")
	other := h.login(t, "zhangsan", "Zhang-2024-pass")
	stored, _, err := h.svc.Authenticate(context.Background(), sess.Token)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}

	tests := []struct {
		name  string
		sess  Session
		token string
		want  bool
	}{
		{"matching", sess, sess.CSRF, true},
		{"matching after authenticate", stored, sess.CSRF, true},
		{"other session's token", sess, other.CSRF, false},
		{"session token", sess, sess.Token, false},
		{"empty", sess, "", false},
		{"prefix", sess, sess.CSRF[:20], false},
		{"session without csrf", Session{}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := h.svc.CheckCSRF(tt.sess, tt.token); got != tt.want {
				t.Errorf("CheckCSRF got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDisablingEndsSessions(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	b := h.create(t, "lisi", "李四", RoleAgent, "Li-Si-pass-2026")
	sessA := h.login(t, "zhangsan", "Zhang-2024-pass")
	sessB := h.login(t, "lisi", "Li-Si-pass-2026")

	a.Disabled = true
	if err := h.svc.Update(ctx, a); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if _, _, err := h.svc.Authenticate(ctx, sessA.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("disabled account's session got %v, want ErrNoSession", err)
	}
	if _, acct, err := h.svc.Authenticate(ctx, sessB.Token); err != nil || acct.ID != b.ID {
		t.Errorf("other account's session got %v, want it still valid", err)
	}
}

func TestRoleChangeVisibleToSession(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	sess := h.login(t, "zhangsan", "Zhang-2024-pass")

	a.Role = RoleSupervisor
	if err := h.svc.Update(ctx, a); err != nil {
		t.Fatalf("Update: %v", err)
	}
	_, acct, err := h.svc.Authenticate(ctx, sess.Token)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if acct.Role != RoleSupervisor {
		t.Errorf("role in session got %v, want supervisor", acct.Role)
	}
}

func TestSweep(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	h.login(t, "zhangsan", "Zhang-2024-pass")
	if _, err := h.svc.Login(ctx, "nobody", "wrong-password", ""); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("Login(nobody) got %v, want ErrBadCredentials", err)
	}

	h.clock.Advance(FailureWindow - time.Minute)
	fresh := h.login(t, "zhangsan", "Zhang-2024-pass")
	if err := h.svc.Sweep(ctx); err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	if n := h.count(t, sessionsBucket); n != 2 {
		t.Errorf("sessions after an early sweep got %d, want 2", n)
	}
	// One failed login keeps two records: the name's and the name's from
	// that address.
	if n := h.count(t, failuresBucket); n != 2 {
		t.Errorf("attempt records after an early sweep got %d, want 2", n)
	}

	h.clock.Advance(DefaultIdleTimeout - FailureWindow + 2*time.Minute)
	if _, _, err := h.svc.Authenticate(ctx, fresh.Token); err != nil {
		t.Fatalf("Authenticate(fresh): %v", err)
	}
	if err := h.svc.Sweep(ctx); err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	if n := h.count(t, sessionsBucket); n != 1 {
		t.Errorf("sessions after sweep got %d, want only the fresh one", n)
	}
	if n := h.count(t, failuresBucket); n != 0 {
		t.Errorf("attempt records after sweep got %d, want 0", n)
	}
}

func FuzzAuthenticate(f *testing.F) {
	h := newHarness(f)
	f.Add("")
	f.Add(strings.Repeat("A", 43))
	f.Add(strings.Repeat("_", 43))
	f.Add("wenban_session=abc")
	f.Fuzz(func(t *testing.T, token string) {
		sess, acct, err := h.svc.Authenticate(context.Background(), token)
		if !errors.Is(err, ErrNoSession) {
			t.Errorf("Authenticate(%q) got %v, want ErrNoSession", token, err)
		}
		if sess.ID != "" || acct.ID != "" {
			t.Errorf("Authenticate(%q) returned a session or account on failure", token)
		}
	})
}
