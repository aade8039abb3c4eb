package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"wenban/appliance/audit"
	"wenban/appliance/auth"
)

// auditActions returns the actions on record, newest first.
func auditActions(t *testing.T, h *harness, f audit.Filter) []audit.Entry {
	t.Helper()
	got, _, err := h.audit.List(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestAuditTrailRecordsStaffActions(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	zhang := h.createAccount("zhang", "张敏", auth.RoleAgent)
	h.createAccount("admin1", "王敏", auth.RoleAdmin)

	// A failed login names the account it was for, and never what was typed.
	c := h.client()
	page := h.get(c, "/seat/login")
	h.postForm(c, "/seat/login", url.Values{"login": {"zhang"}, "password": {"typed-secret-1"}, csrfField: {formTokenOf(t, page.body)}})
	page = h.get(c, "/seat/login")
	h.postForm(c, "/seat/login", url.Values{"login": {"typed-secret-2"}, "password": {"x"}, csrfField: {formTokenOf(t, page.body)}})
	page = h.get(c, "/seat/login")
	h.postForm(c, "/seat/login", url.Values{"login": {" ZHANG "}, "password": {"typed-secret-3"}, csrfField: {formTokenOf(t, page.body)}})

	h.login(c, "zhang")
	conv := h.startConversation("宅基地怎么申请")
	if resp := h.get(c, "/seat/history/"+string(conv.ID)); resp.status != http.StatusOK {
		t.Fatalf("transcript: got %d, want 200", resp.status)
	}
	if resp := h.get(c, "/seat/admin/audit"); resp.status != http.StatusForbidden {
		t.Errorf("audit page for an agent: got %d, want 403", resp.status)
	}

	admin := h.client()
	token := h.login(admin, "admin1")
	if resp := h.postForm(admin, "/seat/admin/accounts/"+zhang.ID+"/disable", url.Values{csrfField: {token}}); resp.status != http.StatusSeeOther {
		t.Fatalf("disable: got %d, want 303", resp.status)
	}

	entries := auditActions(t, h, audit.Filter{})
	var got []string
	for _, e := range entries {
		got = append(got, string(e.Action)+" "+e.ActorID+" "+e.Target)
	}
	want := []string{
		"account.disabled " + entries[0].ActorID + " " + zhang.ID,
		"login.succeeded " + entries[0].ActorID + " ",
		"history.viewed " + zhang.ID + " " + string(conv.ID),
		"login.succeeded " + zhang.ID + " ",
		"login.failed " + zhang.ID + " ",
		"login.failed  ",
		"login.failed " + zhang.ID + " ",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("audit trail:\n got %q\nwant %q", got, want)
	}
	for _, e := range entries {
		if e.Remote != "127.0.0.1" {
			t.Errorf("%s: got remote %q, want 127.0.0.1", e.Action, e.Remote)
		}
		for _, secret := range []string{"typed-secret-1", "typed-secret-2", "typed-secret-3"} {
			if strings.Contains(e.Target+e.Detail+e.Actor, secret) {
				t.Errorf("%s holds the typed %q", e.Action, secret)
			}
		}
	}
	if entries[6].Detail != "账号或密码错误" {
		t.Errorf("failed login detail: got %q, want 账号或密码错误", entries[6].Detail)
	}

	view := h.get(admin, "/seat/admin/audit?group=login")
	if view.status != http.StatusOK {
		t.Fatalf("audit page: got %d, want 200", view.status)
	}
	if n := strings.Count(view.body, `data-testid="audit-row"`); n != 5 {
		t.Errorf("login rows on the page: got %d, want 5", n)
	}
	for _, want := range []string{"登录失败", "未知账号", "张敏（被尝试登录）", "账号或密码错误"} {
		if !strings.Contains(view.body, want) {
			t.Errorf("audit page lacks %q", want)
		}
	}
	if strings.Contains(view.body, "停用账号") {
		t.Errorf("login filter shows an account action")
	}
}

// TestAuditUnknownLoginsLimited sends more failed logins for a name no
// account has than one address may record.
func TestAuditUnknownLoginsLimited(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	for i := range unknownLoginBurst + 5 {
		// The login route's own limiter would refuse these, so the test
		// records them directly.
		r := httptest.NewRequest(http.MethodPost, "/seat/login", nil)
		r.RemoteAddr = "10.1.1.1:4000"
		h.web.recordLogin(r, fmt.Sprintf("nobody%d", i), auth.Session{}, auth.ErrBadCredentials)
	}
	entries, total, err := h.audit.List(context.Background(), audit.Filter{Group: "login"})
	if err != nil {
		t.Fatal(err)
	}
	if total != unknownLoginBurst || len(entries) != unknownLoginBurst {
		t.Errorf("recorded unknown-name failures: got %d, want %d", total, unknownLoginBurst)
	}
}
