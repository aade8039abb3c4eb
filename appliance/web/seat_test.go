package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"wenban/appliance/auth"
	"wenban/appliance/conversation"
)

func TestSeatRequiresLogin(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.client()
	tests := []struct {
		name         string
		path         string
		wantStatus   int
		wantLocation string
	}{
		{"workbench", "/seat", 303, "/seat/login?next=%2Fseat"},
		{"history with query", "/seat/history?q=x", 303, "/seat/login?next=%2Fseat%2Fhistory%3Fq%3Dx"},
		{"transcript", "/seat/history/abc", 303, "/seat/login?next=%2Fseat%2Fhistory%2Fabc"},
		{"messages", "/seat/messages", 303, "/seat/login?next=%2Fseat%2Fmessages"},
		{"accounts", "/seat/admin/accounts", 303, "/seat/login?next=%2Fseat%2Fadmin%2Faccounts"},
		{"seat socket", "/ws/seat", 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.get(c, tt.path)
			if resp.status != tt.wantStatus {
				t.Fatalf("status: got %d, want %d", resp.status, tt.wantStatus)
			}
			if got := resp.header.Get("Location"); got != tt.wantLocation {
				t.Errorf("location: got %q, want %q", got, tt.wantLocation)
			}
			if tt.wantStatus == 401 && !strings.Contains(resp.body, `"error":"请先登录。"`) {
				t.Errorf("body: got %s, want the JSON login message", resp.body)
			}
		})
	}
}

func TestLogin(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createAccount("zhangsan", "张三", auth.RoleAgent)

	tests := []struct {
		name         string
		password     string
		next         string
		wantStatus   int
		wantLocation string
	}{
		{"wrong password", "wrong-password-1", "", 401, ""},
		{"success", testPassword, "", 303, "/seat"},
		{"success with next", testPassword, "/seat/history?q=%E5%9C%B0", 303, "/seat/history?q=%E5%9C%B0"},
		{"foreign next", testPassword, "//evil.example/seat", 303, "/seat"},
		{"absolute next", testPassword, "http://evil.example/seat", 303, "/seat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := h.client()
			token := formTokenOf(t, h.get(c, "/seat/login").body)
			form := url.Values{"login": {"zhangsan"}, "password": {tt.password}, "next": {tt.next}, csrfField: {token}}
			resp := h.postForm(c, "/seat/login", form)
			if resp.status != tt.wantStatus {
				t.Fatalf("status: got %d, want %d", resp.status, tt.wantStatus)
			}
			if got := resp.header.Get("Location"); got != tt.wantLocation {
				t.Errorf("location: got %q, want %q", got, tt.wantLocation)
			}
			if tt.wantStatus == 401 {
				if isHidden(openTag(resp.body, "login-error")) {
					t.Errorf("login-error: got hidden, want the message")
				}
				if !strings.Contains(resp.body, "账号或密码错误") {
					t.Errorf("page lacks the wrong-password message")
				}
			}
		})
	}
}

func TestLogoutEndsSession(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createAccount("zhangsan", "张三", auth.RoleAgent)
	c := h.client()
	csrf := h.login(c, "zhangsan")

	resp := h.postForm(c, "/seat/logout", url.Values{csrfField: {csrf}})
	if resp.status != http.StatusSeeOther || resp.header.Get("Location") != "/seat/login" {
		t.Fatalf("logout: got %d %q, want 303 /seat/login", resp.status, resp.header.Get("Location"))
	}
	if after := h.get(c, "/seat"); after.status != http.StatusSeeOther {
		t.Errorf("workbench after logout: got %d, want 303 to login", after.status)
	}
}

