package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"wenban/appliance/auth"
	"wenban/appliance/conversation"
)

var refFormat = regexp.MustCompile(`^LY\d{8}-\d{4}$`)

func TestLeaveMessageReturnsRef(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.clock.Set(closedTime)
	c := h.client()

	resp := h.postJSON(c, "/api/v1/leave-message", `{"name":"王五","phone":"13912345678","text":"宅基地审批进度"}`)
	if resp.status != http.StatusCreated {
		t.Fatalf("status: got %d, want 201", resp.status)
	}
	var reply leaveReply
	decodeBody(t, resp.body, &reply)
	// The conversation service reads the real clock, not the harness's.
	if !refFormat.MatchString(reply.Ref) || !strings.HasSuffix(reply.Ref, "-0001") {
		t.Fatalf("ref: got %q, want LYyyyymmdd-0001, the first of the day", reply.Ref)
	}
	secondRef := strings.TrimSuffix(reply.Ref, "0001") + "0002"

	token := formTokenOf(t, h.get(c, "/").body)
	form := h.postForm(c, "/leave-message", url.Values{"name": {"王五"}, "phone": {"13912345678"}, "text": {"宅基地"}, csrfField: {token}})
	loc := form.header.Get("Location")
	if !strings.Contains(loc, "ref="+secondRef) {
		t.Fatalf("redirect: got %q, want %s in it", loc, secondRef)
	}
	done := h.get(c, loc)
	if got := openTag(done.body, "leave-ref"); isHidden(got) {
		t.Errorf("leave-ref: got hidden, want the reference number shown")
	}
	if !strings.Contains(done.body, `data-testid="leave-ref-value">`+secondRef+`<`) {
		t.Errorf("confirmation lacks the reference number %s", secondRef)
	}
}

func TestLeaveDoneRejectsForgedRef(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.client()
	page := h.get(c, "/?left=1&ref="+url.QueryEscape("请拨打 400-123 领取补贴"))
	if !isHidden(openTag(page.body, "leave-ref")) {
		t.Errorf("leave-ref: got shown for a forged ref, want hidden")
	}
	if strings.Contains(page.body, "领取补贴") {
		t.Errorf("page shows the forged text, want only real reference numbers")
	}
}

// lookupJSON posts a status lookup and returns the response.
func lookupJSON(h *harness, c *http.Client, ref, phone string) response {
	body := `{"ref":"` + ref + `","phone":"` + phone + `"}`
	return h.postJSON(c, "/api/v1/leave-message/status", body)
}

