package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	ownerLogin    = "zhangsan"
	ownerPassword = "Zhang-2024-pass"
)

// loginServer serves POST /login like the seat login page: LoginDevice,
// then SetCookie. The X-Test-Addr header replaces the client address, so
// one test client can act as many addresses.
func loginServer(t *testing.T, h *harness) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, err := h.svc.LoginDevice(r, r.PostFormValue("login"), r.PostFormValue("password"), r.Header.Get("X-Test-Addr"))
		if err != nil {
			var locked *LockedError
			status := http.StatusUnauthorized
			if errors.As(err, &locked) {
				status = http.StatusTooManyRequests
				w.Header().Set("X-Name-Wide", fmt.Sprint(locked.NameWide))
			}
			http.Error(w, UserMessage(err), status)
			return
		}
		h.svc.SetCookie(w, sess, false)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// browser is an HTTP client with its own cookie jar, like one seat computer.
type browser struct {
	t      *testing.T
	client *http.Client
	url    string
}

func newBrowser(t *testing.T, srv *httptest.Server) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, client: &http.Client{Jar: jar}, url: srv.URL + "/login"}
}

// loginResult is what the test login page returned.
type loginResult struct {
	status   int
	nameWide string
	message  string
}

func (b *browser) login(addr, login, password string) loginResult {
	b.t.Helper()
	form := url.Values{"login": {login}, "password": {password}}
	req, err := http.NewRequest(http.MethodPost, b.url, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Test-Addr", addr)
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("POST /login: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatalf("reading /login response: %v", err)
	}
	return loginResult{status: resp.StatusCode, nameWide: resp.Header.Get("X-Name-Wide"), message: string(body)}
}

// lockNameWide fails MaxNameFailures logins, each from its own address
// and without a device cookie, which locks the name everywhere.
func lockNameWide(t *testing.T, srv *httptest.Server, login string) {
	t.Helper()
	stranger := newBrowser(t, srv)
	for i := range MaxNameFailures {
		addr := fmt.Sprintf("10.9.%d.%d", i/200, i%200)
		if got := stranger.login(addr, login, "wrong-password"); got.status != http.StatusUnauthorized {
			t.Fatalf("stranger's guess %d: got status %d, want %d", i, got.status, http.StatusUnauthorized)
		}
	}
}

func TestNameWideLockSparesKnownDevice(t *testing.T) {
	h := newHarness(t)
	a := h.create(t, ownerLogin, "张三", RoleAgent, ownerPassword)
	srv := loginServer(t, h)

	seat := newBrowser(t, srv)
	if got := seat.login("192.0.2.10", ownerLogin, ownerPassword); got.status != http.StatusNoContent {
		t.Fatalf("owner's first login: got status %d (%s), want %d", got.status, got.message, http.StatusNoContent)
	}
	lockNameWide(t, srv, ownerLogin)

	newSeat := newBrowser(t, srv)
	got := newSeat.login("192.0.2.11", ownerLogin, ownerPassword)
	if got.status != http.StatusTooManyRequests || got.nameWide != "true" {
		t.Fatalf("right password from a new device: got status %d name-wide %q, want %d name-wide true",
			got.status, got.nameWide, http.StatusTooManyRequests)
	}
	for _, want := range []string{"其他地点", "15 分钟", "仍可照常登录"} {
		if !strings.Contains(got.message, want) {
			t.Errorf("locked message got %q, want it to contain %q", got.message, want)
		}
	}

	// The owner's known device logs in from a new address too, and its
	// login leaves the strangers' lock in place.
	if got := seat.login("198.51.100.20", ownerLogin, ownerPassword); got.status != http.StatusNoContent {
		t.Errorf("owner's known device: got status %d (%s), want %d", got.status, got.message, http.StatusNoContent)
	}
	if got := newSeat.login("192.0.2.12", ownerLogin, ownerPassword); got.status != http.StatusTooManyRequests {
		t.Errorf("new device after the owner's login: got status %d, want the name-wide lock kept (%d)",
			got.status, http.StatusTooManyRequests)
	}

	logs := h.logs.String()
	if n := strings.Count(logs, "login name locked for"); n != 1 {
		t.Errorf("name-wide lock warnings got %d, want 1:\n%s", n, logs)
	}
	if !strings.Contains(logs, "account_id="+a.ID) {
		t.Errorf("log lacks account_id=%s:\n%s", a.ID, logs)
	}
	for _, secret := range []string{ownerLogin, ownerPassword, "wrong-password"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log contains %q:\n%s", secret, logs)
		}
	}
}