func TestCSRFRejection(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createAccount("zhangsan", "张三", auth.RoleAgent)
	h.createAccount("wangadmin", "王管理", auth.RoleAdmin)

	agent := h.client()
	agentCSRF := h.login(agent, "zhangsan")
	admin := h.client()
	h.login(admin, "wangadmin")
	citizen := h.client()
	citizenToken := formTokenOf(t, h.get(citizen, "/").body)
	stranger := h.client()
	h.get(stranger, "/seat/login")

	tests := []struct {
		name   string
		client *http.Client
		path   string
		form   url.Values
		header []string
	}{
		{"ask without token", citizen, "/ask", url.Values{"q": {"测绘"}}, nil},
		{"ask with foreign token", stranger, "/ask", url.Values{"q": {"测绘"}, csrfField: {citizenToken}}, nil},
		{"leave message without token", citizen, "/leave-message", url.Values{"name": {"张三"}}, nil},
		{"login without token", stranger, "/seat/login", url.Values{"login": {"zhangsan"}, "password": {testPassword}}, nil},
		{"login with wrong token", stranger, "/seat/login", url.Values{"login": {"zhangsan"}, "password": {testPassword}, csrfField: {citizenToken}}, nil},
		{"logout without token", agent, "/seat/logout", url.Values{}, nil},
		{"create account with another session's token", admin, "/seat/admin/accounts", url.Values{"login": {"lisi"}, csrfField: {agentCSRF}}, nil},
		{"cross-site form", agent, "/seat/logout", url.Values{csrfField: {agentCSRF}}, []string{"Sec-Fetch-Site", "cross-site"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.do(tt.client, http.MethodPost, tt.path, "application/x-www-form-urlencoded", tt.form.Encode(), tt.header...)
			if resp.status != http.StatusForbidden {
				t.Fatalf("status: got %d, want 403", resp.status)
			}
			if !strings.Contains(resp.body, "页面已过期") {
				t.Errorf("body lacks the Chinese CSRF message: %s", resp.body)
			}
		})
	}

	accts, err := h.auth.Accounts(context.Background())
	if err != nil {
		t.Fatalf("listing accounts: %v", err)
	}
	if len(accts) != 2 {
		t.Errorf("accounts after rejected create: got %d, want 2", len(accts))
	}
}

func TestCrossSiteJSONRejected(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	resp := h.do(h.client(), http.MethodPost, "/api/v1/handoff", "application/json",
		`{"channel":"web","topic":"","transcript":[]}`, "Sec-Fetch-Site", "cross-site")
	if resp.status != http.StatusForbidden {
		t.Fatalf("status: got %d, want 403", resp.status)
	}
	if !strings.Contains(resp.body, `"error"`) {
		t.Errorf("body: got %s, want a JSON error", resp.body)
	}
}

func TestAdminOnlyPages(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createAccount("zhangsan", "张三", auth.RoleAgent)
	h.createAccount("zhaoban", "赵班长", auth.RoleSupervisor)
	h.createAccount("wangadmin", "王管理", auth.RoleAdmin)

	tests := []struct {
		login      string
		wantStatus int
		wantNav    bool
	}{
		{"zhangsan", 403, false},
		{"zhaoban", 403, false},
		{"wangadmin", 200, true},
	}
	for _, tt := range tests {
		t.Run(tt.login, func(t *testing.T) {
			c := h.client()
			h.login(c, tt.login)
			resp := h.get(c, "/seat/admin/accounts")
			if resp.status != tt.wantStatus {
				t.Fatalf("status: got %d, want %d", resp.status, tt.wantStatus)
			}
			if tt.wantStatus == 403 && !strings.Contains(resp.body, msgForbidden) {
				t.Errorf("403 page lacks %q", msgForbidden)
			}
			bench := h.get(c, "/seat")
			if got := strings.Contains(bench.body, `data-testid="nav-accounts"`); got != tt.wantNav {
				t.Errorf("accounts link: got %v, want %v", got, tt.wantNav)
			}
		})
	}
}

