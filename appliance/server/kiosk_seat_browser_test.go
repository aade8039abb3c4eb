package server

import (
	"context"
	"image"
	"io"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pion/mediadevices/pkg/driver"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"

	"wenban/appliance/auth"
	"wenban/appliance/kioskhub"
	"wenban/kiosk/input"
	"wenban/kiosk/media"
	"wenban/kiosk/terminal"
	"wenban/ui/kiosk"
	"wenban/ui/static"
)

// syntheticDocumentCamera is a mediadevices camera driver that returns
// grey 320×240 frames, the document camera of the kiosk in these tests.
// mediadevices' videotest driver is the kiosk's main camera, and one
// driver cannot serve both.
type syntheticDocumentCamera struct{}

func (syntheticDocumentCamera) Open() error  { return nil }
func (syntheticDocumentCamera) Close() error { return nil }

func (syntheticDocumentCamera) Properties() []prop.Media {
	return []prop.Media{{Video: prop.Video{Width: 320, Height: 240, FrameRate: 25}}}
}

func (syntheticDocumentCamera) VideoRecord(prop.Media) (video.Reader, error) {
	frame := image.NewYCbCr(image.Rect(0, 0, 320, 240), image.YCbCrSubsampleRatio420)
	for i := range frame.Y {
		frame.Y[i] = 128
	}
	tick := time.NewTicker(40 * time.Millisecond)

	return video.ReaderFunc(func() (image.Image, func(), error) {
		if _, ok := <-tick.C; !ok {
			return nil, func() {}, io.EOF
		}
		return frame, func() {}, nil
	}), nil
}

var registerDocumentCamera sync.Once

const documentCameraLabel = "SeatTestDocCam"

// recordingInjector replaces uinput in the test and records the
// commands the kiosk receives.
type recordingInjector struct {
	mu       sync.Mutex
	moves    [][2]int
	presses  int
	keys     int
	released int
}

func (r *recordingInjector) ScreenSize() (int, int) { return 1280, 800 }

func (r *recordingInjector) MoveTo(x, y int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.moves = append(r.moves, [2]int{x, y})
	return nil
}

func (r *recordingInjector) Press(input.Button) error { r.count(&r.presses); return nil }
func (r *recordingInjector) Release(input.Button) error {
	r.count(&r.released)
	return nil
}
func (r *recordingInjector) Click(input.Button) error { r.count(&r.presses); return nil }
func (r *recordingInjector) Scroll(int) error         { return nil }
func (r *recordingInjector) KeyTap(input.Key) error   { r.count(&r.keys); return nil }
func (r *recordingInjector) TypeText(string) error    { r.count(&r.keys); return nil }
func (r *recordingInjector) ReleaseAll() error        { return nil }
func (r *recordingInjector) count(n *int)             { r.mu.Lock(); *n++; r.mu.Unlock() }
func (r *recordingInjector) snapshot() ([][2]int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][2]int(nil), r.moves...), r.presses
}

