package server

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"wenban/appliance/attach"
)

// mediaBrowser is browser with Chromium's fake microphone and camera, so
// MediaRecorder records a test tone.
func mediaBrowser(t *testing.T) context.Context {
	opts := append([]chromedp.ExecAllocatorOption{}, fakeMediaFlags...)
	return startBrowser(t, append(opts, chromedp.WindowSize(1280, 900))...)
}

func writeTestPNG(t *testing.T, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), 120, uint8(y * 255 / h), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "宗地图 第1页.png")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// centerOf returns the middle of the element, where a finger would hold it.
func centerOf(t *testing.T, ctx context.Context, selector string) (float64, float64) {
	t.Helper()
	run(t, ctx, "scrolling to "+selector, chromedp.ScrollIntoView(css(selector)))
	js := `(() => { const r = document.querySelector(` + "`" + selector + "`" + `).getBoundingClientRect();
		return [r.left + r.width / 2, r.top + r.height / 2]; })()`
	p, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](js))
	if err != nil || len(p) != 2 {
		t.Fatalf("locating %s: %v", selector, err)
	}
	return p[0], p[1]
}

// evalInt reads a number the page computes.
func evalInt(t *testing.T, ctx context.Context, js string) float64 {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](js))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// servedChat signs a seat in, hands a citizen over to it and returns both
// tabs once the citizen is served.
func servedChat(t *testing.T, bctx context.Context, r *running) (seat, citizen context.Context) {
	t.Helper()
	const password = "Seat-Pass-2026"
	readyAccount(t, r, "zhangmin", "张敏", password)

	seat = tab(t, bctx)
	login(t, seat, r.url, "zhangmin", password)
	waitOnline(t, r)

	citizen = tab(t, bctx)
	run(t, citizen, "citizen reaches a seat",
		chromedp.Navigate(r.url+"/"),
		chromedp.WaitVisible(css(sel("handoff-button"))),
		chromedp.Click(css(sel("handoff-button"))),
		chromedp.WaitVisible(css(sel("chat-panel"))),
	)
	run(t, seat, "seat accepts",
		chromedp.WaitVisible(css(sel("queue-item"))),
		chromedp.Click(css(sel("queue-next"))),
		chromedp.WaitVisible(css(sel("chat-pane"))),
	)
	run(t, citizen, "citizen is served", waitText(sel("chat-message"), "客服张敏已接入"))
	return seat, citizen
}

