package server

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserClockInBeijingTime checks that chat times follow the hall's
// zone, not the browser machine's: headless Chromium here runs in UTC,
// so 03:05Z must read 11:05.
func TestBrowserClockInBeijingTime(t *testing.T) {
	bctx := browser(t)
	r := startHub(t, t.TempDir())
	page := tab(t, bctx)

	run(t, page, "format a chat time on the citizen page",
		chromedp.Navigate(r.url+"/"),
		chromedp.WaitVisible(css(sel("ask-input"))),
		discard(chromedp.Evaluate[bool](`(() => {
			import("/static/ws.js").then(m => { window.clockText = m.formatClock("2026-12-04T03:05:00Z"); });
			return true;
		})()`)),
		waitJS(`window.clockText !== undefined`),
	)
	got, err := chromedp.Run(page, chromedp.Evaluate[string](`window.clockText`))
	if err != nil {
		t.Fatalf("reading the formatted time: %v", err)
	}
	if got != "11:05" {
		t.Errorf("formatClock(03:05Z): got %q, want \"11:05\" (Beijing time)", got)
	}
}
