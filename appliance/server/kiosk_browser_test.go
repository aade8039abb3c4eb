package server

import (
	"context"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	_ "github.com/pion/mediadevices/pkg/driver/audiotest"
	_ "github.com/pion/mediadevices/pkg/driver/videotest"

	"wenban/appliance/kioskhub"
	"wenban/appliance/media/sfu"
	"wenban/kiosk/media"
	"wenban/kiosk/terminal"
	"wenban/ui/kiosk"
	"wenban/ui/static"
)

// startKioskScreen runs a kiosk terminal against the hub, with
// mediadevices' synthetic camera and microphone, and serves its touch
// screen.
func startKioskScreen(t *testing.T, r *running, dataDir, window string) string {
	t.Helper()

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
		DocumentCamera: media.VideoOptions{Device: media.DeviceOff},
		Microphone:     media.AudioOptions{Device: "AudioTest"},
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

// TestBrowserKioskServedBySeat walks a citizen at a kiosk through the bot
// and 转人工 to a staff member, with the kiosk page reaching the real hub
// through the terminal's forwarding server. A call then carries the
// kiosk's VP8 and Opus into the SFU over the hub's WHIP endpoint.
func TestBrowserKioskServedBySeat(t *testing.T) {
	bctx := browser(t)
	dataDir := t.TempDir()
	r := startHub(t, dataDir)
	const password = "Seat-Pass-2026"
	zhang := readyAccount(t, r, "zhangmin", "张敏", password)
	screenURL := startKioskScreen(t, r, dataDir, "hall-1")

	seat := tab(t, bctx)
	login(t, seat, r.url, "zhangmin", password)
	waitOnline(t, r)

	citizen := tab(t, bctx)
	run(t, citizen, "citizen asks the bot on the kiosk",
		chromedp.Navigate(screenURL+"/"),
		chromedp.Click(css(sel("start-button"))),
		chromedp.WaitVisible(css(sel("ask-panel"))),
		chromedp.SendKeys(css(sel("kiosk-question")), "二手房过户需要带哪些材料"),
		chromedp.Click(css(sel("kiosk-ask"))),
		chromedp.WaitVisible(css(sel("kiosk-answer"))),
	)
	if answer := text(t, citizen, sel("kiosk-answer")); !strings.Contains(answer, "转移登记") {
		t.Errorf("bot answer on the kiosk %q does not explain 转移登记", answer)
	}

	run(t, citizen, "citizen asks for a staff member on the kiosk",
		chromedp.Click(css(sel("kiosk-handoff"))),
		chromedp.WaitVisible(css(sel("queue-panel"))),
	)
	run(t, seat, "staff accepts the kiosk citizen",
		chromedp.WaitVisible(css(sel("queue-item"))),
		chromedp.Click(css(sel("queue-next"))),
		chromedp.WaitVisible(css(sel("chat-pane"))),
		waitText(sel("chat-pane")+" "+sel("chat-message"), "二手房过户需要带哪些材料"),
	)
	run(t, citizen, "kiosk shows the call view with the staff member",
		chromedp.WaitVisible(css(sel("call-panel"))),
		waitText(sel("agent-name"), "张敏"),
	)

	conversations, err := r.srv.conv.Active(context.Background(), zhang.ID)
	if err != nil || len(conversations) != 1 {
		t.Fatalf("active conversations: got %d (%v), want 1", len(conversations), err)
	}
	conversation := string(conversations[0].ID)
	waitKioskWindow(t, r, conversation, "hall-1")

	const room = "kiosk-call-test"
	routed, err := r.srv.StartKioskCall(conversation, room)
	if err != nil || !routed {
		t.Fatalf("StartKioskCall: got %v, %v, want true, nil", routed, err)
	}
	waitKioskMedia(t, r.srv.callSFU, room)

	if err := r.srv.EndKioskCall(conversation); err != nil {
		t.Errorf("EndKioskCall: %v", err)
	}
	if routed, err := r.srv.StartKioskCall("no-such-conversation", room); routed || err != nil {
		t.Errorf("StartKioskCall for a conversation without a kiosk: got %v, %v, want false, nil", routed, err)
	}
}

func waitKioskWindow(t *testing.T, r *running, conversation, want string) {
	t.Helper()

	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		window, ok := r.srv.Kiosks().WindowOf(conversation)
		if ok && window == want {
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("WindowOf(%s): got %q, %v after 10s, want %q", conversation, window, ok, want)
		}
	}
}

// waitKioskMedia waits until one participant of room has published at
// least 30 video and 30 audio packets.
func waitKioskMedia(t *testing.T, s *sfu.SFU, room string) {
	t.Helper()

	deadline := time.After(20 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, p := range s.Stats(sfu.RoomID(room)).Participants {
			if p.In[sfu.KindVideo].Packets >= 30 && p.In[sfu.KindAudio].Packets >= 30 {
				return
			}
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("no kiosk media in room %s within 20s: %+v", room, s.Stats(sfu.RoomID(room)))
		}
	}
}
