package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"wenban/appliance/audit"
	"wenban/appliance/auth"
)

func TestAnnouncementsPublishShowWithdraw(t *testing.T) {
	h := newHarness(t, harnessOptions{}) // the clock reads 2026-12-07 10:00 in Beijing
	h.createAccount("admin1", "王敏", auth.RoleAdmin)
	admin := h.client()
	token := h.login(admin, "admin1")
	citizen := h.client()

	bad := h.postForm(admin, "/seat/admin/announcements", url.Values{
		csrfField: {token}, "title": {"元旦放假"}, "body": {"1月1日暂停办公"}, "from": {"2026-12-30"}, "until": {"2026-12-20"},
	})
	if bad.status != http.StatusBadRequest || !strings.Contains(bad.body, "结束日期不能早于开始日期") {
		t.Fatalf("end before start: got %d, want 400 with the reason", bad.status)
	}
	if !strings.Contains(bad.body, `value="元旦放假"`) || !strings.Contains(openTag(bad.body, "announcement-until"), "autofocus") {
		t.Errorf("rejected form: want the title kept and the focus on the end date")
	}

	ok := h.postForm(admin, "/seat/admin/announcements", url.Values{
		csrfField: {token}, "title": {"窗口调整通知"}, "body": {"本周三下午3号窗口暂停办理抵押登记。"}, "from": {"2026-12-07"}, "until": {"2026-12-09"},
	})
	if ok.status != http.StatusSeeOther {
		t.Fatalf("publish: got %d, want 303; body %s", ok.status, ok.body)
	}
	later := h.postForm(admin, "/seat/admin/announcements", url.Values{
		csrfField: {token}, "title": {"元旦放假通知"}, "body": {"1月1日暂停办公。"}, "from": {"2026-12-30"}, "until": {"2027-01-01"},
	})
	if later.status != http.StatusSeeOther {
		t.Fatalf("publish a later one: got %d, want 303", later.status)
	}

	page := h.get(citizen, "/")
	if !strings.Contains(page.body, "公告：窗口调整通知") || !strings.Contains(page.body, "2026-12-07 至 2026-12-09") {
		t.Errorf("citizen page lacks today's announcement")
	}
	if strings.Contains(page.body, "元旦放假通知") {
		t.Errorf("citizen page shows an announcement before its start")
	}

	list := h.get(admin, "/seat/admin/announcements")
	for _, want := range []string{"显示中", "待显示"} {
		if !strings.Contains(list.body, want) {
			t.Errorf("admin list lacks %q", want)
		}
	}
	entries, _, err := h.audit.List(context.Background(), audit.Filter{Group: "announcement"})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[1].Target != "窗口调整通知" {
		t.Fatalf("audit: got %+v, want the two publishes", entries)
	}
	id := strings.Split(strings.Split(list.body, `data-testid="announcement-row" data-id="`)[2], `"`)[0]
	if resp := h.postForm(admin, "/seat/admin/announcements/"+id+"/withdraw", url.Values{csrfField: {token}}); resp.status != http.StatusSeeOther {
		t.Fatalf("withdraw: got %d, want 303", resp.status)
	}
	if page := h.get(citizen, "/"); strings.Contains(page.body, "窗口调整通知") {
		t.Errorf("citizen page still shows the withdrawn announcement")
	}
	if entries, _, _ := h.audit.List(context.Background(), audit.Filter{Group: "announcement", Limit: 1}); len(entries) != 1 || entries[0].Target != "窗口调整通知" {
		t.Errorf("withdraw on the audit trail: got %+v, want it named by its title", entries)
	}
	if resp := h.postForm(admin, "/seat/admin/announcements/nope/withdraw", url.Values{csrfField: {token}}); resp.status != http.StatusNotFound {
		t.Errorf("withdrawing an unknown id: got %d, want 404", resp.status)
	}

	agent := h.client()
	h.createAccount("zhang", "张敏", auth.RoleAgent)
	h.login(agent, "zhang")
	if resp := h.get(agent, "/seat/admin/announcements"); resp.status != http.StatusForbidden {
		t.Errorf("announcements page for an agent: got %d, want 403", resp.status)
	}
}

// TestNoticesFoldAfterTwo publishes four announcements: two show in full
// and the rest fold behind one summary, so the ask box stays near the top.
func TestNoticesFoldAfterTwo(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createAccount("admin1", "王敏", auth.RoleAdmin)
	admin := h.client()
	token := h.login(admin, "admin1")
	for _, title := range []string{"公告一", "公告二", "公告三", "公告四"} {
		resp := h.postForm(admin, "/seat/admin/announcements", url.Values{
			csrfField: {token}, "title": {title}, "body": {"内容"}, "from": {"2026-12-07"}, "until": {"2026-12-08"},
		})
		if resp.status != http.StatusSeeOther {
			t.Fatalf("publish %s: got %d, want 303", title, resp.status)
		}
	}
	page := h.get(h.client(), "/").body
	if n := strings.Count(page, `data-testid="notice"`); n != 4 {
		t.Errorf("notices on the page: got %d, want 4", n)
	}
	more := strings.Index(page, `data-testid="notice-more"`)
	if more < 0 || !strings.Contains(page, "另有 2 条公告") {
		t.Fatalf("want the older two folded behind 另有 2 条公告")
	}
	if i := strings.Index(page, "公告四"); i < 0 || i > more {
		t.Errorf("the newest announcement should open in full, before the fold")
	}
	if i := strings.Index(page, "公告一"); i < more {
		t.Errorf("the oldest announcement should be folded")
	}
}
