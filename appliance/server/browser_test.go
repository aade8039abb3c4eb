package server

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"wenban/appliance/auth"
)

// browser starts Debian's headless Chromium for page-flow tests. Each
// page gets its own browser context, so the citizen and two staff members
// keep separate cookies as on separate machines.
func browser(t *testing.T) context.Context {
	return startBrowser(t, chromedp.WindowSize(1280, 900))
}

// fakeMediaFlags give Chromium a generated camera pattern and a beep for a
// microphone, grant them without a prompt, and let media play without a
// gesture, so MediaRecorder and calls run headless.
var fakeMediaFlags = []chromedp.ExecAllocatorOption{
	chromedp.Flag("use-fake-device-for-media-stream", true),
	chromedp.Flag("use-fake-ui-for-media-stream", true),
	chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
}

// foregroundFlags stop Chromium throttling timers and video decoding in
// background tabs, since every context of one browser but the last is one.
var foregroundFlags = []chromedp.ExecAllocatorOption{
	chromedp.Flag("disable-background-timer-throttling", true),
	chromedp.Flag("disable-renderer-backgrounding", true),
	chromedp.Flag("disable-backgrounding-occluded-windows", true),
}

// startBrowser starts headless Chromium with the flags every test needs
// on this closed network, plus extra. Loopback ICE candidates are on,
// since the hub listens on 127.0.0.1 only.
func startBrowser(t *testing.T, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed (apt-get install chromium): ", err)
	}

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("allow-loopback-in-peer-connection", true),
	}
	opts = append(opts, extra...)

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("starting chromium: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	return ctx
}

// tab opens a page in a fresh browser context with a deadline.
func tab(t *testing.T, browserCtx context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
	})
	return ctx
}

func sel(testid string) string { return fmt.Sprintf(`[data-testid="%s"]`, testid) }

func css(selector string) chromedp.CSS { return chromedp.CSS(selector) }

// discard runs an action for its effect only, so it can join a step list.
func discard[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}

// run performs one step of a flow and, when it fails, saves a screenshot
// of the page for the log.
func run(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if shot, err := chromedp.Run(sctx, chromedp.CaptureScreenshot()); err == nil {
			file := fmt.Sprintf("%s/failure-%d.png", os.TempDir(), time.Now().UnixNano())
			if os.WriteFile(file, shot, 0o600) == nil {
				t.Logf("screenshot of the failed step: %s", file)
			}
		}
		t.Fatalf("%s: %v", step, err)
	}
}

// waitText polls until some element matching selector contains want.
func waitText(selector, want string) chromedp.Action[chromedp.Void] {
	js := fmt.Sprintf(`[...document.querySelectorAll(%q)].some(e => e.textContent.includes(%q))`, selector, want)
	return waitJS(js)
}

func waitJS(js string) chromedp.Action[chromedp.Void] {
	return discard(chromedp.Poll[bool](js, chromedp.WithPollingTimeout(20*time.Second)))
}

func text(t *testing.T, ctx context.Context, selector string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Text(css(selector)))
	if err != nil {
		t.Fatalf("reading text of %s: %v", selector, err)
	}
	return v
}

func login(t *testing.T, ctx context.Context, base, loginName, password string) {
	t.Helper()
	run(t, ctx, "staff "+loginName+" logs in",
		chromedp.Navigate(base+"/seat"),
		chromedp.WaitVisible(css(sel("login-form"))),
		chromedp.SendKeys(css(sel("login-name")), loginName),
		chromedp.SendKeys(css(sel("login-password")), password),
		chromedp.Click(css(sel("login-submit"))),
		chromedp.WaitVisible(css(sel("workbench"))),
		waitJS(`document.querySelector('[data-testid="connection-status"]').dataset.state === "open"`),
		chromedp.SetValue(css(sel("status-select")), "online"),
		discard(chromedp.Evaluate[bool](`document.querySelector('[data-testid="status-select"]').dispatchEvent(new Event("change", {bubbles: true}))`)),
	)
}

