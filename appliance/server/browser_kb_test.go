package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"wenban/appliance/learn"
)

// learnQuestion is a citizen question, in Hunan colloquial wording, that
// the shipped engine does not answer.
const learnQuestion = "楼下那块空坪能不能起屋"

// askBot puts a question to POST /api/v1/bot/ask and returns the matched
// entry id, or "" when the bot found no match.
func askBot(t *testing.T, base, question string) string {
	t.Helper()
	body, err := json.Marshal(map[string]string{"question": question})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(base+"/api/v1/bot/ask", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("asking the bot: %v", err)
	}
	defer resp.Body.Close()
	var res struct {
		Matched bool   `json:"matched"`
		FAQID   string `json:"faq_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		t.Fatalf("decoding the bot's reply: %v", err)
	}
	if !res.Matched {
		return ""
	}
	return res.FAQID
}

// waitProposal polls the learning loop until the closed conversation has
// become a pending proposal.
func waitProposal(t *testing.T, r *running) learn.Proposal {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ps, err := r.srv.learn.Proposals(context.Background(), learn.StatusPending)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) > 0 {
			return ps[0]
		}
		if time.Now().After(deadline) {
			t.Fatal("no proposal appeared after the seat ended the conversation")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBrowserApproveProposedPhrasing drives the learning loop end to end:
// a citizen asks a question the bot cannot answer, a seat answers with a
// suggested entry and ends the service, and an administrator approves the
// proposed phrasing, after which the bot answers that question with that
// entry.
func TestBrowserApproveProposedPhrasing(t *testing.T) {
	bctx := browser(t)
	r := startHub(t, t.TempDir())
	ctx := context.Background()

	if got := askBot(t, r.url, learnQuestion); got != "" {
		t.Fatalf("precondition: the shipped bot already answers %q with %s", learnQuestion, got)
	}

	const password = "Seat-Pass-2026"
	readyAccount(t, r, "zhangmin", "张敏", password)
	seatTab := tab(t, bctx)
	login(t, seatTab, r.url, "zhangmin", password)
	waitOnline(t, r)

	citizen := tab(t, bctx)
	run(t, citizen, "citizen asks the bot and is not answered",
		chromedp.Navigate(r.url+"/"),
		chromedp.WaitVisible(css(sel("ask-input"))),
		chromedp.SendKeys(css(sel("ask-input")), learnQuestion),
		chromedp.Click(css(sel("ask-button"))),
		chromedp.WaitVisible(css(sel("answer-text"))),
	)
	run(t, citizen, "citizen asks for a staff member",
		chromedp.Click(css(sel("handoff-button"))),
		chromedp.WaitVisible(css(sel("queue-info"))),
	)

	run(t, seatTab, "the seat accepts the citizen",
		chromedp.WaitVisible(css(sel("queue-item"))),
		chromedp.Click(css(sel("queue-next"))),
		waitText(sel("chat-pane")+" "+sel("chat-message"), learnQuestion),
		chromedp.WaitVisible(css(sel("suggestion-insert"))),
	)
	// The seat answers with the first suggested entry, whichever it is.
	learnEntry, err := chromedp.Run(seatTab, chromedp.Evaluate[string](
		`document.querySelector('[data-testid="suggestion"]').dataset.faqId`))
	if err != nil || learnEntry == "" {
		t.Fatalf("reading the first suggestion's entry: got %q, %v", learnEntry, err)
	}
	answer := text(t, seatTab, sel("suggestion")+" [data-field=\"answer\"]")
	run(t, seatTab, "the seat inserts the suggested answer and sends it",
		chromedp.Click(css(sel("suggestion-insert"))),
		chromedp.Click(css(sel("chat-pane")+" "+sel("chat-send"))),
	)
	run(t, citizen, "citizen receives the answer", waitText(sel("chat-message"), firstRunes(answer, 10)))
	run(t, seatTab, "the seat ends the service", chromedp.Click(css(sel("chat-pane")+" "+sel("end-button"))))

	p := waitProposal(t, r)
	if p.EntryID != learnEntry || p.Phrasing != learnQuestion {
		t.Fatalf("proposal: got %s %q, want %s %q", p.EntryID, p.Phrasing, learnEntry, learnQuestion)
	}

	const own = "Hall-Own-2026"
	if err := r.srv.Auth().SetPassword(ctx, adminID(t, r), r.admin.Password, own); err != nil {
		t.Fatal(err)
	}
	admin := tab(t, bctx)
	run(t, admin, "administrator opens the proposals page and logs in",
		chromedp.Navigate(r.url+"/seat/admin/kb/proposals"),
		chromedp.WaitVisible(css(sel("login-form"))),
		chromedp.SendKeys(css(sel("login-name")), r.admin.Login),
		chromedp.SendKeys(css(sel("login-password")), own),
	)
	navigate(t, admin, "administrator logs in", chromedp.Click(css(sel("login-submit"))))
	run(t, admin, "the proposal is listed",
		chromedp.WaitVisible(css(sel("kb-proposals-page"))),
		waitText(sel("kb-proposal-phrasing"), learnQuestion),
		waitText(sel("kb-proposal-entry"), learnEntry),
	)
	navigate(t, admin, "administrator approves the phrasing", chromedp.Click(css(sel("kb-proposal-approve"))))
	run(t, admin, "the page confirms the publish with the gate figures",
		waitText(sel("kb-notice"), "新版本已发布"),
		waitText(sel("kb-gate"), "答对率"),
		chromedp.WaitVisible(css(sel("kb-proposals-empty"))),
	)

	if got := askBot(t, r.url, learnQuestion); got != learnEntry {
		t.Errorf("bot after approval: got %q, want %s", got, learnEntry)
	}
}

func firstRunes(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	return string(r[:min(n, len(r))])
}

func adminID(t *testing.T, r *running) string {
	t.Helper()
	accounts, err := r.srv.Auth().Accounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accounts {
		if a.Login == r.admin.Login {
			return a.ID
		}
	}
	t.Fatalf("first-run administrator %s not found", r.admin.Login)
	return ""
}