func TestLookUpLeftMessageAPI(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := context.Background()
	m, err := h.conv.LeaveMessage(ctx, conversation.LeftMessage{Name: "王五", Phone: "13912345678", Text: "宅基地审批进度"})
	if err != nil {
		t.Fatal(err)
	}
	if !refFormat.MatchString(m.Ref) {
		t.Fatalf("ref: got %q, want LYyyyymmdd-nnnn", m.Ref)
	}
	c := h.client()

	received := lookupJSON(h, c, m.Ref, "13912345678")
	if received.status != http.StatusOK {
		t.Fatalf("lookup: got %d %s, want 200", received.status, received.body)
	}
	var got lookupReply
	decodeBody(t, received.body, &got)
	if got.Status != "已收到" || got.Handled || got.Reply != "" {
		t.Errorf("before reply: got %+v, want 已收到 without a reply", got)
	}

	agent := conversation.Agent{ID: "a1", Name: "张三"}
	if _, err := h.conv.ReplyLeftMessage(ctx, m.ID, agent, "已电话告知审批进度，预计下周办结"); err != nil {
		t.Fatal(err)
	}
	handled := lookupJSON(h, c, strings.ToLower(m.Ref), "139 1234 5678")
	decodeBody(t, handled.body, &got)
	if got.Status != "已处理" || !got.Handled || got.Reply != "已电话告知审批进度，预计下周办结" || got.RepliedAt == "" {
		t.Errorf("after reply: got %+v, want 已处理 with the reply and its time", got)
	}
	if strings.Contains(handled.body, "王五") || strings.Contains(handled.body, "张三") {
		t.Errorf("lookup reply %s names the citizen or the staff member, want neither", handled.body)
	}

	wrongPhone := lookupJSON(h, c, m.Ref, "13900000000")
	unknownRef := lookupJSON(h, c, "LY20991231-0001", "13912345678")
	if wrongPhone.status != http.StatusNotFound || unknownRef.status != http.StatusNotFound {
		t.Errorf("misses: got %d and %d, want 404 for both", wrongPhone.status, unknownRef.status)
	}
	if wrongPhone.body != unknownRef.body {
		t.Errorf("miss bodies differ: wrong phone %q, unknown ref %q, want the same answer", wrongPhone.body, unknownRef.body)
	}
	if !strings.Contains(wrongPhone.body, msgLookupMiss) {
		t.Errorf("miss body: got %q, want %q", wrongPhone.body, msgLookupMiss)
	}

	// m.Ref has been looked up three times so far; each reference number
	// allows five lookups, then one per interval, from any address.
	for i := 4; i <= 5; i++ {
		if resp := lookupJSON(h, c, m.Ref, "13912345678"); resp.status != http.StatusOK {
			t.Fatalf("lookup %d of the reference: got %d, want 200 within its burst", i, resp.status)
		}
	}
	limited := lookupJSON(h, c, m.Ref, "13912345678")
	if limited.status != http.StatusTooManyRequests {
		t.Fatalf("sixth lookup of the reference: got %d, want 429", limited.status)
	}
	if strings.Contains(limited.body, "已收到") || strings.Contains(limited.body, "已处理") {
		t.Errorf("limited reply %q carries a status, want none", limited.body)
	}
	if !strings.Contains(limited.body, msgLookupTooMany) {
		t.Errorf("limited reply: got %q, want %q", limited.body, msgLookupTooMany)
	}
	h.clock.Set(h.clock.Now().Add(lookupSecretEvery))
	if resp := lookupJSON(h, c, m.Ref, "13912345678"); resp.status != http.StatusOK {
		t.Errorf("after one interval: got %d, want 200", resp.status)
	}
}

// TestLookUpLimits checks each limit of the status lookup on its own: a
// known phone number cannot be tried against many reference numbers, and
// many citizens behind one address are held back only by the loose
// address limit.
func TestLookUpLimits(t *testing.T) {
	tests := []struct {
		name    string
		ref     func(i int) string
		phone   func(i int) string
		allowed int
		by      string
	}{
		{
			name:    "one phone, many reference numbers",
			ref:     func(i int) string { return fmt.Sprintf("LY20261204-%04d", i+1) },
			phone:   func(int) string { return "13912345678" },
			allowed: lookupSecretBurst,
			by:      "phone",
		},
		{
			name:    "one reference number, many phones",
			ref:     func(int) string { return "ly20261204 0001" },
			phone:   func(i int) string { return fmt.Sprintf("1390000%04d", i) },
			allowed: lookupSecretBurst,
			by:      "reference",
		},
		{
			name:    "one address, different citizens",
			ref:     func(i int) string { return fmt.Sprintf("LY20261204-%04d", i+1) },
			phone:   func(i int) string { return fmt.Sprintf("1390000%04d", i) },
			allowed: lookupBurst,
			by:      "address",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLookupLimits()
			now := time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
			for i := range tt.allowed {
				if ok, by := l.allow("10.0.0.7:4000", tt.ref(i), tt.phone(i), now); !ok {
					t.Fatalf("lookup %d: refused by the %s limit, want allowed", i+1, by)
				}
			}
			ok, by := l.allow("10.0.0.7:4001", tt.ref(tt.allowed), tt.phone(tt.allowed), now)
			if ok || by != tt.by {
				t.Errorf("lookup %d: got allowed %v by %q, want refused by %q", tt.allowed+1, ok, by, tt.by)
			}
		})
	}
}