func TestCreateAccount(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createAccount("wangadmin", "王管理", auth.RoleAdmin)
	c := h.client()
	csrf := h.login(c, "wangadmin")

	tests := []struct {
		name       string
		form       url.Values
		wantStatus int
	}{
		{"bad login", url.Values{"login": {"张"}, "name": {"张三"}, "password": {testPassword}, "role": {"agent"}}, 400},
		{"short password", url.Values{"login": {"zhangsan"}, "name": {"张三"}, "password": {"short"}, "role": {"agent"}}, 400},
		{"bad role", url.Values{"login": {"zhangsan"}, "name": {"张三"}, "password": {testPassword}, "role": {"root"}}, 400},
		{"valid", url.Values{"login": {"zhangsan"}, "name": {"张三"}, "password": {testPassword}, "role": {"agent"}}, 303},
		{"taken login", url.Values{"login": {"zhangsan"}, "name": {"张三"}, "password": {testPassword}, "role": {"agent"}}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.form.Set(csrfField, csrf)
			resp := h.postForm(c, "/seat/admin/accounts", tt.form)
			if resp.status != tt.wantStatus {
				t.Fatalf("status: got %d, want %d", resp.status, tt.wantStatus)
			}
			if tt.wantStatus == 400 {
				if isHidden(openTag(resp.body, "account-error")) {
					t.Errorf("account-error: got hidden, want the message")
				}
				if !strings.Contains(resp.body, `value="`+tt.form.Get("name")+`"`) {
					t.Errorf("form does not keep the name")
				}
			}
		})
	}

	page := h.get(c, "/seat/admin/accounts?created=1")
	if !strings.Contains(page.body, `data-testid="account-item-login">zhangsan<`) {
		t.Errorf("account list lacks the new account")
	}
	if isHidden(openTag(page.body, "account-notice")) {
		t.Errorf("account-notice: got hidden, want the confirmation")
	}
}

func TestSeatSocketGetsAccount(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createAccount("zhangsan", "张三", auth.RoleAgent)
	c := h.client()
	h.login(c, "zhangsan")
	resp := h.get(c, "/ws/seat")
	if resp.status != http.StatusOK || resp.body != "seat socket for zhangsan" {
		t.Errorf("seat socket: got %d %q, want 200 with the account in context", resp.status, resp.body)
	}
}

func TestSeatPagesRender(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	agent := h.createAccount("zhangsan", "张三", auth.RoleAgent)
	h.createAccount("wangadmin", "王管理", auth.RoleAdmin)
	ctx := context.Background()

	served := h.startConversation("办理不动产登记需要哪些材料")
	if _, err := h.conv.Accept(ctx, conversation.Agent{ID: agent.ID, Name: agent.DisplayName}, served.ID); err != nil {
		t.Fatalf("accepting conversation: %v", err)
	}
	waiting := h.startConversation("测绘资质如何申请")
	if _, err := h.conv.LeaveMessage(ctx, conversation.LeftMessage{Name: "李四", Phone: "13812345678", Text: "宅基地审批进度"}); err != nil {
		t.Fatalf("leaving message: %v", err)
	}

	agentClient := h.client()
	h.login(agentClient, "zhangsan")
	adminClient := h.client()
	h.login(adminClient, "wangadmin")

	nav := []string{"seat-header", "nav-workbench", "nav-history", "nav-messages", "nav-user", "nav-password", "logout-button"}
	tests := []struct {
		name   string
		client *http.Client
		path   string
		ids    []string
		texts  []string
	}{
		{"login page", h.client(), "/seat/login",
			[]string{"login-page", "login-form", "login-name", "login-password", "login-submit", "login-error"}, nil},
		{"workbench", agentClient, "/seat",
			append(nav, "workbench", "status-select", "connection-status", "queue-count", "queue-next",
				"queue-list", "queue-item", "queue-accept", "queue-empty", "tabs", "tab", "tab-unread",
				"active-count", "max-chats", "no-chats", "panes", "chat-pane", "pane-topic", "pane-state",
				"chat-messages", "chat-message", "suggestions", "suggestion-list", "suggestion",
				"suggestion-answer", "suggestion-insert", "chat-form", "chat-input", "chat-send",
				"transfer-select", "transfer-button", "end-button", "seat-error",
				"queue-panel", "capacity-hint", "suggestions-toggle"),
			[]string{string(served.ID), string(waiting.ID), "请携带身份证明。", "请携带身份证明、不动产权属来源证明和申请表。", "市民 1"}},
		{"history", agentClient, "/seat/history",
			append(nav, "history-page", "history-search", "history-search-button", "history-list", "history-item", "history-link"),
			[]string{string(served.ID), string(waiting.ID)}},
		{"history search", agentClient, "/seat/history?q=" + url.QueryEscape("测绘"),
			append(nav, "history-page", "history-item", "history-snippet", "history-highlight"),
			[]string{string(waiting.ID)}},
		{"history search without hits", agentClient, "/seat/history?q=" + url.QueryEscape("矿业权"),
			append(nav, "history-page", "history-empty"), nil},
		{"transcript", agentClient, "/seat/history/" + string(served.ID),
			append(nav, "transcript-page", "transcript-back", "transcript-topic", "transcript-state",
				"transcript-agents", "transcript-rating", "chat-messages", "chat-message"),
			[]string{"请携带身份证明。", "张三"}},
		{"messages", agentClient, "/seat/messages",
			append(nav, "messages-page", "message-list", "message-item", "message-name", "message-phone", "message-text"),
			[]string{"李四", "13812345678", "宅基地审批进度"}},
		{"accounts", adminClient, "/seat/admin/accounts",
			append(nav, "nav-accounts", "accounts-page", "account-list", "account-item", "account-item-login",
				"account-form", "account-login", "account-name", "account-password", "account-role",
				"account-submit", "account-error", "account-notice"),
			[]string{"zhangsan", "wangadmin"}},
		{"password", agentClient, "/seat/password",
			append(nav, "password-page", "password-form", "password-old", "password-new", "password-confirm",
				"password-submit", "password-error"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.get(tt.client, tt.path)
			if resp.status != http.StatusOK {
				t.Fatalf("status: got %d, want 200", resp.status)
			}
			assertTestIDs(t, resp.body, tt.ids...)
			for _, text := range tt.texts {
				if !strings.Contains(resp.body, text) {
					t.Errorf("page lacks %q", text)
				}
			}
		})
	}
}

