package terminal

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"

	"wenban/kiosk/control"
	"wenban/kiosk/media"
	"wenban/ui/kiosk"
	"wenban/ui/static"
)

// browser starts Debian's headless Chromium, skipping the test in -short
// mode or where Chromium is missing.
func browser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed (apt-get install chromium): ", err)
	}

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		// As in wenban-kiosk-browser.service: the page may capture its own
		// tab for remote control without a prompt.
		chromedp.Flag("auto-accept-this-tab-capture", true),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancel := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}

	return ctx
}

func sel(testid string) chromedp.CSS { return chromedp.CSS(fmt.Sprintf(`[data-testid="%s"]`, testid)) }

func discard[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}

func waitJS(js string) chromedp.Action[chromedp.Void] {
	return discard(chromedp.Poll[bool](js, chromedp.WithPollingTimeout(20*time.Second)))
}

// step runs actions and, when they fail, saves a screenshot for the log.
func step(t *testing.T, ctx context.Context, name string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()

	if err := chromedp.Do(ctx, actions...); err != nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if shot, err := chromedp.Run(sctx, chromedp.CaptureScreenshot()); err == nil {
			file := fmt.Sprintf("%s/kiosk-failure-%d.png", os.TempDir(), time.Now().UnixNano())
			if os.WriteFile(file, shot, 0o600) == nil {
				t.Logf("screenshot of the failed step: %s", file)
			}
		}
		t.Fatalf("%s: %v", name, err)
	}
}