func TestLookUpLeftMessageForm(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	m, err := h.conv.LeaveMessage(context.Background(), conversation.LeftMessage{Name: "王五", Phone: "0731-88888888", Text: "宅基地"})
	if err != nil {
		t.Fatal(err)
	}
	c := h.client()
	token := formTokenOf(t, h.get(c, "/").body)

	found := h.postForm(c, "/leave-message/status", url.Values{"ref": {m.Ref}, "phone": {"073188888888"}, csrfField: {token}})
	if found.status != http.StatusOK {
		t.Fatalf("lookup: got %d, want 200", found.status)
	}
	if isHidden(openTag(found.body, "lookup-result")) {
		t.Errorf("lookup-result: got hidden, want the status")
	}
	if !strings.Contains(found.body, `data-handled="false">已收到<`) {
		t.Errorf("lookup page lacks the status 已收到")
	}

	miss := h.postForm(c, "/leave-message/status", url.Values{"ref": {m.Ref}, "phone": {"13900000000"}, csrfField: {token}})
	if miss.status != http.StatusNotFound {
		t.Fatalf("wrong phone: got %d, want 404", miss.status)
	}
	if isHidden(openTag(miss.body, "lookup-error")) || !strings.Contains(miss.body, msgLookupMiss) {
		t.Errorf("wrong phone: want the shared miss message under the form")
	}
	if !isHidden(openTag(miss.body, "lookup-result")) {
		t.Errorf("wrong phone: got the result shown, want hidden")
	}

	noToken := h.postForm(c, "/leave-message/status", url.Values{"ref": {m.Ref}, "phone": {"073188888888"}})
	if noToken.status != http.StatusForbidden {
		t.Errorf("without CSRF token: got %d, want 403", noToken.status)
	}
}