func TestTranscriptNotFound(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createAccount("zhangsan", "张三", auth.RoleAgent)
	c := h.client()
	h.login(c, "zhangsan")
	resp := h.get(c, "/seat/history/nosuchid")
	if resp.status != http.StatusNotFound {
		t.Fatalf("status: got %d, want 404", resp.status)
	}
	assertTestIDs(t, resp.body, "error-page", "error-message")
}

func TestMustChangePassword(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	login, password, created, err := h.auth.EnsureAdmin(context.Background())
	if err != nil || !created {
		t.Fatalf("creating first admin: created=%v err=%v", created, err)
	}
	c := h.client()
	token := formTokenOf(t, h.get(c, "/seat/login").body)
	resp := h.postForm(c, "/seat/login", url.Values{"login": {login}, "password": {password}, csrfField: {token}})
	if resp.status != http.StatusSeeOther {
		t.Fatalf("login: got %d, want 303", resp.status)
	}

	bench := h.get(c, "/seat")
	if bench.status != http.StatusSeeOther || bench.header.Get("Location") != "/seat/password" {
		t.Fatalf("workbench: got %d %q, want 303 /seat/password", bench.status, bench.header.Get("Location"))
	}
	// The JSON routes refuse the handed-over password too.
	for _, path := range []string{"/seat/api/kb/search?q=登记", "/seat/api/conversations/x/attachments"} {
		api := h.get(c, path)
		if api.status != http.StatusForbidden || !strings.Contains(api.body, msgMustChangePassword) {
			t.Errorf("%s before the change: got %d %s, want 403 with %q", path, api.status, api.body, msgMustChangePassword)
		}
	}
	page := h.get(c, "/seat/password")
	assertTestIDs(t, page.body, "password-required")
	csrf := formTokenOf(t, page.body)

	mismatch := h.postForm(c, "/seat/password", url.Values{
		"old_password": {password}, "new_password": {testPassword}, "confirm_password": {"other-password-9"}, csrfField: {csrf},
	})
	if mismatch.status != http.StatusBadRequest {
		t.Errorf("mismatched confirmation: got %d, want 400", mismatch.status)
	}
	changed := h.postForm(c, "/seat/password", url.Values{
		"old_password": {password}, "new_password": {testPassword}, "confirm_password": {testPassword}, csrfField: {csrf},
	})
	if changed.status != http.StatusSeeOther || changed.header.Get("Location") != "/seat/login?changed=1" {
		t.Fatalf("change: got %d %q, want 303 /seat/login?changed=1", changed.status, changed.header.Get("Location"))
	}
	notice := h.get(h.client(), "/seat/login?changed=1")
	if !strings.Contains(notice.body, "密码已修改，请使用新密码登录。") {
		t.Errorf("login page after change: notice missing from %q", notice.body)
	}
	h.login(h.client(), login)
}