// citizenAPI adds the citizen routes the kiosk page uses to the fake hub:
// a bot with one answer, a handoff that sets the citizen cookie, and a
// citizen WebSocket that queues the citizen and then serves them.
// cookieSeen reports whether the last /api/v1/probe request carried the
// cookie.
func citizenAPI(t *testing.T, hub *fakeHub) *atomic.Bool {
	t.Helper()
	cookieSeen := &atomic.Bool{}

	hub.mux.HandleFunc("POST /api/v1/attachments", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, cookieErr := r.Cookie("wenban_citizen")
		hub.uploads <- upload{
			kind: r.URL.Query().Get("kind"), contentType: r.Header.Get("Content-Type"),
			body: body, withCookie: cookieErr == nil,
		}
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"seq":2}`)
	})

	hub.mux.HandleFunc("POST /api/v1/bot/ask", func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Question string }
		json.NewDecoder(r.Body).Decode(&body)
		json.NewEncoder(w).Encode(map[string]any{
			"matched": true, "answer": "请携带身份证和不动产权证书到窗口办理。",
			"materials": []string{"身份证", "不动产权证书"},
		})
	})
	hub.mux.HandleFunc("POST /api/v1/handoff", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "wenban_citizen", Value: "c1.secret", Path: "/", HttpOnly: true,
			SameSite: http.SameSiteStrictMode})
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]string{"conversation_id": "c1"})
	})
	hub.mux.HandleFunc("GET /api/v1/probe", func(w http.ResponseWriter, r *http.Request) {
		_, err := r.Cookie("wenban_citizen")
		cookieSeen.Store(err == nil)
	})
	hub.mux.HandleFunc("GET /ws/citizen", func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie("wenban_citizen"); err != nil {
			http.Error(w, "no session", http.StatusUnauthorized)
			return
		}
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			t.Errorf("citizen websocket: %v", err)
			return
		}
		defer conn.CloseNow()

		ctx := r.Context()
		conn.Write(ctx, websocket.MessageText, []byte(`{"type":"queue_position","conversation_id":"c1","position":2,"estimated_wait_seconds":120}`))
		conn.Write(ctx, websocket.MessageText, []byte(`{"type":"state","conversation":{"id":"c1","state":"serving","agent_name":"张敏"}}`))
		conn.Write(ctx, websocket.MessageText, []byte(`{"type":"message","message":{"conversation_id":"c1","seq":1,"from":"agent","author":"张敏","text":"您好，请讲。","at":"2026-12-04T02:00:00Z"}}`))
		for {
			if _, _, err := conn.Read(ctx); err != nil {
				return
			}
		}
	})

	return cookieSeen
}

func serveScreen(t *testing.T, term *Terminal, idle time.Duration) string {
	t.Helper()

	page := kiosk.Handler(kiosk.Page{Window: testWindow, IdleTimeout: idle}, nil)
	srv := httptest.NewServer(term.Handler(ScreenOptions{Page: page, Static: static.FS}))
	t.Cleanup(func() {
		// The page's event stream stays open until the browser goes.
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv.URL
}

func TestBrowserKioskFlow(t *testing.T) {
	ctx := browser(t)
	hub := newFakeHub(t)
	cookieSeen := citizenAPI(t, hub)
	inj := &recordingInjector{}
	doc := &pluggableCamera{label: "BrowserDocCam"}
	doc.plugIn(t)
	term := startTerminal(t, hub, Options{
		Camera:         media.VideoOptions{Device: media.DeviceOff},
		DocumentCamera: media.VideoOptions{Device: "BrowserDocCam", Width: 320, Height: 240},
		Input:          inj,
	})
	base := serveScreen(t, term, 10*time.Minute)

	step(t, ctx, "start screen and elder mode",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(sel("start-button")),
		chromedp.Click(sel("elder-toggle")),
		waitJS(`document.body.classList.contains("elder")`),
		chromedp.Click(sel("start-button")),
		chromedp.WaitVisible(sel("ask-panel")),
	)

	step(t, ctx, "pinyin typed on the on-screen keyboard",
		chromedp.Click(sel("kiosk-question")),
		chromedp.WaitVisible(sel("keyboard")),
		typeKeys("budongchan"),
		waitCandidates("budongchan", "不动产"),
		chromedp.Click(chromedp.CSS(`[data-testid="ime-candidates"] button`)),
		waitJS(`document.querySelector('[data-testid="kiosk-question"]').value === "不动产"`),
		typeKeys("dengji"),
		waitCandidates("dengji", "登记"),
		chromedp.Click(chromedp.CSS(`[data-key="space"]`)),
		waitJS(`document.querySelector('[data-testid="kiosk-question"]').value === "不动产登记"`),
	)

	step(t, ctx, "bot answer",
		chromedp.Click(sel("kiosk-ask")),
		chromedp.WaitVisible(sel("kiosk-answer")),
		waitJS(`document.querySelector('[data-testid="kiosk-answer"]').textContent.includes("不动产权证书")`),
	)

	step(t, ctx, "转人工 reaches the call view",
		discard(chromedp.Evaluate[bool](`localStorage.setItem("left-behind", "x"), true`)),
		chromedp.Click(sel("kiosk-handoff")),
		chromedp.WaitVisible(sel("call-panel")),
		waitJS(`document.querySelector('[data-testid="agent-name"]').textContent.includes("张敏")`),
		waitJS(`document.querySelector('[data-testid="kiosk-chat-log"]').textContent.includes("您好，请讲。")`),
	)
	if f := hub.next(control.TypeConversation); f.Conversation != "c1" {
		t.Errorf("conversation reported to the hub: got %q, want c1", f.Conversation)
	}

	step(t, ctx, "document-camera still previewed and sent",
		chromedp.Click(sel("still-button")),
		chromedp.WaitVisible(sel("still-panel")),
		waitJS(`document.querySelector('[data-testid="still-preview"]').naturalWidth === 320`),
		chromedp.Click(sel("still-confirm")),
		chromedp.WaitVisible(sel("call-panel")),
	)
	select {
	case up := <-hub.uploads:
		if up.kind != "image" || up.contentType != "image/jpeg" || !up.withCookie {
			t.Errorf("upload: got kind %q, type %q, cookie %v, want image, image/jpeg, true",
				up.kind, up.contentType, up.withCookie)
		}
		if len(up.body) < 3 || up.body[0] != 0xff || up.body[1] != 0xd8 {
			t.Errorf("upload body: got %d bytes without the JPEG start marker", len(up.body))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no attachment upload within 10s of 确认发送")
	}

	// The camera is off, so every video packet at the hub is the page's
	// own screen share.
	hub.send(control.Frame{Type: control.TypeCall, Call: &control.Call{
		Room: "room-1", PublishURL: "/whip/room-1", PublishToken: testToken,
		ScreenURL: "/whip/room-1", ScreenToken: testToken,
	}})
	hub.send(control.Frame{Type: control.TypeControlRequest, Operator: "staff-7"})
	step(t, ctx, "citizen allows remote control",
		chromedp.WaitVisible(sel("consent-dialog")),
		chromedp.Click(sel("consent-accept")),
		chromedp.WaitVisible(sel("control-banner")),
		chromedp.WaitNotVisible(sel("consent-dialog")),
	)
	if f := hub.next(control.TypeControlStarted); f.Operator != "staff-7" {
		t.Errorf("control_started operator: got %q, want staff-7", f.Operator)
	}
	waitFor(t, "screen-share video at the hub", func() bool { return hub.videoPackets.Load() >= 10 })
	deletesBefore := hub.deleteCount()

	step(t, ctx, "citizen ends remote control with the banner button",
		chromedp.Click(sel("stop-control")),
		chromedp.WaitNotVisible(sel("control-banner")),
	)
	if rec := hub.next(control.TypeControlEnded).Record; rec.Reason != "citizen" {
		t.Errorf("control record reason: got %q, want citizen", rec.Reason)
	}
	waitFor(t, "screen-share WHIP session deleted", func() bool { return hub.deleteCount() > deletesBefore })

	step(t, ctx, "ending the service wipes the screen",
		chromedp.Click(sel("kiosk-end")),
		chromedp.WaitVisible(sel("start-button")),
		waitJS(`localStorage.length === 0 && !document.body.classList.contains("elder")`),
		waitJS(`document.querySelector('[data-testid="kiosk-chat-log"]').children.length === 0`),
		discard(chromedp.Evaluate[any](`fetch("/api/v1/probe")`, chromedp.EvalAsValue)),
	)
	if cookieSeen.Load() {
		t.Error("citizen cookie still sent after the session ended")
	}
	if f := hub.next(control.TypeConversation); f.Conversation != "" {
		t.Errorf("conversation after the end: got %q, want none", f.Conversation)
	}
}

func TestBrowserIdleTimeoutWipes(t *testing.T) {
	ctx := browser(t)
	hub := newFakeHub(t)
	citizenAPI(t, hub)
	term := startTerminal(t, hub, Options{Camera: media.VideoOptions{Device: media.DeviceOff}})
	// Long enough for the first step on a loaded machine, short enough
	// for the test to wait it out.
	base := serveScreen(t, term, 5*time.Second)

	step(t, ctx, "citizen starts and walks away",
		chromedp.Navigate(base+"/"),
		chromedp.Click(sel("start-button")),
		chromedp.WaitVisible(sel("ask-panel")),
		chromedp.SendKeys(sel("kiosk-question"), "leftover"),
		discard(chromedp.Evaluate[bool](`sessionStorage.setItem("left-behind", "x"), true`)),
	)
	step(t, ctx, "idle timeout returns to a clean start screen",
		chromedp.WaitVisible(sel("start-button")),
		chromedp.WaitNotVisible(sel("ask-panel")),
		waitJS(`sessionStorage.length === 0`),
		waitJS(`document.querySelector('[data-testid="kiosk-question"]').value === ""`),
	)
}

// waitCandidates waits until the candidate row belongs to the whole
// pinyin typed and starts with first.
func waitCandidates(pinyin, first string) chromedp.Action[chromedp.Void] {
	return waitJS(fmt.Sprintf(`(() => {
		const ol = document.querySelector('[data-testid="ime-candidates"]');
		return ol.dataset.input === %q && ol.querySelector("button")?.textContent === %q;
	})()`, pinyin, first))
}

// typeKeys clicks the on-screen keys for letters.
func typeKeys(letters string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		for _, c := range letters {
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-key="%c"]`, c)))); err != nil {
				return chromedp.Void{}, err
			}
		}
		return chromedp.Void{}, nil
	}
}
