package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"wenban/appliance/auth"
)

var resetPasswordText = regexp.MustCompile(`data-testid="account-reset-password">([^<]+)<`)

// postAction posts an account action with the given CSRF token.
func (h *harness) postAction(c *http.Client, path, csrf string, form url.Values) response {
	h.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if csrf != "" {
		form.Set(csrfField, csrf)
	}
	return h.postForm(c, path, form)
}

// tryLogin posts the login form and returns its response, without
// requiring success.
func (h *harness) tryLogin(c *http.Client, login, password string) response {
	h.t.Helper()
	token := formTokenOf(h.t, h.get(c, "/seat/login").body)
	return h.postForm(c, "/seat/login", url.Values{"login": {login}, "password": {password}, csrfField: {token}})
}

func (h *harness) account(id string) auth.Account {
	h.t.Helper()
	a, err := h.auth.Account(context.Background(), id)
	if err != nil {
		h.t.Fatalf("reading account %s: %v", id, err)
	}
	return a
}

// assertSignedOut checks that c's session no longer opens the workbench.
func (h *harness) assertSignedOut(c *http.Client) {
	h.t.Helper()
	resp := h.get(c, "/seat")
	if resp.status != http.StatusSeeOther || !strings.HasPrefix(resp.header.Get("Location"), "/seat/login") {
		h.t.Errorf("workbench after the action: got %d %q, want 303 to /seat/login", resp.status, resp.header.Get("Location"))
	}
}

func TestAccountsPageShowsActions(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createAccount("wangadmin", "王管理", auth.RoleAdmin)
	agent := h.createAccount("zhangsan", "张三", auth.RoleAgent)
	agent.Disabled = true
	if err := h.auth.Update(context.Background(), agent); err != nil {
		t.Fatalf("disabling agent: %v", err)
	}
	c := h.client()
	h.login(c, "wangadmin")

	page := h.get(c, "/seat/admin/accounts")
	if page.status != http.StatusOK {
		t.Fatalf("status: got %d, want 200", page.status)
	}
	assertTestIDs(t, page.body, "account-reset", "account-disable", "account-enable", "account-edit-form",
		"account-edit-name", "account-edit-role", "account-edit-max", "account-edit-submit", "account-state")
	for _, want := range []string{
		`data-testid="account-item-role">管理员<`,
		`data-testid="account-item-role">坐席<`,
		`<option value="supervisor">班长</option>`,
		`src="/static/admin.js?v=`,
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	states := regexp.MustCompile(`data-testid="account-state">\s*([^<\s]+)\s*<`).FindAllStringSubmatch(page.body, -1)
	if len(states) != 2 || states[0][1] != "启用" || states[1][1] != "停用" {
		t.Errorf("account states: got %q, want 启用 then 停用", states)
	}
	// Logout and create, then reset, disable or enable, and edit per account.
	if got, want := strings.Count(page.body, `name="csrf_token"`), 2+3*2; got != want {
		t.Errorf("forms with csrf_token: got %d, want %d", got, want)
	}
	if resp := h.get(c, "/static/admin.js"); resp.status != http.StatusOK || !strings.Contains(resp.body, "data") {
		t.Errorf("admin.js: got %d, want 200 with the confirm listener", resp.status)
	}
}

func TestResetAccountPassword(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createAccount("wangadmin", "王管理", auth.RoleAdmin)
	target := h.createAccount("zhangsan", "张三", auth.RoleAgent)
	admin := h.client()
	csrf := h.login(admin, "wangadmin")
	agent := h.client()
	h.login(agent, "zhangsan")

	resp := h.postAction(admin, "/seat/admin/accounts/"+target.ID+"/reset", csrf, nil)
	if resp.status != http.StatusOK {
		t.Fatalf("reset: got %d, want 200; body %s", resp.status, resp.body)
	}
	if got := resp.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control: got %q, want no-store", got)
	}
	if !strings.Contains(resp.body, "新密码仅显示一次，请当面或电话告知本人，本人首次登录须修改") {
		t.Errorf("reset page lacks the one-time notice")
	}
	m := resetPasswordText.FindStringSubmatch(resp.body)
	if m == nil {
		t.Fatalf("reset page lacks account-reset-password")
	}
	password := m[1]
	if len(password) != auth.GeneratedPasswordLen {
		t.Errorf("password length: got %d, want %d", len(password), auth.GeneratedPasswordLen)
	}

	h.assertSignedOut(agent)
	if again := h.get(admin, "/seat/admin/accounts"); strings.Contains(again.body, password) {
		t.Errorf("account page shows the password a second time")
	}
	if logs := h.logs.String(); strings.Contains(logs, password) {
		t.Errorf("logs contain the new password")
	}

	fresh := h.client()
	if got := h.tryLogin(fresh, "zhangsan", testPassword); got.status == http.StatusSeeOther {
		t.Errorf("old password: got 303, want the login rejected")
	}
	if got := h.tryLogin(fresh, "zhangsan", password); got.status != http.StatusSeeOther {
		t.Fatalf("new password: got %d, want 303", got.status)
	}
	bench := h.get(fresh, "/seat")
	if bench.status != http.StatusSeeOther || bench.header.Get("Location") != "/seat/password" {
		t.Errorf("workbench after reset: got %d %q, want 303 /seat/password", bench.status, bench.header.Get("Location"))
	}
}