// startServedKiosk runs a kiosk terminal with mediadevices' synthetic
// camera and microphone, a synthetic document camera and a recording
// injector, and serves its touch screen.
func startServedKiosk(t *testing.T, r *running, dataDir, window string, inj input.Injector) string {
	t.Helper()

	registerDocumentCamera.Do(func() {
		err := driver.GetManager().Register(syntheticDocumentCamera{}, driver.Info{Label: documentCameraLabel, DeviceType: driver.Camera})
		if err != nil {
			t.Fatalf("registering the document camera: %v", err)
		}
	})
	key, err := kioskhub.DirKeys{Dir: filepath.Join(dataDir, "kiosks")}.CreateKey(window)
	if err != nil {
		t.Fatal(err)
	}
	hubURL, err := url.Parse(r.url)
	if err != nil {
		t.Fatal(err)
	}
	term, err := terminal.New(terminal.Options{
		Hub: hubURL, Window: window, Key: key,
		Camera:         media.VideoOptions{Device: "VideoTest", Width: 640, Height: 480},
		DocumentCamera: media.VideoOptions{Device: documentCameraLabel, Width: 320, Height: 240},
		Microphone:     media.AudioOptions{Device: "AudioTest"},
		Input:          inj,
		RetryInterval:  100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		term.Run(ctx)
	}()

	page := kiosk.Handler(kiosk.Page{Window: window, IdleTimeout: 10 * time.Minute}, nil)
	screen := httptest.NewServer(term.Handler(terminal.ScreenOptions{Page: page, Static: static.FS}))
	t.Cleanup(func() {
		screen.CloseClientConnections()
		screen.Close()
		cancel()
		<-done
	})

	return screen.URL
}

// kioskSeatBrowser is callBrowser's Chromium with tab capture accepted
// without a prompt, so the kiosk page can share itself.
func kioskSeatBrowser(t *testing.T) context.Context {
	opts := append(append([]chromedp.ExecAllocatorOption{}, fakeMediaFlags...), foregroundFlags...)
	opts = append(opts, chromedp.Flag("auto-accept-this-tab-capture", true), chromedp.WindowSize(1366, 768))
	return startBrowser(t, opts...)
}

// TestBrowserSeatServesKiosk has a staff member serve a kiosk citizen: a
// video call both ways, a document-camera still in the chat, and the
// kiosk screen viewed and controlled after the citizen's consent.
func TestBrowserSeatServesKiosk(t *testing.T) {
	bctx := kioskSeatBrowser(t)
	dataDir := t.TempDir()
	r := startHub(t, dataDir)
	const password = "Seat-Pass-2026"
	readyAccount(t, r, "zhangmin", "张敏", password)
	inj := &recordingInjector{}
	screenURL := startServedKiosk(t, r, dataDir, "hall-1", inj)

	seat := callTab(t, bctx)
	login(t, seat, r.url, "zhangmin", password)
	waitOnline(t, r)

	citizen := callTab(t, bctx)
	run(t, citizen, "citizen asks for a staff member on the kiosk",
		chromedp.Navigate(screenURL+"/"),
		chromedp.Click(css(sel("start-button"))),
		chromedp.WaitVisible(css(sel("ask-panel"))),
		chromedp.Click(css(sel("kiosk-handoff"))),
		chromedp.WaitVisible(css(sel("queue-panel"))),
	)
	run(t, seat, "staff accepts the kiosk citizen and sees the kiosk panel",
		chromedp.WaitVisible(css(sel("queue-item"))),
		chromedp.Click(css(sel("queue-next"))),
		chromedp.WaitVisible(css(sel("chat-pane"))),
		chromedp.WaitVisible(css(sel("kiosk-seat"))),
		waitText(sel("kiosk-window"), "hall-1"),
	)

	run(t, seat, "staff starts a video call and sees the kiosk camera",
		chromedp.Click(css(sel("chat-pane")+" "+sel("call-video"))),
		videoPlaying(sel("call-remote-video")),
	)
	run(t, citizen, "kiosk plays the staff member's video", videoPlaying(sel("remote-video")))

	run(t, seat, "staff requests a document photo", chromedp.Click(css(sel("kiosk-still"))))
	run(t, citizen, "citizen takes and sends the photo",
		chromedp.WaitVisible(css(sel("still-request"))),
		chromedp.Click(css(sel("still-button"))),
		chromedp.WaitVisible(css(sel("still-panel"))),
		waitJS(`document.querySelector('[data-testid="still-preview"]').naturalWidth === 320`),
		chromedp.Click(css(sel("still-confirm"))),
	)
	run(t, seat, "the photo arrives in the chat",
		waitJS(`(() => { const i = document.querySelector('[data-testid="chat-pane"] [data-testid="attachment-preview"]'); return !!i && i.complete && i.naturalWidth === 320; })()`),
	)

	run(t, seat, "staff requests control", chromedp.Click(css(sel("kiosk-control"))))
	run(t, citizen, "citizen consents on the kiosk",
		chromedp.WaitVisible(css(sel("consent-dialog"))),
		chromedp.Click(css(sel("consent-accept"))),
		chromedp.WaitVisible(css(sel("control-banner"))),
		chromedp.WaitVisible(css(sel("stop-control"))),
	)
	run(t, seat, "staff sees the kiosk screen and clicks into it",
		chromedp.WaitVisible(css(sel("kiosk-screen"))),
		videoPlaying(sel("kiosk-screen-video")),
		chromedp.Click(css(sel("kiosk-screen-video"))),
	)
	waitInjected(t, inj)

	run(t, seat, "staff ends control",
		chromedp.Click(css(sel("kiosk-end-control"))),
		chromedp.WaitNotVisible(css(sel("kiosk-screen"))),
	)
	run(t, citizen, "kiosk drops the control banner", chromedp.WaitNotVisible(css(sel("control-banner"))))
	waitControlRecord(t, r)

	ctx := context.Background()
	admin, err := r.srv.Auth().CreateAccount(ctx, "wangadmin", "王管理", auth.RoleAdmin, password+"-initial")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.srv.Auth().SetPassword(ctx, admin.ID, password+"-initial", password); err != nil {
		t.Fatal(err)
	}
	adminTab := callTab(t, bctx)
	login(t, adminTab, r.url, "wangadmin", password)
	run(t, adminTab, "administrator reads the control log",
		chromedp.Click(css(sel("nav-kiosk-control"))),
		chromedp.WaitVisible(css(sel("kiosk-control-table"))),
		waitText(sel("kiosk-control-row")+` [data-field="operator"]`, "张敏"),
	)
}

// waitInjected waits until the click on the centre of the seat's screen
// view reached the kiosk as a move near the centre of its 1280×800
// screen and a button press.
func waitInjected(t *testing.T, inj *recordingInjector) {
	t.Helper()

	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		moves, presses := inj.snapshot()
		if len(moves) > 0 && presses > 0 {
			last := moves[len(moves)-1]
			if last[0] < 540 || last[0] > 740 || last[1] < 300 || last[1] > 500 {
				t.Errorf("kiosk pointer after a click on the view's centre: got %v, want near (640, 400)", last)
			}
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("kiosk injected %d moves and %d presses within 10s, want at least one of each", len(moves), presses)
		}
	}
}

// waitControlRecord waits for the audit record of the session.
func waitControlRecord(t *testing.T, r *running) {
	t.Helper()

	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		records, err := kioskhub.StoreAudit{DB: r.srv.db}.List(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(records) == 1 {
			if records[0].Window != "hall-1" || records[0].Reason != "operator" || records[0].Commands < 2 {
				t.Errorf("control record: got %+v, want window hall-1, reason operator, at least 2 commands", records[0])
			}
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("control records after 结束控制: got %d, want 1", len(records))
		}
	}
}