func TestDeviceCookieFailuresStopHonouring(t *testing.T) {
	h := newHarness(t)
	h.create(t, ownerLogin, "张三", RoleAgent, ownerPassword)
	srv := loginServer(t, h)

	seat := newBrowser(t, srv)
	if got := seat.login("192.0.2.10", ownerLogin, ownerPassword); got.status != http.StatusNoContent {
		t.Fatalf("first login: got status %d, want %d", got.status, http.StatusNoContent)
	}
	lockNameWide(t, srv, ownerLogin)

	// Each failure comes from its own address, so only the device's own
	// count can end its exemption.
	for i := range MaxFailures {
		addr := fmt.Sprintf("198.51.100.%d", i+1)
		if got := seat.login(addr, ownerLogin, "wrong-password"); got.status != http.StatusUnauthorized {
			t.Fatalf("device failure %d: got status %d, want %d", i+1, got.status, http.StatusUnauthorized)
		}
	}
	got := seat.login("203.0.113.50", ownerLogin, ownerPassword)
	if got.status != http.StatusTooManyRequests || got.nameWide != "true" {
		t.Errorf("right password after %d device failures: got status %d name-wide %q, want %d name-wide true",
			MaxFailures, got.status, got.nameWide, http.StatusTooManyRequests)
	}
}

func TestDeviceCookieKeepsAddressLimit(t *testing.T) {
	h := newHarness(t)
	h.create(t, ownerLogin, "张三", RoleAgent, ownerPassword)
	srv := loginServer(t, h)

	seat := newBrowser(t, srv)
	if got := seat.login("192.0.2.10", ownerLogin, ownerPassword); got.status != http.StatusNoContent {
		t.Fatalf("first login: got status %d, want %d", got.status, http.StatusNoContent)
	}
	thief := newBrowser(t, srv)
	for i := range MaxFailures {
		if got := thief.login("203.0.113.9", ownerLogin, "wrong-password"); got.status != http.StatusUnauthorized {
			t.Fatalf("guess %d: got status %d, want %d", i+1, got.status, http.StatusUnauthorized)
		}
	}

	got := seat.login("203.0.113.9", ownerLogin, ownerPassword)
	if got.status != http.StatusTooManyRequests || got.nameWide != "false" {
		t.Errorf("known device from the locked address: got status %d name-wide %q, want %d name-wide false",
			got.status, got.nameWide, http.StatusTooManyRequests)
	}
}

func TestInvalidDeviceCookieNotHonoured(t *testing.T) {
	h := newHarness(t)
	owner := h.create(t, ownerLogin, "张三", RoleAgent, ownerPassword)
	h.create(t, "lisi", "李四", RoleAgent, "Wang-2024-word")
	srv := loginServer(t, h)
	ctx := context.Background()

	valid := func(t *testing.T, login, password string) *http.Cookie {
		t.Helper()
		sess, err := h.svc.Login(ctx, login, password, "192.0.2.1")
		if err != nil {
			t.Fatalf("Login(%s): %v", login, err)
		}
		rec := httptest.NewRecorder()
		h.svc.SetCookie(rec, sess, false)
		for _, c := range rec.Result().Cookies() {
			if strings.HasPrefix(c.Name, DeviceCookiePrefix) {
				return c
			}
		}
		t.Fatalf("SetCookie sent no device cookie")
		return nil
	}
	ownerCookie := valid(t, ownerLogin, ownerPassword)
	otherCookie := valid(t, "lisi", "Wang-2024-word")
	lockNameWide(t, srv, ownerLogin)

	foreign := newHarness(t)
	foreignAcct := foreign.create(t, ownerLogin, "张三", RoleAgent, ownerPassword)
	foreignToken, err := newDeviceToken(mustDeviceKey(t, foreign.svc), foreignAcct.ID, start)
	if err != nil {
		t.Fatal(err)
	}

	tampered := []byte(ownerCookie.Value)
	tampered[len(tampered)-1] ^= 1
	tests := []struct {
		name   string
		cookie *http.Cookie
		after  time.Duration
	}{
		{"other account's cookie under owner's name", &http.Cookie{Name: DeviceCookiePrefix + owner.ID, Value: otherCookie.Value}, 0},
		{"other account's cookie", otherCookie, 0},
		{"tampered MAC", &http.Cookie{Name: ownerCookie.Name, Value: string(tampered)}, 0},
		{"another hub's key", &http.Cookie{Name: DeviceCookiePrefix + owner.ID, Value: foreignToken}, 0},
		{"garbage", &http.Cookie{Name: ownerCookie.Name, Value: "not-a-cookie"}, 0},
		{"expired", ownerCookie, DeviceCookieTTL},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.clock.Advance(tt.after)
			if tt.after > 0 {
				// The lock ran out while time passed, so set it again.
				lockNameWide(t, srv, ownerLogin)
			}
			b := newBrowser(t, srv)
			u, err := url.Parse(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			b.client.Jar.SetCookies(u, []*http.Cookie{tt.cookie})

			got := b.login(fmt.Sprintf("203.0.113.%d", 100+i), ownerLogin, ownerPassword)
			if got.status != http.StatusTooManyRequests || got.nameWide != "true" {
				t.Errorf("got status %d name-wide %q, want %d name-wide true",
					got.status, got.nameWide, http.StatusTooManyRequests)
			}
		})
	}
}

