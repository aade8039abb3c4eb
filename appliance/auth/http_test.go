package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"wenban/appliance/store"
)

func TestSetCookie(t *testing.T) {
	h := newHarness(t)
	h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	sess := h.login(t, "zhangsan", "Zhang-2024-pass")

	for _, secure := range []bool{false, true} {
		rec := httptest.NewRecorder()
		h.svc.SetCookie(rec, sess, secure)
		cookies := rec.Result().Cookies()
		if len(cookies) != 2 {
			t.Fatalf("cookies got %d, want 2 (session and device)", len(cookies))
		}
		c := cookies[0]
		checks := []struct {
			name      string
			got, want any
		}{
			{"name", c.Name, SessionCookie},
			{"value", c.Value, sess.Token},
			{"path", c.Path, "/"},
			{"http only", c.HttpOnly, true},
			{"same site", c.SameSite, http.SameSiteLaxMode},
			{"secure", c.Secure, secure},
			{"max age", c.MaxAge, int(DefaultSessionTTL / time.Second)},
		}
		for _, chk := range checks {
			if chk.got != chk.want {
				t.Errorf("secure=%v: %s got %v, want %v", secure, chk.name, chk.got, chk.want)
			}
		}
	}

	rec := httptest.NewRecorder()
	h.svc.SetCookie(rec, Session{ID: "x"}, true)
	if got := rec.Result().Cookies(); len(got) != 0 {
		t.Errorf("SetCookie without token sent %d cookies, want 0", len(got))
	}
}

func TestClearCookie(t *testing.T) {
	rec := httptest.NewRecorder()
	ClearCookie(rec)
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("cookies got %d, want 1", len(cookies))
	}
	c := cookies[0]
	if c.Name != SessionCookie || c.Value != "" || c.MaxAge >= 0 || c.Path != "/" {
		t.Errorf("cookie got %+v, want an expired empty %s at /", c, SessionCookie)
	}
}

func TestFromRequest(t *testing.T) {
	h := newHarness(t)
	a := h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	sess := h.login(t, "zhangsan", "Zhang-2024-pass")

	req := httptest.NewRequest(http.MethodGet, "/seat", nil)
	if _, _, err := h.svc.FromRequest(req); !errors.Is(err, ErrNoSession) {
		t.Errorf("request without cookie got %v, want ErrNoSession", err)
	}

	req.AddCookie(&http.Cookie{Name: SessionCookie, Value: sess.Token})
	_, acct, err := h.svc.FromRequest(req)
	if err != nil {
		t.Fatalf("FromRequest: %v", err)
	}
	if acct.ID != a.ID {
		t.Errorf("account got %s, want %s", acct.ID, a.ID)
	}
}

func TestMiddleware(t *testing.T) {
	h := newHarness(t)
	a := h.create(t, "zhangsan", "张三", RoleAgent, "Zhang-2024-pass")
	sess := h.login(t, "zhangsan", "Zhang-2024-pass")
	expired := h.login(t, "zhangsan", "Zhang-2024-pass")

	var seen Account
	handler := h.svc.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, acct, ok := FromContext(r.Context())
		if !ok {
			t.Errorf("handler context has no account")
		}
		seen = acct
		w.WriteHeader(http.StatusNoContent)
	}))

	form := url.Values{CSRFFormField: {sess.CSRF}, "note": {"x"}}.Encode()
	tests := []struct {
		name        string
		method      string
		token       string
		header      string
		body        string
		wantStatus  int
		wantCleared bool
	}{
		{"get with session", http.MethodGet, sess.Token, "", "", http.StatusNoContent, false},
		{"get without cookie", http.MethodGet, "", "", "", http.StatusUnauthorized, false},
		{"get with junk cookie", http.MethodGet, "junk", "", "", http.StatusUnauthorized, false},
		{"post without csrf", http.MethodPost, sess.Token, "", "", http.StatusForbidden, false},
		{"post with wrong csrf", http.MethodPost, sess.Token, expired.CSRF, "", http.StatusForbidden, false},
		{"post with csrf header", http.MethodPost, sess.Token, sess.CSRF, "", http.StatusNoContent, false},
		{"post with csrf form field", http.MethodPost, sess.Token, "", form, http.StatusNoContent, false},
		{"delete with csrf header", http.MethodDelete, sess.Token, sess.CSRF, "", http.StatusNoContent, false},
		{"expired session", http.MethodGet, expired.Token, "", "", http.StatusUnauthorized, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.wantCleared {
				expireSession(t, h, expired)
			}
			req := httptest.NewRequest(tt.method, "/seat", strings.NewReader(tt.body))
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if tt.token != "" {
				req.AddCookie(&http.Cookie{Name: SessionCookie, Value: tt.token})
			}
			if tt.header != "" {
				req.Header.Set(CSRFHeader, tt.header)
			}
			seen = Account{}

			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Errorf("status got %d, want %d", rec.Code, tt.wantStatus)
			}
			if tt.wantStatus == http.StatusNoContent && seen.ID != a.ID {
				t.Errorf("handler saw account %q, want %q", seen.ID, a.ID)
			}
			if tt.wantStatus != http.StatusNoContent && seen.ID != "" {
				t.Errorf("handler ran for a rejected request")
			}
			cleared := strings.Contains(rec.Header().Get("Set-Cookie"), SessionCookie+"=;")
			if cleared != tt.wantCleared {
				t.Errorf("cookie cleared got %v, want %v", cleared, tt.wantCleared)
			}
		})
	}
}