// readyAccount creates a staff account whose owner has already replaced
// the handed-over password with password.
func readyAccount(t *testing.T, r *running, login, name, password string) auth.Account {
	t.Helper()
	ctx := context.Background()
	a, err := r.srv.Auth().CreateAccount(ctx, login, name, auth.RoleAgent, password+"-initial")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.srv.Auth().SetPassword(ctx, a.ID, password+"-initial", password); err != nil {
		t.Fatal(err)
	}
	return a
}

// waitOnline waits until the hub counts a seat that will serve the queue.
func waitOnline(t *testing.T, r *running) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for r.srv.hub.StaffedSeats() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no seat came online")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestBrowserWholeFlow(t *testing.T) {
	bctx := browser(t)
	r := startHub(t, t.TempDir())
	ctx := context.Background()

	const password = "Seat-Pass-2026"
	zhang := readyAccount(t, r, "zhangmin", "张敏", password)
	li := readyAccount(t, r, "lihua", "李华", password)

	seatA := tab(t, bctx)
	login(t, seatA, r.url, "zhangmin", password)
	waitOnline(t, r)

	citizen := tab(t, bctx)
	run(t, citizen, "citizen asks the bot",
		chromedp.Navigate(r.url+"/"),
		chromedp.WaitVisible(css(sel("ask-input"))),
		chromedp.SendKeys(css(sel("ask-input")), "二手房过户需要带哪些材料"),
		chromedp.Click(css(sel("ask-button"))),
		chromedp.WaitVisible(css(sel("answer-text"))),
	)
	answer := text(t, citizen, sel("answer-text"))
	if !strings.Contains(answer, "转移登记") {
		t.Errorf("bot answer %q does not explain 转移登记", answer)
	}

	run(t, citizen, "citizen asks for a staff member",
		chromedp.Click(css(sel("handoff-button"))),
		chromedp.WaitVisible(css(sel("chat-panel"))),
		chromedp.WaitVisible(css(sel("queue-info"))),
	)

	run(t, seatA, "zhang accepts the citizen",
		chromedp.WaitVisible(css(sel("queue-item"))),
		chromedp.Click(css(sel("queue-next"))),
		chromedp.WaitVisible(css(sel("chat-pane"))),
		waitText(sel("chat-pane")+" "+sel("chat-message"), "二手房过户需要带哪些材料"),
		chromedp.WaitVisible(css(sel("suggestion-insert"))),
	)
	run(t, seatA, "zhang searches the knowledge base",
		chromedp.SendKeys(css(sel("chat-pane")+" "+sel("kb-search-input")), "抵押注销"),
		chromedp.Click(css(sel("chat-pane")+" "+sel("kb-search-button"))),
		waitJS(`!!document.querySelector('[data-testid="chat-pane"] [data-testid="suggestion"][data-faq-id="bdc-dyzx-001"]')`),
	)
	run(t, citizen, "citizen sees the accept line",
		waitText(sel("chat-message"), "客服张敏已接入"),
	)

	run(t, citizen, "citizen starts typing", chromedp.SendKeys(css(sel("chat-input")), "房子是父母名下的，我是买方"))
	run(t, seatA, "zhang sees the citizen typing",
		chromedp.WaitVisible(css(sel("chat-pane")+" "+sel("typing-indicator"))),
	)
	run(t, citizen, "citizen sends the message",
		chromedp.Click(css(sel("chat-send"))),
		waitText(sel("chat-message"), "我是买方"),
	)
	run(t, seatA, "zhang reads and replies",
		waitText(sel("chat-pane")+" "+sel("chat-message"), "我是买方"),
		chromedp.SendKeys(css(sel("chat-pane")+" "+sel("chat-input")), "请双方带身份证原件到窗口办理"),
		chromedp.Click(css(sel("chat-pane")+" "+sel("chat-send"))),
	)
	run(t, citizen, "citizen gets zhang's reply",
		waitText(sel("chat-message"), "身份证原件"),
	)
	run(t, seatA, "zhang sends a wrong line and recalls it",
		chromedp.SendKeys(css(sel("chat-pane")+" "+sel("chat-input")), "这条发错了"),
		chromedp.Click(css(sel("chat-pane")+" "+sel("chat-send"))),
		waitJS(`[...document.querySelectorAll('[data-testid="chat-message"]')].some(li => li.textContent.includes("这条发错了") && li.querySelector('[data-testid="recall-button"]'))`),
		discard(chromedp.Evaluate[bool](`(() => {
			const li = [...document.querySelectorAll('[data-testid="chat-message"]')].find(li => li.textContent.includes("这条发错了"));
			li.querySelector('[data-testid="recall-button"]').click();
			return true;
		})()`)),
		waitText(sel("chat-message"), "撤回了一条消息"),
	)
	run(t, citizen, "citizen sees the line recalled",
		waitText(sel("chat-message"), "客服撤回了一条消息"),
		waitJS(`![...document.querySelectorAll('[data-testid="chat-message"]')].some(li => li.textContent.includes("这条发错了"))`),
	)

	seatB := tab(t, bctx)
	login(t, seatB, r.url, "lihua", password)
	liOption := fmt.Sprintf(`%s option[value="%s"]`, sel("transfer-select"), li.ID)
	run(t, seatA, "zhang transfers to li",
		chromedp.WaitReady(css(liOption)),
		chromedp.SetValue(css(sel("chat-pane")+" "+sel("transfer-select")), li.ID),
		chromedp.Click(css(sel("chat-pane")+" "+sel("transfer-button"))),
	)
	run(t, seatB, "li receives the conversation with its history",
		chromedp.WaitVisible(css(sel("chat-pane"))),
		waitText(sel("chat-pane")+" "+sel("chat-message"), "身份证原件"),
		waitText(sel("chat-pane")+" "+sel("chat-message"), "转接给客服李华"),
	)
	run(t, citizen, "citizen sees the transfer",
		waitText(sel("chat-message"), "转接给客服李华"),
	)
	run(t, seatB, "li replies and ends the service",
		chromedp.SendKeys(css(sel("chat-pane")+" "+sel("chat-input")), "您好，我是李华，继续为您服务"),
		chromedp.Click(css(sel("chat-pane")+" "+sel("chat-send"))),
	)
	run(t, citizen, "citizen gets li's reply",
		waitText(sel("chat-message"), "我是李华"),
	)
	run(t, seatB, "li ends the service",
		chromedp.Click(css(sel("chat-pane")+" "+sel("end-button"))),
	)

	run(t, citizen, "citizen rates the service",
		chromedp.WaitVisible(css(sel("rating-panel"))),
		// Rating is optional: the way back to asking is there at once.
		waitText(sel("rating-back"), "跳过评价，继续咨询"),
		chromedp.Click(css(sel("rating-star-5"))),
		chromedp.SendKeys(css(sel("rating-comment")), "解答清楚，非常满意"),
		chromedp.Click(css(sel("rating-submit"))),
		chromedp.WaitVisible(css(sel("rating-done"))),
		waitJS(fmt.Sprintf(`document.querySelector(%q).textContent.trim() === "继续咨询"`, sel("rating-back"))),
		chromedp.Click(css(sel("rating-back"))),
		chromedp.WaitVisible(css(sel("handoff-panel"))),
		chromedp.WaitVisible(css(sel("lookup-panel"))),
	)

	hits, err := r.srv.Conversations().Search(ctx, "身份证原件", 5)
	if err != nil || len(hits) != 1 {
		t.Fatalf("history search: got %d hits, %v; want the conversation", len(hits), err)
	}
	c := hits[0].Conversation
	if c.Rating == nil || c.Rating.Score != 5 || c.Rating.Comment != "解答清楚，非常满意" {
		t.Errorf("stored rating: got %+v, want 5 with the comment", c.Rating)
	}
	if len(c.Agents) != 2 || c.Agents[0] != zhang.ID || c.Agents[1] != li.ID {
		t.Errorf("agents on record: got %v, want [%s %s]", c.Agents, zhang.ID, li.ID)
	}

	run(t, seatB, "li finds the conversation in history",
		chromedp.Navigate(r.url+"/seat/history?q=登记"),
		chromedp.WaitVisible(css(sel("history-page"))),
		chromedp.Navigate(r.url+"/seat/history?q="+"身份证"),
		chromedp.WaitVisible(css(sel("history-snippet"))),
	)
	snippet := text(t, seatB, sel("history-snippet"))
	if !strings.Contains(snippet, "身份证") {
		t.Errorf("history snippet %q lacks the search term", snippet)
	}
}