func TestBrowserImageAndVoice(t *testing.T) {
	bctx := mediaBrowser(t)
	r := startHub(t, t.TempDir())
	seat, citizen := servedChat(t, bctx, r)

	image := writeTestPNG(t, 1200, 800)
	run(t, citizen, "citizen sends an image",
		chromedp.SetUploadFiles(css(sel("attach-image-input")), []string{image}, chromedp.NodeReady),
		waitJS(`!!document.querySelector('[data-testid="chat-message"] [data-testid="attachment-preview"]')`),
	)
	preview := sel("chat-pane") + " " + sel("attachment-preview")
	run(t, seat, "seat sees the preview",
		waitJS(`(() => { const i = document.querySelector(`+"`"+preview+"`"+`); return !!i && i.complete && i.naturalWidth > 0; })()`),
	)
	if width := evalInt(t, seat, `document.querySelector(`+"`"+preview+"`"+`).naturalWidth`); width != attach.PreviewSize {
		t.Errorf("seat preview is %v pixels wide, want the %d-pixel preview", width, attach.PreviewSize)
	}
	run(t, seat, "seat enlarges the image",
		chromedp.Click(css(preview)),
		waitJS(`(() => { const i = document.querySelector('[data-testid="image-viewer-img"]'); return !!i && i.complete && i.naturalWidth === 1200; })()`),
		chromedp.Click(css(sel("image-viewer"))),
	)

	x, y := centerOf(t, citizen, sel("voice-hold"))
	run(t, citizen, "citizen holds the voice button for two seconds",
		chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		waitJS(`document.querySelector('[data-testid="attach-bar"]').dataset.recording === "true"`),
		discard(chromedp.Evaluate[float64](`window.voiceStart = performance.now()`)),
		waitJS(`performance.now() - window.voiceStart > 2000`),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
	)

	audio := sel("chat-pane") + " " + sel("attachment-voice")
	run(t, seat, "seat gets a playable voice message",
		waitJS(`(() => { const a = document.querySelector(`+"`"+audio+"`"+`);
			return !!a && a.readyState >= 1 && Number.isFinite(a.duration) && a.duration > 0; })()`),
	)
	duration := evalInt(t, seat, `document.querySelector(`+"`"+audio+"`"+`).duration`)
	source, err := chromedp.Run(seat, chromedp.Evaluate[string](`document.querySelector(`+"`"+audio+"`"+`).currentSrc`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("voice message plays from %s for %.2f s", source, duration)
	if duration < 1 || duration > 10 {
		t.Errorf("got voice duration %.2f s, want about 2 s", duration)
	}

	// The name carries markup, which both pages must show as text.
	const pdfName = `不动产 "登记" <img src=x onerror="window.xss=1"> 申请表.pdf`
	pdf := filepath.Join(t.TempDir(), pdfName)
	if err := os.WriteFile(pdf, []byte("%PDF-1.7\n1 0 obj << >> endobj\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, citizen, "citizen sends a file",
		chromedp.SetUploadFiles(css(sel("attach-file-input")), []string{pdf}, chromedp.NodeReady),
	)
	run(t, seat, "seat sees the file card", waitText(sel("chat-pane")+" "+sel("attachment-file"), pdfName))
	run(t, citizen, "citizen sees the file card", waitText(sel("attachment-file"), pdfName))
	for _, page := range []context.Context{seat, citizen} {
		injected := evalInt(t, page, `document.querySelectorAll('img[src="x"]').length + (window.xss ? 1 : 0)`)
		if injected != 0 {
			t.Errorf("the file name's markup became %v elements or ran, want plain text", injected)
		}
	}

	big := filepath.Join(t.TempDir(), "扫描件.pdf")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 21<<20); err != nil { // sparse, so quick to make
		t.Fatal(err)
	}
	run(t, citizen, "citizen's oversized file is refused before it is sent",
		chromedp.SetUploadFiles(css(sel("attach-file-input")), []string{big}, chromedp.NodeReady),
		waitText(sel("attach-status"), "文件超过 20 MB 的大小上限"),
	)
	if n := evalInt(t, citizen, `document.querySelectorAll('[data-testid="attachment-file"]').length`); n != 1 {
		t.Errorf("file cards after the oversized file: got %v, want the one sent before", n)
	}

	run(t, seat, "seat pastes a screenshot into the reply box",
		discard(chromedp.Evaluate[bool](`(async () => {
			const canvas = document.createElement("canvas");
			canvas.width = 200; canvas.height = 100;
			canvas.getContext("2d").fillRect(0, 0, 200, 100);
			const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
			const data = new DataTransfer();
			data.items.add(new File([blob], "截图.png", {type: "image/png"}));
			const input = document.querySelector('[data-testid="chat-pane"] [data-testid="chat-input"]');
			input.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
			return true;
		})()`, chromedp.EvalAwaitPromise)),
	)
	run(t, citizen, "citizen sees the pasted screenshot",
		waitJS(`[...document.querySelectorAll('[data-testid="attachment-image"]')].some(f => f.textContent.includes("截图.png"))`),
	)

	run(t, seat, "seat records a voice reply",
		chromedp.Click(css(sel("chat-pane")+" "+sel("voice-record"))),
		waitJS(`document.querySelector('[data-testid="chat-pane"] [data-testid="attach-bar"]').dataset.recording === "true"`),
		discard(chromedp.Evaluate[float64](`window.voiceStart = performance.now()`)),
		waitJS(`performance.now() - window.voiceStart > 1500`),
		chromedp.Click(css(sel("chat-pane")+" "+sel("voice-record"))),
	)
	run(t, citizen, "citizen gets the seat's voice reply",
		waitJS(`[...document.querySelectorAll('[data-testid="attachment-voice"]')].some(a =>
			a.closest('[data-from="agent"]') && a.readyState >= 1 && Number.isFinite(a.duration) && a.duration > 0.5)`),
	)

	id, err := chromedp.Run(seat, chromedp.Evaluate[string](`document.querySelector('[data-testid="chat-pane"]').dataset.conversationId`))
	if err != nil {
		t.Fatal(err)
	}
	run(t, seat, "a reloaded workbench still shows the image",
		chromedp.Navigate(r.url+"/seat"),
		waitJS(`(() => { const i = document.querySelector(`+"`"+preview+"`"+`); return !!i && i.complete && i.naturalWidth > 0; })()`),
		waitJS(`!!document.querySelector(`+"`"+audio+"`"+`)`),
	)
	run(t, seat, "the history page lists the image and the voice message",
		chromedp.Navigate(r.url+"/seat/history/"+id),
		waitJS(`document.querySelectorAll('[data-testid="history-file-list"] li').length === 5`),
		waitJS(`!!document.querySelector('[data-testid="chat-messages"] [data-testid="attachment-preview"]')`),
	)
	if injected := evalInt(t, seat, `document.querySelectorAll('img[src="x"]').length + (window.xss ? 1 : 0)`); injected != 0 {
		t.Errorf("on the history page the file name's markup became %v elements or ran, want plain text", injected)
	}
	notes := []struct {
		testid string
		hidden bool
	}{{"history-files-empty", true}, {"recordings-empty", false}}
	for _, n := range notes {
		hidden, err := chromedp.Run(seat, chromedp.Evaluate[bool](`document.querySelector('[data-testid="`+n.testid+`"]').hidden`))
		if err != nil {
			t.Fatal(err)
		}
		if hidden != n.hidden {
			t.Errorf("history page note %s: got hidden %v, want %v", n.testid, hidden, n.hidden)
		}
	}
}