func TestDisableAndEnableAccount(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createAccount("wangadmin", "王管理", auth.RoleAdmin)
	target := h.createAccount("zhangsan", "张三", auth.RoleAgent)
	admin := h.client()
	csrf := h.login(admin, "wangadmin")
	agent := h.client()
	h.login(agent, "zhangsan")

	resp := h.postAction(admin, "/seat/admin/accounts/"+target.ID+"/disable", csrf, nil)
	if resp.status != http.StatusSeeOther || resp.header.Get("Location") != "/seat/admin/accounts?done=disabled" {
		t.Fatalf("disable: got %d %q, want 303 ?done=disabled", resp.status, resp.header.Get("Location"))
	}
	if !h.account(target.ID).Disabled {
		t.Errorf("account after disable: got enabled, want disabled")
	}
	h.assertSignedOut(agent)
	if got := h.tryLogin(h.client(), "zhangsan", testPassword); got.status == http.StatusSeeOther {
		t.Errorf("login while disabled: got 303, want the login rejected")
	}
	page := h.get(admin, "/seat/admin/accounts?done=disabled")
	if !strings.Contains(page.body, accountNotices["disabled"]) {
		t.Errorf("account page lacks the disable notice")
	}

	resp = h.postAction(admin, "/seat/admin/accounts/"+target.ID+"/enable", csrf, nil)
	if resp.status != http.StatusSeeOther || resp.header.Get("Location") != "/seat/admin/accounts?done=enabled" {
		t.Fatalf("enable: got %d %q, want 303 ?done=enabled", resp.status, resp.header.Get("Location"))
	}
	if h.account(target.ID).Disabled {
		t.Errorf("account after enable: got disabled, want enabled")
	}
	h.login(h.client(), "zhangsan")
}

