package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"wenban/appliance/auth"
)

// TestLoginDeviceSurvivesNameWideLock locks a login name with failures
// from many addresses, as an attack would, and checks that the browser
// that signed in before still signs in while a new browser is rejected
// with a message that gives the reason.
func TestLoginDeviceSurvivesNameWideLock(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createAccount("zhang", "张敏", auth.RoleAgent)
	known := h.client()
	token := h.login(known, "zhang")
	if resp := h.postForm(known, "/seat/logout", url.Values{csrfField: {token}}); resp.status != http.StatusSeeOther {
		t.Fatalf("logout: got %d, want 303", resp.status)
	}

	ctx := context.Background()
	for i := range auth.MaxNameFailures {
		addr := fmt.Sprintf("10.0.%d.%d", i/auth.MaxFailures, i%auth.MaxFailures+1)
		if _, err := h.auth.Login(ctx, "zhang", "wrong-password", addr); err == nil {
			t.Fatalf("failure %d from %s: got a session, want a refusal", i+1, addr)
		}
	}

	fresh := h.client()
	page := h.get(fresh, "/seat/login")
	form := url.Values{"login": {"zhang"}, "password": {testPassword}, csrfField: {formTokenOf(t, page.body)}}
	rejected := h.postForm(fresh, "/seat/login", form)
	if rejected.status != http.StatusTooManyRequests {
		t.Fatalf("new browser during the lock: got %d, want 429", rejected.status)
	}
	if !strings.Contains(rejected.body, "此前成功登录过该账号的电脑和浏览器不受影响") {
		t.Errorf("lock message lacks the note on known devices: %s", rejected.body)
	}

	page = h.get(known, "/seat/login")
	form = url.Values{"login": {"zhang"}, "password": {testPassword}, csrfField: {formTokenOf(t, page.body)}}
	if resp := h.postForm(known, "/seat/login", form); resp.status != http.StatusSeeOther {
		t.Fatalf("known browser during the lock: got %d, want 303; body %s", resp.status, resp.body)
	}
}
