package server

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"wenban/appliance/conversation"
)

var leftRefFormat = regexp.MustCompile(`^LY\d{8}-\d{4}$`)

func buttonDisabled(testID string) string {
	return fmt.Sprintf(`document.querySelector('[data-testid="%s"]').disabled`, testID)
}

// TestBrowserCitizenAndSeatGaps drives one always-open hub through the 留言
// reference number and its status lookup and the bare forced password
// change with the strength rule. It also checks the live 接入下一位
// button, the citizen's view of the first administrator and history
// search over attachment names.
func TestBrowserCitizenAndSeatGaps(t *testing.T) {
	bctx := browser(t)
	r := startHub(t, t.TempDir())

	ref := leaveMessageWithoutSeat(t, bctx, r)
	admin := tab(t, bctx)
	changeForcedPassword(t, admin, r)

	run(t, admin, "the empty queue disables 接入下一位",
		waitJS(`document.querySelector('[data-testid="connection-status"]').dataset.state === "open"`),
		chromedp.WaitVisible(css(sel("queue-empty"))),
	)
	if !evalBool(t, admin, buttonDisabled("queue-next")) {
		t.Errorf("queue-next with an empty queue: got enabled, want disabled")
	}
	waitOnline(t, r)

	citizen := tab(t, bctx)
	run(t, citizen, "a citizen joins the queue",
		chromedp.Navigate(r.url+"/"),
		chromedp.WaitVisible(css(sel("handoff-button"))),
		chromedp.Click(css(sel("handoff-button"))),
		chromedp.WaitVisible(css(sel("chat-panel"))),
	)
	run(t, admin, "接入下一位 enables without a reload",
		chromedp.WaitVisible(css(sel("queue-item"))),
		waitJS(`!`+buttonDisabled("queue-next")),
		chromedp.Click(css(sel("queue-next"))),
		chromedp.WaitVisible(css(sel("chat-pane"))),
		chromedp.SendKeys(css(sel("chat-pane")+" "+sel("chat-input")), "您好，请问有什么可以帮您"),
		chromedp.Click(css(sel("chat-pane")+" "+sel("chat-send"))),
	)
	run(t, citizen, "the citizen sees 工作人员, not the administrator's role",
		waitText(sel("chat-status"), "工作人员正在为您服务"),
		waitJS(`[...document.querySelectorAll('[data-testid="chat-message"][data-from="agent"] [data-field="author"]')].some(e => e.textContent === "工作人员")`),
	)
	if evalBool(t, citizen, `document.body.innerText.includes("系统管理员")`) {
		t.Errorf("citizen page shows 系统管理员, want 工作人员")
	}

	searchAttachmentName(t, admin, r)
	answerLeftMessage(t, admin, r, ref)
	lookUpLeftMessage(t, bctx, r, ref)
}

// leaveMessageWithoutSeat leaves a message while no seat is online and
// returns the reference number the page shows.
func leaveMessageWithoutSeat(t *testing.T, bctx context.Context, r *running) string {
	t.Helper()
	citizen := tab(t, bctx)
	run(t, citizen, "with no seat online 转人工 offers the 留言 form",
		chromedp.Navigate(r.url+"/"),
		chromedp.WaitVisible(css(sel("handoff-button"))),
		chromedp.Click(css(sel("handoff-button"))),
		chromedp.WaitVisible(css(sel("leave-form"))),
		chromedp.SendKeys(css(sel("leave-name")), "王五"),
		chromedp.SendKeys(css(sel("leave-phone")), "13912345678"),
		chromedp.SendKeys(css(sel("leave-text")), "宅基地审批进度怎么查"),
		chromedp.Click(css(sel("leave-submit"))),
		chromedp.WaitVisible(css(sel("leave-ref-value"))),
	)
	ref := text(t, citizen, sel("leave-ref-value"))
	if !leftRefFormat.MatchString(ref) {
		t.Fatalf("reference number on the page: got %q, want LYyyyymmdd-nnnn", ref)
	}
	return ref
}

// changeForcedPassword logs the first administrator in, checks that the
// forced change page is bare and rejects a weak password, then sets a good
// one and logs in again.
func changeForcedPassword(t *testing.T, admin context.Context, r *running) {
	t.Helper()
	run(t, admin, "the first administrator opens the login page",
		chromedp.Navigate(r.url+"/seat"),
		chromedp.WaitVisible(css(sel("login-form"))),
		chromedp.SendKeys(css(sel("login-name")), r.admin.Login),
		chromedp.SendKeys(css(sel("login-password")), r.admin.Password),
	)
	navigate(t, admin, "the administrator logs in", chromedp.Click(css(sel("login-submit"))))
	run(t, admin, "the forced change page opens", chromedp.WaitVisible(css(sel("password-required"))))

	if evalBool(t, admin, `document.querySelector('.seat-nav, [data-testid="nav-workbench"], [data-testid="nav-password"]') !== null`) {
		t.Errorf("forced change page shows the menu, want only the form and 退出登录")
	}
	if !evalBool(t, admin, `document.querySelector('[data-testid="logout-button"]') !== null`) {
		t.Errorf("forced change page lacks 退出登录")
	}

	run(t, admin, "the administrator tries a common password",
		chromedp.SendKeys(css(sel("password-old")), r.admin.Password),
		chromedp.SendKeys(css(sel("password-new")), "admin12345"),
		chromedp.SendKeys(css(sel("password-confirm")), "admin12345"),
	)
	if _, err := chromedp.RunResponse(admin, chromedp.Click(css(sel("password-submit")))); err != nil {
		t.Fatalf("submitting the weak password: %v", err)
	}
	run(t, admin, "the page names the reason", waitText(sel("password-error"), "过于常见"))
	if evalBool(t, admin, `document.querySelector('[data-testid="nav-workbench"]') !== null`) {
		t.Errorf("rejected change shows the menu, want the bare page")
	}

	const own = "Hall-Seat-2026"
	run(t, admin, "the administrator picks a strong password",
		chromedp.SendKeys(css(sel("password-old")), r.admin.Password),
		chromedp.SendKeys(css(sel("password-new")), own),
		chromedp.SendKeys(css(sel("password-confirm")), own),
	)
	navigate(t, admin, "the administrator saves it", chromedp.Click(css(sel("password-submit"))))
	run(t, admin, "the login page confirms", chromedp.WaitVisible(css(sel("login-notice"))))
	login(t, admin, r.url, r.admin.Login, own)
}