// expireSession pushes sess past its idle timeout without moving the
// shared clock, by rewriting its LastSeen.
func expireSession(t *testing.T, h *harness, sess Session) {
	t.Helper()
	err := h.db.Update(func(tx *store.Tx) error {
		var stored Session
		if _, err := tx.GetSealed(sessionsBucket, tokenKey(sess.Token), &stored); err != nil {
			return err
		}
		stored.LastSeen = h.clock.Now().Add(-DefaultIdleTimeout)
		return tx.PutSealed(sessionsBucket, tokenKey(sess.Token), stored)
	})
	if err != nil {
		t.Fatalf("expiring session: %v", err)
	}
}

func TestMiddlewareOnDenied(t *testing.T) {
	h := newHarness(t)
	var got error
	h.svc.onDenied = func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	}
	handler := h.svc.Middleware(http.NotFoundHandler())

	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/seat", nil))
	if !errors.Is(got, ErrNoSession) {
		t.Errorf("OnDenied error got %v, want ErrNoSession", got)
	}
	if rec.Code != http.StatusSeeOther {
		t.Errorf("status got %d, want 303 from OnDenied", rec.Code)
	}
}

func TestRequireRole(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	tests := []struct {
		name string
		ctx  func(context.Context) context.Context
		want int
	}{
		{"admin", func(c context.Context) context.Context {
			return WithAccount(c, Session{}, Account{Role: RoleAdmin})
		}, http.StatusNoContent},
		{"supervisor", func(c context.Context) context.Context {
			return WithAccount(c, Session{}, Account{Role: RoleSupervisor})
		}, http.StatusNoContent},
		{"agent", func(c context.Context) context.Context {
			return WithAccount(c, Session{}, Account{Role: RoleAgent})
		}, http.StatusForbidden},
		{"no account", func(c context.Context) context.Context { return c }, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/admin", nil)
			req = req.WithContext(tt.ctx(req.Context()))
			rec := httptest.NewRecorder()
			RequireRole(RoleSupervisor, ok).ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Errorf("status got %d, want %d", rec.Code, tt.want)
			}
		})
	}
}

func TestContextRoundTrip(t *testing.T) {
	if _, _, ok := FromContext(context.Background()); ok {
		t.Errorf("FromContext of empty context got ok, want false")
	}
	ctx := WithAccount(context.Background(), Session{ID: "s1"}, Account{ID: "a1"})
	sess, acct, ok := FromContext(ctx)
	if !ok || sess.ID != "s1" || acct.ID != "a1" {
		t.Errorf("FromContext got (%q, %q, %v), want (s1, a1, true)", sess.ID, acct.ID, ok)
	}
}

func TestUserMessage(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"input", inputError("login", "账号不对。"), "账号不对。"},
		{"wrapped bad credentials", errors.Join(ErrBadCredentials), "账号或密码错误，请重新输入。"},
		{"locked", &LockedError{Remaining: 61 * time.Second}, "登录失败次数过多，该账号已临时锁定，请 2 分钟后再试。"},
		{"internal", errors.New("bolt: disk full"), "系统繁忙，请稍后再试。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := UserMessage(tt.err); got != tt.want {
				t.Errorf("UserMessage got %q, want %q", got, tt.want)
			}
		})
	}
}