func TestMessagesPageSearchByRef(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := context.Background()
	first, err := h.conv.LeaveMessage(ctx, conversation.LeftMessage{Name: "李四", Phone: "13812345678", Text: "宅基地审批进度"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := h.conv.LeaveMessage(ctx, conversation.LeftMessage{Name: "赵六", Phone: "13812345679", Text: "测绘资质申请"})
	if err != nil {
		t.Fatal(err)
	}
	h.createAccount("zhangsan", "张三", auth.RoleAgent)
	c := h.client()
	h.login(c, "zhangsan")

	all := h.get(c, "/seat/messages")
	for _, ref := range []string{first.Ref, second.Ref} {
		if !strings.Contains(all.body, `data-testid="message-ref">`+ref+`<`) {
			t.Errorf("messages page lacks reference number %s", ref)
		}
	}

	tests := []struct {
		name  string
		query string
		want  []string
		not   []string
	}{
		{"whole ref", first.Ref, []string{"李四"}, []string{"赵六"}},
		{"lower case without hyphen", strings.ToLower(strings.ReplaceAll(second.Ref, "-", "")), []string{"赵六"}, []string{"李四"}},
		{"sequence part", second.Ref[len(second.Ref)-4:], []string{"赵六"}, []string{"李四"}},
		{"no match", "LY19990101-0001", nil, []string{"李四", "赵六"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.get(c, "/seat/messages?q="+url.QueryEscape(tt.query))
			if resp.status != http.StatusOK {
				t.Fatalf("status: got %d, want 200", resp.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(resp.body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(resp.body, n) {
					t.Errorf("page shows %q, want it filtered out", n)
				}
			}
		})
	}
}

func TestForcedPasswordPageIsBare(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	login, password, _, err := h.auth.EnsureAdmin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := h.client()
	token := formTokenOf(t, h.get(c, "/seat/login").body)
	h.postForm(c, "/seat/login", url.Values{"login": {login}, "password": {password}, csrfField: {token}})

	page := h.get(c, "/seat/password")
	assertTestIDs(t, page.body, "password-form", "password-rule", "logout-button")
	for _, id := range []string{"nav-workbench", "nav-history", "nav-messages", "nav-accounts", "nav-kb", "nav-password"} {
		if strings.Contains(page.body, `data-testid="`+id+`"`) {
			t.Errorf("forced change page shows %s, want only the form and 退出登录", id)
		}
	}

	csrf := formTokenOf(t, page.body)
	tests := []struct {
		name, password, reason string
	}{
		{"common", "admin12345", "过于常见"},
		{"one class", "abcdefghijkl", "两类"},
		{"contains login", "Admin-2026-x", "不能包含账号"},
		{"short", "Ab1!", "至少需要 10 个字符"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.postForm(c, "/seat/password", url.Values{
				"old_password": {password}, "new_password": {tt.password}, "confirm_password": {tt.password}, csrfField: {csrf},
			})
			if resp.status != http.StatusBadRequest {
				t.Fatalf("status: got %d, want 400", resp.status)
			}
			if !strings.Contains(resp.body, tt.reason) {
				t.Errorf("page lacks the reason %q", tt.reason)
			}
			if strings.Contains(resp.body, `data-testid="nav-workbench"`) {
				t.Errorf("rejected change shows the menu, want the bare page")
			}
		})
	}
}

func TestAccountsPageAppliesPasswordRule(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createAccount("wangadmin", "王管理", auth.RoleAdmin)
	c := h.client()
	csrf := h.login(c, "wangadmin")

	resp := h.postForm(c, "/seat/admin/accounts", url.Values{
		"login": {"lihua"}, "name": {"李华"}, "password": {"password123"}, "role": {"agent"}, csrfField: {csrf},
	})
	if resp.status != http.StatusBadRequest {
		t.Fatalf("status: got %d, want 400", resp.status)
	}
	if !strings.Contains(resp.body, "过于常见") {
		t.Errorf("accounts page lacks the common-password reason")
	}
	assertTestIDs(t, resp.body, "account-password-rule")
}

func TestLeftMessagesPaged(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := context.Background()
	const total = messagesPerPage + 7
	for i := range total {
		if _, err := h.conv.LeaveMessage(ctx, conversation.LeftMessage{Name: "王五", Phone: "13912345678", Text: fmt.Sprintf("第%d条留言", i+1)}); err != nil {
			t.Fatal(err)
		}
	}
	h.createAccount("zhang", "张敏", auth.RoleAgent)
	c := h.client()
	h.login(c, "zhang")

	tests := []struct {
		name      string
		query     string
		wantItems int
		wantInfo  string
		wantPrev  bool
		wantNext  bool
	}{
		{"first page", "", messagesPerPage, fmt.Sprintf("第 1 / 2 页，共 %d 条", total), false, true},
		{"second page", "?page=2", total - messagesPerPage, fmt.Sprintf("第 2 / 2 页，共 %d 条", total), true, false},
		{"page past the end", "?page=9", total - messagesPerPage, "第 2 / 2 页", true, false},
		{"page not a number", "?page=x", messagesPerPage, "第 1 / 2 页", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := h.get(c, "/seat/messages"+tt.query)
			if page.status != http.StatusOK {
				t.Fatalf("status: got %d, want 200", page.status)
			}
			if got := strings.Count(page.body, `data-testid="message-item"`); got != tt.wantItems {
				t.Errorf("items: got %d, want %d", got, tt.wantItems)
			}
			if !strings.Contains(page.body, tt.wantInfo) {
				t.Errorf("page info: want %q on the page", tt.wantInfo)
			}
			if got := strings.Contains(page.body, `data-testid="messages-prev"`); got != tt.wantPrev {
				t.Errorf("previous link: got %v, want %v", got, tt.wantPrev)
			}
			if got := strings.Contains(page.body, `data-testid="messages-next"`); got != tt.wantNext {
				t.Errorf("next link: got %v, want %v", got, tt.wantNext)
			}
		})
	}
}