// searchAttachmentName sends a file into the served conversation and
// finds it on 历史会话 by a word inside its name.
func searchAttachmentName(t *testing.T, admin context.Context, r *running) {
	t.Helper()
	ctx := context.Background()
	queue, err := r.srv.Conversations().List(ctx, conversation.ListFilter{Limit: 1})
	if err != nil || len(queue) != 1 {
		t.Fatalf("listing the served conversation: got %d, %v", len(queue), err)
	}
	_, _, err = r.srv.Conversations().SendAttachment(ctx, conversation.AttachmentRequest{
		ConversationID: queue[0].ID, From: conversation.SenderCitizen, Kind: conversation.KindFile,
		Attachment: conversation.Attachment{ID: "gaps-file", Name: "survey_map-2026.pdf", Type: "application/pdf", Size: 10},
	})
	if err != nil {
		t.Fatalf("sending the file: %v", err)
	}

	navigate(t, admin, "staff search history for a word of the file name",
		chromedp.Navigate(r.url+"/seat/history?q=survey"))
	run(t, admin, "the file line is highlighted", chromedp.WaitVisible(css(sel("history-highlight"))))
	if got := text(t, admin, sel("history-highlight")); got != "survey" {
		t.Errorf("highlight: got %q, want survey", got)
	}
	if got := text(t, admin, sel("history-snippet")); got != "[文件] survey_map-2026.pdf" {
		t.Errorf("snippet: got %q, want the whole file line", got)
	}
}

// answerLeftMessage finds the message by its reference number on 留言 and
// records a reply.
func answerLeftMessage(t *testing.T, admin context.Context, r *running, ref string) {
	t.Helper()
	navigate(t, admin, "staff open 留言", chromedp.Navigate(r.url+"/seat/messages"))
	run(t, admin, "staff type the reference number",
		chromedp.WaitVisible(css(sel("message-search"))),
		chromedp.SendKeys(css(sel("message-search")), strings.ToLower(ref)),
	)
	navigate(t, admin, "staff search by it", chromedp.Click(css(sel("message-search-button"))))
	run(t, admin, "the message shows with its number", waitText(sel("message-ref"), ref))
	if !evalBool(t, admin, `document.querySelectorAll('[data-testid="message-item"]').length === 1`) {
		t.Errorf("search by %s: want exactly one message", ref)
	}
	run(t, admin, "staff record the answer",
		chromedp.SendKeys(css(sel("message-reply-text")), "已电话告知查询方式"),
	)
	navigate(t, admin, "staff save the answer", chromedp.Click(css(sel("message-reply-submit"))))
	run(t, admin, "the answer is on record", waitText(sel("message-reply"), "已电话告知查询方式"))
}

// lookUpLeftMessage checks the citizen's status lookup: a wrong phone gets
// the shared miss message, the right one gets 已处理 and the reply.
func lookUpLeftMessage(t *testing.T, bctx context.Context, r *running, ref string) {
	t.Helper()
	citizen := tab(t, bctx)
	run(t, citizen, "a citizen opens the lookup",
		chromedp.Navigate(r.url+"/"),
		chromedp.WaitVisible(css(sel("lookup-panel"))),
		chromedp.Click(css(sel("lookup-details")+" summary")),
		chromedp.WaitVisible(css(sel("lookup-ref"))),
		chromedp.SendKeys(css(sel("lookup-ref")), ref),
		chromedp.SendKeys(css(sel("lookup-phone")), "13900000000"),
		chromedp.Click(css(sel("lookup-submit"))),
		waitText(sel("lookup-error"), "未找到与该留言编号和联系电话相符的留言"),
	)
	if evalBool(t, citizen, `!document.querySelector('[data-testid="lookup-result"]').hidden`) {
		t.Errorf("wrong phone: got the result shown, want hidden")
	}

	run(t, citizen, "the citizen corrects the phone number",
		discard(chromedp.Evaluate[bool](`(() => { document.querySelector('[data-testid="lookup-phone"]').value = ""; return true; })()`)),
		chromedp.SendKeys(css(sel("lookup-phone")), "13912345678"),
		chromedp.Click(css(sel("lookup-submit"))),
		chromedp.WaitVisible(css(sel("lookup-result"))),
	)
	if got := text(t, citizen, sel("lookup-status")); got != "已处理" {
		t.Errorf("status: got %q, want 已处理", got)
	}
	if got := text(t, citizen, sel("lookup-reply")); got != "已电话告知查询方式" {
		t.Errorf("reply summary: got %q, want 已电话告知查询方式", got)
	}
	if !evalBool(t, citizen, `document.querySelector('[data-testid="lookup-error"]').hidden`) {
		t.Errorf("after a hit: got the miss message still shown, want hidden")
	}
}