func TestUpdateAccount(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createAccount("wangadmin", "王管理", auth.RoleAdmin)
	target := h.createAccount("zhangsan", "张三", auth.RoleAgent)
	c := h.client()
	csrf := h.login(c, "wangadmin")

	tests := []struct {
		name       string
		form       url.Values
		wantStatus int
		wantText   string
		want       auth.Account
	}{
		{"max too high", url.Values{"name": {"李四"}, "role": {"agent"}, "max_chats": {"99"}}, 400, "0 至 50", target},
		{"max negative", url.Values{"name": {"李四"}, "role": {"agent"}, "max_chats": {"-1"}}, 400, "0 至 50", target},
		{"max not a number", url.Values{"name": {"李四"}, "role": {"agent"}, "max_chats": {"abc"}}, 400, msgBadMaxChats, target},
		{"max in words", url.Values{"name": {"李四"}, "role": {"agent"}, "max_chats": {"五个"}}, 400, msgBadMaxChats, target},
		{"max missing", url.Values{"name": {"李四"}, "role": {"agent"}}, 400, msgBadMaxChats, target},
		{"bad role", url.Values{"name": {"李四"}, "role": {"root"}, "max_chats": {"3"}}, 400, "请选择坐席、班长或管理员角色。", target},
		{"empty name", url.Values{"name": {" "}, "role": {"agent"}, "max_chats": {"3"}}, 400, "", target},
		{"valid", url.Values{"name": {"李四"}, "role": {"supervisor"}, "max_chats": {"5"}}, 303, "",
			auth.Account{DisplayName: "李四", Role: auth.RoleSupervisor, MaxChats: 5}},
		{"back to default", url.Values{"name": {"李四"}, "role": {"agent"}, "max_chats": {"0"}}, 303, "",
			auth.Account{DisplayName: "李四", Role: auth.RoleAgent, MaxChats: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.postAction(c, "/seat/admin/accounts/"+target.ID, csrf, tt.form)
			if resp.status != tt.wantStatus {
				t.Fatalf("status: got %d, want %d; body %s", resp.status, tt.wantStatus, resp.body)
			}
			if tt.wantStatus == 400 && openTag(resp.body, "account-action-error") == "" {
				t.Errorf("page lacks account-action-error")
			}
			if !strings.Contains(resp.body, tt.wantText) {
				t.Errorf("page lacks %q", tt.wantText)
			}
			got := h.account(target.ID)
			if got.DisplayName != tt.want.DisplayName || got.Role != tt.want.Role || got.MaxChats != tt.want.MaxChats {
				t.Errorf("account: got %q %v %d, want %q %v %d",
					got.DisplayName, got.Role, got.MaxChats, tt.want.DisplayName, tt.want.Role, tt.want.MaxChats)
			}
		})
	}

	for _, typed := range []string{"李四", "五个"} {
		if strings.Contains(h.logs.String(), typed) {
			t.Errorf("logs contain the typed value %q", typed)
		}
	}

	page := h.get(c, "/seat/admin/accounts?done=updated")
	if !strings.Contains(page.body, `data-testid="account-item-name">李四<`) {
		t.Errorf("account list lacks the new name")
	}
	if !strings.Contains(page.body, accountNotices["updated"]) {
		t.Errorf("account page lacks the saved notice")
	}
}

func TestAccountActionsRejected(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createAccount("wangadmin", "王管理", auth.RoleAdmin)
	target := h.createAccount("zhangsan", "张三", auth.RoleAgent)
	h.createAccount("zhaoban", "赵班长", auth.RoleSupervisor)
	admin := h.client()
	h.login(admin, "wangadmin")
	agent := h.client()
	agentCSRF := h.login(agent, "zhangsan")
	supervisor := h.client()
	supervisorCSRF := h.login(supervisor, "zhaoban")

	edit := url.Values{"name": {"改名"}, "role": {"admin"}, "max_chats": {"9"}}
	actions := []struct {
		suffix string
		form   url.Values
	}{
		{"/reset", nil}, {"/disable", nil}, {"/enable", nil}, {"", edit},
	}
	callers := []struct {
		name       string
		client     *http.Client
		csrf       string
		wantStatus int
		wantText   string
	}{
		{"agent", agent, agentCSRF, http.StatusForbidden, msgForbidden},
		{"supervisor", supervisor, supervisorCSRF, http.StatusForbidden, msgForbidden},
		{"admin without token", admin, "", http.StatusForbidden, "页面已过期"},
		{"admin with another session's token", admin, agentCSRF, http.StatusForbidden, "页面已过期"},
	}
	for _, caller := range callers {
		for _, a := range actions {
			t.Run(caller.name+a.suffix, func(t *testing.T) {
				form := url.Values{}
				for k, v := range a.form {
					form[k] = v
				}
				resp := h.postAction(caller.client, "/seat/admin/accounts/"+target.ID+a.suffix, caller.csrf, form)
				if resp.status != caller.wantStatus {
					t.Fatalf("status: got %d, want %d", resp.status, caller.wantStatus)
				}
				if !strings.Contains(resp.body, caller.wantText) {
					t.Errorf("body lacks %q", caller.wantText)
				}
			})
		}
	}

	got := h.account(target.ID)
	if got.DisplayName != "张三" || got.Role != auth.RoleAgent || got.Disabled || got.MustChangePassword {
		t.Errorf("target after rejected actions: got %+v, want it unchanged", got)
	}
	if resp := h.get(agent, "/seat"); resp.status != http.StatusOK {
		t.Errorf("target session after rejected actions: got %d, want 200", resp.status)
	}
	if resp := h.get(admin, "/seat/admin/accounts"); resp.status != http.StatusOK {
		t.Errorf("admin session after rejected actions: got %d, want 200", resp.status)
	}
}