func TestLoginNotice(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	const notice = "密码已修改，请使用新密码登录。"
	tests := []struct {
		name  string
		query string
		want  bool
	}{
		{"password changed", "?changed=1", true},
		{"no query", "", false},
		{"other value", "?changed=2", false},
		{"markup is not echoed", "?changed=" + url.QueryEscape("<b>假通知</b>"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page := h.get(h.client(), "/seat/login"+tc.query)
			if page.status != http.StatusOK {
				t.Fatalf("status: got %d, want 200", page.status)
			}
			if got := strings.Contains(page.body, notice); got != tc.want {
				t.Errorf("notice shown: got %v, want %v", got, tc.want)
			}
			if strings.Contains(page.body, "假通知") {
				t.Errorf("page echoes the query text")
			}
		})
	}
}

func TestReplyLeftMessage(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createAccount("zhaoliu", "赵六", auth.RoleAgent)
	c := h.client()
	csrf := h.login(c, "zhaoliu")

	left, err := h.conv.LeaveMessage(context.Background(), conversation.LeftMessage{
		Name: "王芳", Phone: "13800138000", Text: "想咨询宅基地审批进度",
	})
	if err != nil {
		t.Fatal(err)
	}
	path := "/seat/messages/" + left.ID + "/reply"

	if resp := h.postForm(c, path, url.Values{"reply": {"已电话答复"}}); resp.status != http.StatusForbidden {
		t.Errorf("reply without CSRF token: got %d, want 403", resp.status)
	}
	if resp := h.postForm(c, path, url.Values{"reply": {"  "}, csrfField: {csrf}}); resp.status != http.StatusBadRequest {
		t.Errorf("empty reply: got %d, want 400", resp.status)
	}
	if resp := h.postForm(c, "/seat/messages/0000000000000099/reply", url.Values{"reply": {"x"}, csrfField: {csrf}}); resp.status != http.StatusNotFound {
		t.Errorf("unknown message: got %d, want 404", resp.status)
	}
	if resp := h.postForm(c, path, url.Values{"reply": {"已电话答复，审批约需20个工作日。"}, csrfField: {csrf}}); resp.status != http.StatusSeeOther {
		t.Fatalf("reply: got %d, want 303", resp.status)
	}

	page := h.get(c, "/seat/messages")
	if !strings.Contains(page.body, `data-testid="message-reply"`) || !strings.Contains(page.body, "审批约需20个工作日") {
		t.Error("messages page does not show the recorded reply")
	}
	if !strings.Contains(page.body, "赵六") {
		t.Error("messages page does not name who replied")
	}
	if strings.Contains(page.body, `data-testid="message-reply-form"`) {
		t.Error("answered message still offers the reply form")
	}
}

func TestPasswordChangeLockIsExplained(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createAccount("zhang", "张敏", auth.RoleAgent)
	c := h.client()
	h.login(c, "zhang")
	csrf := formTokenOf(t, h.get(c, "/seat/password").body)

	var last response
	for i := range auth.MaxFailures + 1 {
		last = h.postForm(c, "/seat/password", url.Values{
			"old_password": {fmt.Sprintf("wrong-old-%d", i)}, "new_password": {"Another-pass-2026"},
			"confirm_password": {"Another-pass-2026"}, csrfField: {csrf},
		})
	}
	if last.status != http.StatusTooManyRequests {
		t.Fatalf("after %d wrong old passwords: got %d, want 429", auth.MaxFailures+1, last.status)
	}
	if !strings.Contains(last.body, "原密码输错次数过多") {
		t.Errorf("lock page lacks its explanation: %s", last.body)
	}
	if strings.Contains(h.logs.String(), `"level":"ERROR"`) {
		t.Errorf("the lock was logged as an error: %s", h.logs.String())
	}
}

func TestWorkbenchShowsClosedHours(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createAccount("zhang", "张敏", auth.RoleAgent)
	c := h.client()
	h.login(c, "zhang")
	tests := []struct {
		name string
		at   time.Time
		want bool
	}{
		{"working hours", openTime, false},
		{"after hours", closedTime, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.clock.Set(tt.at)
			page := h.get(c, "/seat")
			if got := strings.Contains(page.body, `data-testid="seat-closed-hours"`); got != tt.want {
				t.Errorf("closed-hours notice: got %v, want %v", got, tt.want)
			}
		})
	}
}