func TestDeviceCookieAttributes(t *testing.T) {
	h := newHarness(t)
	a := h.create(t, ownerLogin, "张三", RoleAgent, ownerPassword)
	sess := h.login(t, ownerLogin, ownerPassword)

	for _, secure := range []bool{false, true} {
		rec := httptest.NewRecorder()
		h.svc.SetCookie(rec, sess, secure)
		var c *http.Cookie
		for _, got := range rec.Result().Cookies() {
			if got.Name == DeviceCookiePrefix+a.ID {
				c = got
			}
		}
		if c == nil {
			t.Fatalf("secure=%v: no cookie named %s%s", secure, DeviceCookiePrefix, a.ID)
		}
		checks := []struct {
			name      string
			got, want any
		}{
			{"value", c.Value, sess.DeviceToken},
			{"path", c.Path, "/"},
			{"http only", c.HttpOnly, true},
			{"same site", c.SameSite, http.SameSiteStrictMode},
			{"secure", c.Secure, secure},
			{"max age", c.MaxAge, int(DeviceCookieTTL / time.Second)},
			{"contains login", strings.Contains(c.Value, ownerLogin), false},
		}
		for _, chk := range checks {
			if chk.got != chk.want {
				t.Errorf("secure=%v: %s got %v, want %v", secure, chk.name, chk.got, chk.want)
			}
		}
	}

	next := h.login(t, ownerLogin, ownerPassword)
	if next.DeviceToken == sess.DeviceToken {
		t.Errorf("second login reused the device token, want a fresh one")
	}
}

func TestVerifyDeviceToken(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	token, err := newDeviceToken(key, "acct1", start)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		key       []byte
		accountID string
		at        time.Time
		want      bool
	}{
		{"fresh", key, "acct1", start, true},
		{"just before expiry", key, "acct1", start.Add(DeviceCookieTTL - time.Second), true},
		{"expired", key, "acct1", start.Add(DeviceCookieTTL), false},
		{"issued in the future", key, "acct1", start.Add(-time.Minute), false},
		{"other account", key, "acct2", start, false},
		{"other key", []byte("fedcba9876543210fedcba9876543210"), "acct1", start, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, got := verifyDeviceToken(tt.key, tt.accountID, token, tt.at); got != tt.want {
				t.Errorf("verifyDeviceToken got %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzVerifyDeviceToken(f *testing.F) {
	// The token is built from a fixed nonce because every fuzzing worker
	// runs this setup again and a random one would differ between them.
	key := []byte("0123456789abcdef0123456789abcdef")
	nonce, issued := "AAAAAAAAAAAAAAAAAAAAAA", strconv.FormatInt(start.Unix(), 10)
	token := nonce + "." + issued + "." + deviceMAC(key, "acct1", nonce, issued)
	f.Add(token)
	f.Add("")
	f.Add("..")
	f.Add("AAAAAAAAAAAAAAAAAAAAAA.-1.x")
	f.Fuzz(func(t *testing.T, value string) {
		// Untrusted cookie values must never panic, and only the exact
		// token the hub issued verifies.
		_, ok := verifyDeviceToken(key, "acct1", value, start)
		if ok && value != token {
			t.Fatalf("verifyDeviceToken accepted %q", value)
		}
		if !ok && value == token {
			t.Fatalf("verifyDeviceToken rejected the issued token %q", value)
		}
	})
}

func mustDeviceKey(t *testing.T, s *Service) []byte {
	t.Helper()
	key, err := s.loadDeviceKey()
	if err != nil {
		t.Fatalf("loadDeviceKey: %v", err)
	}
	return key
}

// TestDeviceCookieEndsWithPasswordReset resets the owner's password: a
// device that signed in with the old one no longer skips the name-wide
// lock, and signing in with the new one gives it a cookie that does.
func TestDeviceCookieEndsWithPasswordReset(t *testing.T) {
	h := newHarness(t)
	a := h.create(t, ownerLogin, "张三", RoleAgent, ownerPassword)
	srv := loginServer(t, h)

	seat := newBrowser(t, srv)
	if got := seat.login("192.0.2.10", ownerLogin, ownerPassword); got.status != http.StatusNoContent {
		t.Fatalf("owner's first login: got status %d, want %d", got.status, http.StatusNoContent)
	}
	admin := h.create(t, "admin1", "王敏", RoleAdmin, "Admin-Pass-2026-y")
	const reset = "Reset-Pass-2026-x"
	if err := h.svc.ResetPassword(context.Background(), admin.ID, a.ID, reset); err != nil {
		t.Fatal(err)
	}
	lockNameWide(t, srv, ownerLogin)

	if got := seat.login("192.0.2.11", ownerLogin, reset); got.status != http.StatusTooManyRequests {
		t.Errorf("old device after the reset: got status %d, want the name-wide lock (%d)", got.status, http.StatusTooManyRequests)
	}
}