func TestLastAdminProtected(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	self := h.createAccount("wangadmin", "王管理", auth.RoleAdmin)
	c := h.client()
	csrf := h.login(c, "wangadmin")
	lastAdmin := auth.UserMessage(auth.ErrLastAdmin)

	tests := []struct {
		name   string
		suffix string
		form   url.Values
	}{
		{"disable self", "/disable", nil},
		{"demote self", "", url.Values{"name": {"王管理"}, "role": {"supervisor"}, "max_chats": {"0"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.postAction(c, "/seat/admin/accounts/"+self.ID+tt.suffix, csrf, tt.form)
			if resp.status != http.StatusConflict {
				t.Fatalf("status: got %d, want 409", resp.status)
			}
			if !strings.Contains(openTag(resp.body, "account-action-error"), "alert") || !strings.Contains(resp.body, lastAdmin) {
				t.Errorf("page lacks the error %q", lastAdmin)
			}
			got := h.account(self.ID)
			if got.Disabled || got.Role != auth.RoleAdmin {
				t.Errorf("admin after rejected change: got disabled=%v role=%v, want enabled admin", got.Disabled, got.Role)
			}
			if page := h.get(c, "/seat/admin/accounts"); page.status != http.StatusOK {
				t.Errorf("own session after rejected change: got %d, want 200", page.status)
			}
		})
	}
}

func TestAccountActionUnknownID(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createAccount("wangadmin", "王管理", auth.RoleAdmin)
	c := h.client()
	csrf := h.login(c, "wangadmin")

	for _, suffix := range []string{"/reset", "/disable", "/enable", ""} {
		t.Run("action"+suffix, func(t *testing.T) {
			form := url.Values{"name": {"张三"}, "role": {"agent"}, "max_chats": {"1"}}
			resp := h.postAction(c, "/seat/admin/accounts/no-such-id"+suffix, csrf, form)
			if resp.status != http.StatusNotFound {
				t.Fatalf("status: got %d, want 404", resp.status)
			}
			if want := auth.UserMessage(auth.ErrNotFound); !strings.Contains(resp.body, want) {
				t.Errorf("page lacks %q", want)
			}
		})
	}
}

func FuzzParseMaxChats(f *testing.F) {
	for _, s := range []string{"0", "5", " 50 ", "-1", "99", "abc", "", "1e3", "９"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseMaxChats(s)
		if err != nil {
			if !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Errorf("parseMaxChats(%q): error %q does not name the input", s, err)
			}
			return
		}
		again, err := parseMaxChats(strconv.Itoa(n))
		if err != nil || again != n {
			t.Errorf("parseMaxChats(%q) = %d: got %d, %v on its own text, want %d", s, n, again, err, n)
		}
	})
}
