package server

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"wenban/appliance/config"
)

// TestBrowserAdminAndLeftMessage drives the back office and the 留言 path
// outside working hours: the first-run administrator must set their own
// password, creates a staff account on the accounts page and publishes an
// announcement the citizen page then shows, a citizen leaves a message
// because the seats are closed, and the staff member records the answer.
// navigate runs actions that end in a page load (a form post, a link) and
// waits for that load, so the next step never queries a page in flight.
func navigate(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	if resp.Status >= 400 {
		// The page says why, which is what a failing run needs to show.
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 1500) : ""`))
		t.Fatalf("%s: got HTTP %d; the page says:\n%s", step, resp.Status, text)
	}
}

func TestBrowserAdminAndLeftMessage(t *testing.T) {
	bctx := browser(t)
	// No open weekday: the seats are always closed, whatever today is.
	r := startHubWith(t, t.TempDir(), func(cfg *config.Config) { cfg.Hours.Weekdays = []string{} })

	admin := tab(t, bctx)
	const own = "Hall-Own-2026"
	run(t, admin, "first-run admin opens the login page",
		chromedp.Navigate(r.url+"/seat"),
		chromedp.WaitVisible(css(sel("login-form"))),
		chromedp.SendKeys(css(sel("login-name")), r.admin.Login),
		chromedp.SendKeys(css(sel("login-password")), r.admin.Password),
	)
	navigate(t, admin, "first-run admin logs in", chromedp.Click(css(sel("login-submit"))))
	run(t, admin, "admin is asked for their own password",
		chromedp.WaitVisible(css(sel("password-required"))),
		chromedp.SendKeys(css(sel("password-old")), r.admin.Password),
		chromedp.SendKeys(css(sel("password-new")), own),
		chromedp.SendKeys(css(sel("password-confirm")), own),
	)
	navigate(t, admin, "admin sets the password", chromedp.Click(css(sel("password-submit"))))
	run(t, admin, "the login page confirms the change",
		chromedp.WaitVisible(css(sel("login-notice"))),
		chromedp.SendKeys(css(sel("login-name")), r.admin.Login),
		chromedp.SendKeys(css(sel("login-password")), own),
	)
	navigate(t, admin, "admin logs in with their own password", chromedp.Click(css(sel("login-submit"))))
	run(t, admin, "the workbench opens", chromedp.WaitVisible(css(sel("workbench"))))

	navigate(t, admin, "admin opens the accounts page", chromedp.Navigate(r.url+"/seat/admin/accounts"))
	run(t, admin, "admin fills in a staff account",
		chromedp.WaitVisible(css(sel("account-form"))),
		chromedp.SendKeys(css(sel("account-login")), "wangfang"),
		chromedp.SendKeys(css(sel("account-name")), "王芳"),
		chromedp.SendKeys(css(sel("account-password")), "Wang-First-2026"),
	)
	navigate(t, admin, "admin creates the account", chromedp.Click(css(sel("account-submit"))))
	run(t, admin, "the new account is listed", waitText(sel("account-item-login"), "wangfang"))

	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	navigate(t, admin, "admin opens the announcements", chromedp.Navigate(r.url+"/seat/admin/announcements"))
	run(t, admin, "admin fills in an announcement",
		chromedp.WaitVisible(css(sel("announcement-form"))),
		chromedp.SendKeys(css(sel("announcement-title")), "窗口调整通知"),
		chromedp.SendKeys(css(sel("announcement-body")), "今天下午3号窗口暂停办理抵押登记。"),
		discard(chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
			document.querySelector('[data-testid="announcement-from"]').value = %q;
			document.querySelector('[data-testid="announcement-until"]').value = %q;
			return true;
		})()`, today, today))),
	)
	navigate(t, admin, "admin publishes it", chromedp.Click(css(sel("announcement-submit"))))
	run(t, admin, "the announcement is listed as showing",
		chromedp.WaitVisible(css(sel("announcement-notice"))),
		waitText(sel("announcement-row"), "显示中"),
	)

	citizen := tab(t, bctx)
	run(t, citizen, "citizen sees the announcement",
		chromedp.Navigate(r.url+"/"),
		waitText(sel("notice"), "公告：窗口调整通知"),
	)
	run(t, citizen, "citizen outside hours sees the leave-message form with the question kept",
		chromedp.Navigate(r.url+"/"),
		chromedp.WaitVisible(css(sel("hours-closed"))),
		chromedp.SendKeys(css(sel("ask-input")), "农村宅基地审批要多久"),
		chromedp.Click(css(sel("ask-button"))),
		chromedp.WaitVisible(css(sel("answer-text"))),
		chromedp.WaitVisible(css(sel("leave-form"))),
	)
	kept, err := chromedp.Run(citizen, chromedp.Value(css(sel("leave-text"))))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(kept, "宅基地审批") {
		t.Errorf("leave form text: got %q, want the citizen's question", kept)
	}
	run(t, citizen, "citizen mistypes the phone",
		chromedp.SendKeys(css(sel("leave-name")), "刘建国"),
		chromedp.SendKeys(css(sel("leave-phone")), "12345"),
		chromedp.Click(css(sel("leave-submit"))),
		chromedp.WaitVisible(css(sel("leave-error"))),
		waitJS(`document.activeElement === document.querySelector('[data-testid="leave-phone"]')`),
	)
	run(t, citizen, "citizen leaves a message",
		discard(chromedp.Evaluate[bool](`(() => { document.querySelector('[data-testid="leave-phone"]').value = ""; return true; })()`)),
		chromedp.SendKeys(css(sel("leave-phone")), "13907310000"),
		chromedp.Click(css(sel("leave-submit"))),
		chromedp.WaitVisible(css(sel("leave-done"))),
	)

	navigate(t, admin, "admin opens the left messages", chromedp.Navigate(r.url+"/seat/messages"))
	run(t, admin, "admin writes the answer",
		chromedp.WaitVisible(css(sel("message-item"))),
		waitText(sel("message-name"), "刘建国"),
		chromedp.SendKeys(css(sel("message-reply-text")), "已电话答复：审批时限以乡镇公布为准。"),
	)
	navigate(t, admin, "admin records the answer", chromedp.Click(css(sel("message-reply-submit"))))
	run(t, admin, "the answer is shown", waitText(sel("message-reply"), "已电话答复"))

	left, err := r.srv.Conversations().LeftMessages(context.Background())
	if err != nil || len(left) != 1 {
		t.Fatalf("left messages: got %d, %v; want 1", len(left), err)
	}
	if left[0].Reply == "" || left[0].RepliedBy == "" {
		t.Errorf("stored reply: got %+v, want the answer and who gave it", left[0])
	}
}
