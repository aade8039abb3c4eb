package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// shoot saves a screenshot of ctx's page under $WENBAN_SCREENSHOT_DIR, so
// a reviewer can look at the layout the test asserts. It does nothing when
// the variable is unset.
func shoot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("WENBAN_SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("capturing screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), shot, 0o600); err != nil {
		t.Fatalf("writing screenshot %s: %v", name, err)
	}
}

// evalBool evaluates js on ctx's page and returns its boolean result.
func evalBool(t *testing.T, ctx context.Context, js string) bool {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// disabledAll returns a script that reports whether selector matches at
// least one element and every match is disabled.
func disabledAll(selector string) string {
	return fmt.Sprintf(`(() => { const all = [...document.querySelectorAll(%q)]; return all.length > 0 && all.every(b => b.disabled); })()`, selector)
}

func TestBrowserQueueAndEndedChat(t *testing.T) {
	bctx := mediaBrowser(t)
	r := startHub(t, t.TempDir())

	citizen := tab(t, bctx)
	run(t, citizen, "citizen hands over with no seat online",
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(r.url+"/"),
		chromedp.WaitVisible(css(sel("handoff-button"))),
		chromedp.Click(css(sel("handoff-button"))),
		chromedp.WaitVisible(css(sel("leave-panel"))),
	)
	shoot(t, citizen, "leave-form")
	if evalBool(t, citizen, `!document.querySelector('[data-testid="leave-error"]').hidden`) {
		t.Errorf("leave-error: got shown, want only the form's intro")
	}
	for _, id := range []string{"leave-intro", "site-footer", "hours"} {
		if got := text(t, citizen, sel(id)); !strings.Contains(got, "全天 24 小时") {
			t.Errorf("%s: got %q, want the calendar's hours 全天 24 小时", id, got)
		}
	}

	const password = "Seat-Pass-2026"
	readyAccount(t, r, "zhangmin", "张敏", password)
	seat := tab(t, bctx)
	login(t, seat, r.url, "zhangmin", password)
	waitOnline(t, r)
	run(t, seat, "seat sees the empty queue", chromedp.WaitVisible(css(sel("queue-empty"))))
	if !evalBool(t, seat, disabledAll(sel("queue-next"))) {
		t.Errorf("queue-next with an empty queue: got enabled, want disabled")
	}

	run(t, citizen, "citizen asks the bot and hands over",
		chromedp.Navigate(r.url+"/"),
		chromedp.WaitVisible(css(sel("ask-input"))),
		chromedp.SendKeys(css(sel("ask-input")), "二手房过户需要带哪些材料"),
		chromedp.Click(css(sel("ask-button"))),
		chromedp.WaitVisible(css(sel("answer-text"))),
		chromedp.Click(css(sel("handoff-button"))),
		chromedp.WaitVisible(css(sel("queue-next-notice"))),
	)
	shoot(t, citizen, "queued")
	if evalBool(t, citizen, `!document.querySelector('[data-testid="answer-panel"]').hidden`) {
		t.Errorf("answer-panel after the handoff: got shown, want hidden because the chat repeats the answer")
	}
	if !evalBool(t, citizen, `(() => { const r = document.querySelector('[data-testid="queue-info"]').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()`) {
		t.Errorf("queue-info at 1366x768: got off screen, want scrolled into view")
	}
	if got := text(t, citizen, sel("queue-info")); !strings.Contains(got, "您是下一位") || strings.Contains(got, "前面还有") {
		t.Errorf("queue-info with nobody ahead: got %q, want 您是下一位 only", got)
	}

	run(t, seat, "seat accepts the citizen",
		chromedp.WaitVisible(css(sel("queue-item"))),
		waitJS(`!document.querySelector('[data-testid="queue-next"]').disabled`),
		chromedp.Click(css(sel("queue-next"))),
		chromedp.WaitVisible(css(sel("chat-pane"))),
		chromedp.WaitVisible(css(sel("suggestion-insert"))),
	)
	run(t, citizen, "citizen is served", waitText(sel("chat-message"), "客服张敏已接入"))

	run(t, seat, "seat offers a voice call",
		chromedp.Click(css(sel("chat-pane")+" "+sel("call-voice"))),
	)
	run(t, citizen, "citizen declines the call",
		chromedp.WaitVisible(css(sel("call-decline"))),
		chromedp.Click(css(sel("call-decline"))),
		waitJS(`(() => { const e = document.querySelector('[data-testid="chat-error"]'); return !e.hidden && e.dataset.tone === "info"; })()`),
	)
	if evalBool(t, citizen, `(() => { const e = document.querySelector('[data-testid="chat-error"]');
		const probe = document.createElement("p"); probe.className = "field-error"; document.body.append(probe);
		const same = getComputedStyle(e).color === getComputedStyle(probe).color; probe.remove(); return same; })()`) {
		t.Errorf("call-ended notice: got the error colour, want the neutral tone")
	}

	evil := filepath.Join(t.TempDir(), "evil.exe")
	if err := os.WriteFile(evil, []byte("plain text, not a program\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, citizen, "citizen sends a text file named .exe",
		chromedp.SetUploadFiles(css(sel("attach-file-input")), []string{evil}, chromedp.NodeReady),
		waitText(sel("attach-status"), "文件名改为"),
		chromedp.WaitVisible(css(sel("attachment-file"))),
	)
	if got := text(t, citizen, sel("attach-status")); !strings.Contains(got, "evil.exe.txt") {
		t.Errorf("attach-status after the rename: got %q, want the stored name evil.exe.txt", got)
	}
	gap := evalInt(t, citizen, `(() => { const card = document.querySelector('[data-testid="attachment-file"]');
		return card.querySelector(".file-size").getBoundingClientRect().left - card.querySelector(".file-name").getBoundingClientRect().right; })()`)
	if gap < 8 {
		t.Errorf("file card gap between name and size: got %v px, want at least 8", gap)
	}

	x, y := centerOf(t, citizen, sel("voice-hold"))
	run(t, citizen, "citizen records a voice message",
		chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		waitJS(`document.querySelector('[data-testid="attach-bar"]').dataset.recording === "true"`),
		discard(chromedp.Evaluate[float64](`window.voiceStart = performance.now()`)),
		waitJS(`performance.now() - window.voiceStart > 1500`),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.WaitVisible(css(sel("attachment-voice"))),
	)
	shoot(t, citizen, "attachments")
	if got := text(t, citizen, `[data-testid="chat-message"]:has([data-testid="attachment-voice"])`); strings.Contains(got, "″") {
		t.Errorf("voice message row: got %q, want the length only in the player", got)
	}

	run(t, seat, "seat ends the service",
		chromedp.Click(css(sel("chat-pane")+" "+sel("end-button"))),
		waitJS(`document.querySelector('[data-testid="chat-pane"]').dataset.closed === "true"`),
	)
	shoot(t, seat, "seat-ended")
	for _, id := range []string{"call-voice", "call-video", "suggestion-insert"} {
		if !evalBool(t, seat, disabledAll(sel("chat-pane")+" "+sel(id))) {
			t.Errorf("seat %s on the ended chat: got enabled, want disabled", id)
		}
	}
	run(t, citizen, "citizen sees the end",
		waitText(sel("chat-status"), "本次服务已结束"),
	)
	shoot(t, citizen, "citizen-ended")
	for _, id := range []string{"attach-image", "attach-file", "voice-hold", "call-voice", "call-video", "chat-input"} {
		if !evalBool(t, citizen, disabledAll(sel(id))) {
			t.Errorf("citizen %s after the end: got enabled, want disabled", id)
		}
	}

	run(t, seat, "seat closes the ended tab",
		waitText(sel("seat-error"), "会话已结束"),
		chromedp.Click(css(sel("chat-pane")+" "+sel("end-button"))),
		waitJS(`!document.querySelector('[data-testid="chat-pane"]')`),
	)
	if evalBool(t, seat, `!document.querySelector('[data-testid="seat-error"]').hidden`) {
		t.Errorf("seat-error after closing the tab: got shown, want the ended-chat notice withdrawn")
	}
	if !evalBool(t, seat, disabledAll(sel("queue-next"))) {
		t.Errorf("queue-next after the queue emptied: got enabled, want disabled")
	}
}
