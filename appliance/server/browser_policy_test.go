package server

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestBrowserPolicySearch(t *testing.T) {
	bctx := browser(t)
	r := startHub(t, t.TempDir())
	citizen := tab(t, bctx)

	run(t, citizen, "citizen opens the library from the citizen page",
		chromedp.Navigate(r.url+"/"),
		chromedp.WaitVisible(css(sel("policy-link"))),
		chromedp.Click(css(sel("policy-link"))),
		chromedp.WaitVisible(css(sel("policy-search-page"))),
	)
	run(t, citizen, "citizen searches for a two-character word",
		chromedp.SendKeys(css(sel("policy-q")), "征收"),
		chromedp.Click(css(sel("policy-search-button"))),
		chromedp.WaitVisible(css(sel("policy-hit"))),
		waitJS(`[...document.querySelectorAll('[data-testid="policy-snippet"] mark')].some(m => m.textContent === "征收")`),
	)
	if snippet := text(t, citizen, sel("policy-snippet")); !strings.Contains(snippet, "征收") {
		t.Errorf("first snippet %q lacks the search word", snippet)
	}

	run(t, citizen, "citizen opens the first hit at its article",
		chromedp.Click(css(sel("policy-hit-link"))),
		chromedp.WaitVisible(css(sel("policy-document-page"))),
		waitJS(`location.hash.startsWith("#art-") && document.querySelector(":target")?.dataset.testid === "policy-article"`),
	)
	if article := text(t, citizen, ":target"); !strings.Contains(article, "征收") {
		t.Errorf("article at the anchor %q lacks the search word", article)
	}

	run(t, citizen, "citizen filters by status",
		chromedp.Navigate(r.url+"/policy?q="+"采矿"),
		chromedp.WaitVisible(css(sel("policy-hit"))),
		chromedp.SetValue(css(sel("policy-status")), "已修订"),
		chromedp.Click(css(sel("policy-search-button"))),
		chromedp.WaitReady(css(sel("policy-status")+` option[value="已修订"][selected]`)),
		chromedp.WaitVisible(css(sel("policy-hit"))),
		waitJS(`[...document.querySelectorAll('[data-testid="policy-hit"] [data-testid="policy-status"]')].every(s => s.textContent === "已修订")`),
	)

	run(t, citizen, "citizen asks the bot and follows a cited article",
		chromedp.Navigate(r.url+"/"),
		chromedp.WaitVisible(css(sel("ask-input"))),
		chromedp.SendKeys(css(sel("ask-input")), "申请农村宅基地需要符合什么条件"),
		chromedp.Click(css(sel("ask-button"))),
		chromedp.WaitVisible(css(sel("citations-block"))),
		waitText(sel("citation-link"), "第六十二条"),
		discard(chromedp.Evaluate[bool](`(() => {
			const a = [...document.querySelectorAll('[data-testid="citation-link"]')].find(a => a.textContent.includes("第六十二条"));
			a.click();
			return true;
		})()`)),
		chromedp.WaitVisible(css(sel("policy-document-page"))),
		waitJS(`location.hash === "#art-62" && document.querySelector(":target")?.dataset.number === "第六十二条"`),
	)
}
