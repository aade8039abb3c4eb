package server

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"wenban/appliance/attach"
	"wenban/appliance/call"
	"wenban/appliance/config"
	"wenban/appliance/conversation"
	"wenban/appliance/media/sfu"
)

// callBrowser starts Chromium with fake camera and microphone at the
// seat's 1366x768, with background tabs kept running so every page of a
// call decodes video.
func callBrowser(t *testing.T) context.Context {
	opts := append(append([]chromedp.ExecAllocatorOption{}, fakeMediaFlags...), foregroundFlags...)
	return startBrowser(t, append(opts, chromedp.WindowSize(1366, 768))...)
}

// videoPlaying waits until the page's element matching selector plays
// video: frames decoded (readyState at least 2), a non-zero size, and
// currentTime advancing by half a second after that.
func videoPlaying(selector string) chromedp.Action[chromedp.Void] {
	js := fmt.Sprintf(`(() => {
		const v = document.querySelector(%q);
		if (!v || v.readyState < 2 || v.videoWidth === 0 || v.videoHeight === 0 || v.paused) return false;
		const start = Number(v.dataset.probeStart || -1);
		if (start < 0) { v.dataset.probeStart = String(v.currentTime); return false; }
		return v.currentTime > start + 0.5;
	})()`, selector)
	reset := fmt.Sprintf(`(() => { const v = document.querySelector(%q); if (v) delete v.dataset.probeStart; return true; })()`, selector)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := chromedp.Evaluate[bool](reset)(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		return waitJS(js)(ctx, t)
	}
}

// callTab opens a page in a fresh browser context. Its deadline is longer
// than tab's, because the first pages of a call test live through the
// whole test, which took 20 to 45 s per test on a shared 2-core machine.
func callTab(t *testing.T, browserCtx context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
	})
	return ctx
}

// pollUntil checks ok every 50 ms until it returns true, failing the test
// after 20 s.
func pollUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// pollStats waits until ok accepts the room's SFU counters and returns
// them, failing the test with the last counters after 20 s.
func pollStats(t *testing.T, media *sfu.SFU, room sfu.RoomID, what string, ok func(sfu.RoomStats) bool) sfu.RoomStats {
	t.Helper()
	var st sfu.RoomStats
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		st = media.Stats(room)
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; last stats %+v", what, st)
		}
		<-tick.C
	}
}

func waitStaffed(t *testing.T, r *running) {
	t.Helper()
	pollUntil(t, "a seat online", func() bool { return r.srv.hub.StaffedSeats() > 0 })
}

func packets(st sfu.RoomStats, p sfu.ParticipantID, out bool, kind sfu.Kind) uint64 {
	ps, ok := st.Participants[p]
	if !ok {
		return 0
	}
	if out {
		return ps.Out[kind].Packets
	}
	return ps.In[kind].Packets
}

// callOf returns the conversation's call, failing when there is none.
func callOf(t *testing.T, r *running, id conversation.ID) call.Call {
	t.Helper()
	c, ok := r.srv.calls.Current(id)
	if !ok {
		t.Fatalf("conversation %s has no call", id)
	}
	return c
}

func citizenConversation(t *testing.T, ctx context.Context) conversation.ID {
	t.Helper()
	id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="citizen-page"]').dataset.conversationId || ""`))
	if err != nil || id == "" {
		t.Fatalf("reading the citizen's conversation id: %q, %v", id, err)
	}
	return conversation.ID(id)
}

// handoff takes a citizen page from the bot to the queue.
func handoff(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	run(t, ctx, "citizen asks for a staff member",
		chromedp.Navigate(url),
		chromedp.WaitVisible(css(sel("handoff-button"))),
		chromedp.Click(css(sel("handoff-button"))),
		chromedp.WaitVisible(css(sel("chat-panel"))),
	)
}

func TestBrowserVideoCall(t *testing.T) {
	bctx := callBrowser(t)
	const notice = "为保障服务质量，本次通话将全程录音录像。"
	r := startHubWith(t, t.TempDir(), func(cfg *config.Config) {
		cfg.Hours.AlwaysOpen = true
		cfg.Recording.Enabled = true
		cfg.Recording.Notice = notice
	})

	const password = "Seat-Pass-2026"
	zhang := readyAccount(t, r, "zhangmin", "张敏", password)
	li := readyAccount(t, r, "lihua", "李华", password)

	seatA := callTab(t, bctx)
	login(t, seatA, r.url, "zhangmin", password)
	waitStaffed(t, r)

	citizen := callTab(t, bctx)
	handoff(t, citizen, r.url+"/")
	run(t, seatA, "zhang accepts the citizen",
		chromedp.WaitVisible(css(sel("queue-item"))),
		chromedp.Click(css(sel("queue-next"))),
		chromedp.WaitVisible(css(sel("chat-pane"))),
	)
	run(t, citizen, "citizen starts a video call",
		chromedp.WaitVisible(css(sel("call-video"))),
		chromedp.Click(css(sel("call-video"))),
		waitJS(`document.querySelector('[data-testid="call-view"]').dataset.state === "ringing"`),
		chromedp.WaitVisible(css(sel("call-recording-notice"))),
		waitText(sel("call-recording-notice"), notice),
	)
	run(t, seatA, "zhang answers",
		chromedp.WaitVisible(css(sel("call-accept"))),
		chromedp.Click(css(sel("call-accept"))),
		videoPlaying(sel("call-remote-video")),
	)
	run(t, citizen, "citizen sees zhang", videoPlaying(sel("call-remote-video")))

	id := citizenConversation(t, citizen)
	room := callOf(t, r, id).Room
	cit, staffA, staffB := call.CitizenParticipant(id), call.StaffParticipant(zhang.ID), call.StaffParticipant(li.ID)
	st := pollStats(t, r.srv.callSFU, room, "RTP both ways", func(st sfu.RoomStats) bool {
		return packets(st, cit, true, sfu.KindVideo) > 0 && packets(st, staffA, true, sfu.KindVideo) > 0 &&
			packets(st, cit, true, sfu.KindAudio) > 0 && packets(st, staffA, true, sfu.KindAudio) > 0
	})
	t.Logf("live: citizen in %v out %v; staff in %v out %v",
		st.Participants[cit].In, st.Participants[cit].Out, st.Participants[staffA].In, st.Participants[staffA].Out)

	run(t, seatA, "zhang holds the call",
		chromedp.Click(css(sel("call-hold"))),
		waitJS(`document.querySelector('[data-testid="call-view"]').dataset.state === "held"`),
	)
	run(t, citizen, "citizen hears the hold tone",
		chromedp.WaitVisible(css(sel("call-hold-banner"))),
		waitJS(`document.querySelector('[data-testid="call-hold-banner"]').dataset.tone === "playing"`),
		waitText(sel("chat-message"), "客服已将通话保持"),
	)
	held := pollStats(t, r.srv.callSFU, room, "hold applied", func(st sfu.RoomStats) bool { return st.Hold })
	// Publishers keep sending while held, so the citizen's own packets
	// mark time passing. 100 more video packets take a few seconds of
	// Chromium's fake camera (an estimate from the counters logged above).
	after := pollStats(t, r.srv.callSFU, room, "citizen still publishing", func(st sfu.RoomStats) bool {
		return packets(st, cit, false, sfu.KindVideo) > packets(held, cit, false, sfu.KindVideo)+100
	})
	for _, p := range []sfu.ParticipantID{cit, staffA} {
		for _, k := range []sfu.Kind{sfu.KindAudio, sfu.KindVideo} {
			if got, want := packets(after, p, true, k), packets(held, p, true, k); got != want {
				t.Errorf("%s %s forwarded while held: got %d packets, want %d", p, k, got, want)
			}
		}
	}

	run(t, seatA, "zhang resumes the call",
		chromedp.Click(css(sel("call-hold"))),
		waitJS(`document.querySelector('[data-testid="call-view"]').dataset.state === "live"`),
	)
	run(t, seatA, "zhang shrinks the call to read the suggestions and restores it",
		chromedp.Click(css(sel("call-compact"))),
		waitJS(`document.querySelector('[data-testid="call-view"]').getBoundingClientRect().width <= 240`),
		waitText(sel("call-compact"), "展开"),
		chromedp.Click(css(sel("call-compact"))),
		waitJS(`document.querySelector('[data-testid="call-view"]').getBoundingClientRect().width > 300`),
	)
	run(t, citizen, "citizen's hold banner goes away",
		chromedp.WaitNotVisible(css(sel("call-hold-banner"))),
		videoPlaying(sel("call-remote-video")),
	)
	pollStats(t, r.srv.callSFU, room, "forwarding after resume", func(st sfu.RoomStats) bool {
		return packets(st, cit, true, sfu.KindVideo) > packets(after, cit, true, sfu.KindVideo)+30 &&
			packets(st, staffA, true, sfu.KindVideo) > packets(after, staffA, true, sfu.KindVideo)+30
	})

	run(t, citizen, "citizen mutes and turns the camera off",
		chromedp.Click(css(sel("call-mute"))),
		chromedp.Click(css(sel("call-camera"))),
	)
	run(t, seatA, "zhang sees the citizen muted", waitText(sel("call-peer-state"), "市民已静音，市民已关闭摄像头"))
	run(t, citizen, "citizen unmutes and turns the camera on",
		chromedp.Click(css(sel("call-mute"))),
		chromedp.Click(css(sel("call-camera"))),
	)
	run(t, seatA, "zhang sees the citizen again", chromedp.WaitNotVisible(css(sel("call-peer-state"))))

	seatB := callTab(t, bctx)
	login(t, seatB, r.url, "lihua", password)
	liOption := fmt.Sprintf(`%s option[value="%s"]`, sel("transfer-select"), li.ID)
	run(t, seatA, "zhang transfers the call to li",
		chromedp.WaitReady(css(liOption)),
		chromedp.SetValue(css(sel("chat-pane")+" "+sel("transfer-select")), li.ID),
		chromedp.Click(css(sel("chat-pane")+" "+sel("transfer-button"))),
		chromedp.WaitNotVisible(css(sel("call-view"))),
	)
	run(t, seatB, "li is in the call",
		waitJS(`document.querySelector('[data-testid="call-view"]').dataset.state === "live"`),
		videoPlaying(sel("call-remote-video")),
		waitText(sel("chat-pane")+" "+sel("chat-message"), "转接给客服李华"),
	)
	run(t, citizen, "citizen sees li", videoPlaying(sel("call-remote-video")))
	moved := pollStats(t, r.srv.callSFU, room, "media with the new seat", func(st sfu.RoomStats) bool {
		_, old := st.Participants[staffA]
		return !old && packets(st, staffB, true, sfu.KindVideo) > 0 && packets(st, cit, true, sfu.KindVideo) > 0
	})
	if got := callOf(t, r, id).Agent.ID; got != li.ID {
		t.Errorf("call agent after transfer: got %s, want %s", got, li.ID)
	}
	t.Logf("after transfer: %d participants", len(moved.Participants))

	run(t, citizen, "citizen hangs up",
		chromedp.Click(css(sel("call-hangup"))),
		chromedp.WaitNotVisible(css(sel("call-view"))),
		waitText(sel("chat-message"), "已由市民挂断，通话时长"),
	)
	run(t, seatB, "li's call view closes", chromedp.WaitNotVisible(css(sel("call-view"))))

	wctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.srv.Recorder().Wait(wctx); err != nil {
		t.Fatalf("waiting for the recording: %v", err)
	}
	recs, err := r.srv.files.store.List(wctx, string(id), attach.KindRecording)
	if err != nil {
		t.Fatalf("listing recordings: %v", err)
	}
	if len(recs) == 0 {
		t.Errorf("recordings of conversation %s: got none, want at least one", id)
	}
	for _, m := range recs {
		t.Logf("recording %s: %d bytes, type %s", m.ID, m.Size, m.Type)
	}
}

func TestBrowserGroupWindow(t *testing.T) {
	bctx := callBrowser(t)
	r := startHubWith(t, t.TempDir(), func(cfg *config.Config) {
		cfg.Hours.AlwaysOpen = true
		cfg.Recording.Enabled = true
	})

	const password = "Seat-Pass-2026"
	zhang := readyAccount(t, r, "zhangmin", "张敏", password)
	seat := callTab(t, bctx)
	login(t, seat, r.url, "zhangmin", password)
	waitStaffed(t, r)

	run(t, seat, "zhang opens a group window",
		chromedp.Click(css(sel("group-open"))),
		chromedp.WaitVisible(css(sel("group-live"))),
		waitJS(`document.querySelector('[data-testid="group-link"]').value.includes("?group=")`),
	)
	link, err := chromedp.Run(seat, chromedp.Evaluate[string](`document.querySelector('[data-testid="group-link"]').value`))
	if err != nil {
		t.Fatal(err)
	}
	groups := r.srv.calls.GroupsOf(zhang.ID)
	if len(groups) != 1 {
		t.Fatalf("open group windows: got %d, want 1", len(groups))
	}
	room := groups[0].Room

	const citizens = 4
	pages := make([]context.Context, citizens)
	ids := make([]conversation.ID, citizens)
	for i := range pages {
		pages[i] = callTab(t, bctx)
		if i > 0 {
			handoff(t, pages[i], link)
		} else {
			// The first citizen comes by invitation from a served chat,
			// before the others fill the queue.
			handoff(t, pages[i], r.url+"/")
			run(t, seat, "zhang serves and invites the first citizen",
				chromedp.WaitVisible(css(sel("queue-item"))),
				chromedp.Click(css(sel("queue-next"))),
				chromedp.WaitVisible(css(sel("chat-pane")+" "+sel("group-invite"))),
				chromedp.Click(css(sel("chat-pane")+" "+sel("group-invite"))),
			)
			run(t, pages[i], "first citizen accepts the invitation",
				waitJS(`!document.querySelector('[data-testid="group-invite"]').hidden`),
				chromedp.Click(css(sel("group-join"))),
			)
		}
		run(t, pages[i], fmt.Sprintf("citizen %d joins and sees zhang", i+1),
			waitJS(`document.querySelector('[data-testid="call-view"]').dataset.state === "group"`),
			videoPlaying(sel("call-remote-video")),
			waitJS(`document.querySelector('[data-testid="call-mute"]').disabled`),
		)
		ids[i] = citizenConversation(t, pages[i])
	}
	run(t, seat, "zhang sees four citizens",
		waitText(sel("group-count"), fmt.Sprint(citizens)),
	)

	staff := call.StaffParticipant(zhang.ID)
	gated := pollStats(t, r.srv.callSFU, room, "citizens publishing audio", func(st sfu.RoomStats) bool {
		for _, id := range ids {
			if packets(st, call.CitizenParticipant(id), false, sfu.KindAudio) < 50 {
				return false
			}
		}
		return packets(st, staff, false, sfu.KindVideo) > 0
	})
	if got := packets(gated, staff, true, sfu.KindAudio); got != 0 {
		t.Errorf("citizen audio reaching staff before permission: got %d packets, want 0", got)
	}

	run(t, seat, "zhang lets the first citizen speak",
		discard(chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
			const li = document.querySelector('[data-testid="group-member"][data-conversation-id=%q]');
			li.querySelector('[data-testid="group-speak"]').click();
			return true;
		})()`, string(ids[0])))),
		waitJS(fmt.Sprintf(`document.querySelector('[data-testid="group-member"][data-conversation-id=%q]').dataset.speaking === "true"`, string(ids[0]))),
	)
	run(t, pages[0], "first citizen's microphone opens",
		waitJS(`!document.querySelector('[data-testid="call-mute"]').disabled`),
		waitText(sel("group-speak-state"), "允许您发言"),
	)
	pollStats(t, r.srv.callSFU, room, "the allowed citizen heard", func(st sfu.RoomStats) bool {
		return packets(st, staff, true, sfu.KindAudio) > 20
	})
	run(t, pages[1], "second citizen stays gated",
		waitJS(`document.querySelector('[data-testid="call-mute"]').disabled`),
	)

	run(t, seat, "zhang closes the window", chromedp.Click(css(sel("group-close"))))
	for i, p := range pages {
		run(t, p, fmt.Sprintf("citizen %d leaves the closed window", i+1),
			chromedp.WaitNotVisible(css(sel("call-view"))),
			waitText(sel("chat-message"), "集体服务窗口已由客服关闭"),
		)
	}
	if got := len(r.srv.calls.GroupsOf(zhang.ID)); got != 0 {
		t.Errorf("open group windows after close: got %d, want 0", got)
	}

	// The window's record and recordings are on the seat history page.
	wctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.srv.Recorder().Wait(wctx); err != nil {
		t.Fatalf("waiting for the recording: %v", err)
	}
	recs, err := r.srv.groupRecs.Groups(wctx, 10)
	if err != nil || len(recs) != 1 {
		t.Fatalf("group window records: got %d, %v; want 1", len(recs), err)
	}
	if recs[0].ClosedAt.IsZero() || len(recs[0].Members) != citizens || recs[0].Agent.ID != zhang.ID {
		t.Errorf("record: got closed %v, %d members, agent %s; want closed, %d, %s",
			recs[0].ClosedAt, len(recs[0].Members), recs[0].Agent.ID, citizens, zhang.ID)
	}
	files, err := r.srv.files.store.List(wctx, recs[0].RecordingFolder(), attach.KindRecording)
	if err != nil || len(files) == 0 {
		t.Fatalf("recordings of the window: got %d, %v; want at least one", len(files), err)
	}
	run(t, seat, "zhang finds the window and its recordings in the history",
		chromedp.Navigate(r.url+"/seat/history"),
		chromedp.WaitVisible(css(sel("group-history-item"))),
		waitText(sel("group-history-item"), "客服张敏的集体服务窗口"),
		waitText(sel("group-history-recordings"), fmt.Sprint(len(files))),
		chromedp.Click(css(sel("group-history-link"))),
		chromedp.WaitVisible(css(sel("group-transcript-page"))),
		waitJS(fmt.Sprintf(`document.querySelectorAll('[data-testid="group-member-record"]').length === %d`, citizens)),
		waitJS(`document.querySelectorAll('[data-testid="recording-list"] [data-testid="recording"]').length > 0`),
	)
}

// pollStatsWithin is pollStats with its own deadline.
func pollStatsWithin(t *testing.T, media *sfu.SFU, room sfu.RoomID, within time.Duration, what string, ok func(sfu.RoomStats) bool) sfu.RoomStats {
	t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		st := media.Stats(room)
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s; last stats %+v", within, what, st)
		}
		<-tick.C
	}
}

// TestBrowserVoiceCallTimeoutAndReload runs a ring timeout, a voice call
// and a citizen page reload during that call.
func TestBrowserVoiceCallTimeoutAndReload(t *testing.T) {
	bctx := callBrowser(t)
	// Long enough for the seat to accept the call on a loaded machine, short
	// enough to wait out once.
	const ring = 5 * time.Second
	r := startHubWith(t, t.TempDir(), func(cfg *config.Config) {
		cfg.Hours.AlwaysOpen = true
		cfg.Calls.RingTimeout = ring
	})

	const password = "Seat-Pass-2026"
	zhang := readyAccount(t, r, "zhangmin", "张敏", password)
	seat := callTab(t, bctx)
	login(t, seat, r.url, "zhangmin", password)
	waitStaffed(t, r)

	citizen := callTab(t, bctx)
	handoff(t, citizen, r.url+"/")
	run(t, seat, "zhang accepts the citizen",
		chromedp.WaitVisible(css(sel("queue-item"))),
		chromedp.Click(css(sel("queue-next"))),
		chromedp.WaitVisible(css(sel("chat-pane"))),
	)
	id := citizenConversation(t, citizen)

	start := time.Now()
	run(t, citizen, "citizen calls and nobody answers",
		chromedp.WaitVisible(css(sel("call-voice"))),
		chromedp.Click(css(sel("call-voice"))),
		waitJS(`document.querySelector('[data-testid="call-view"]').dataset.state === "ringing"`),
		chromedp.WaitNotVisible(css(sel("call-view"))),
		waitText(sel("chat-message"), "语音通话无人接听，已转为文字交流"),
		waitText(sel("chat-error"), "无人接听，已转为文字交流。"),
	)
	if waited := time.Since(start); waited < ring {
		t.Errorf("ring ended after %v, want at least the configured %v", waited, ring)
	}
	run(t, seat, "zhang's ringing prompt goes away", chromedp.WaitNotVisible(css(sel("call-view"))))
	if _, ok := r.srv.calls.Current(id); ok {
		t.Errorf("call present after the ring timeout: got true, want false")
	}

	run(t, citizen, "citizen calls again",
		chromedp.WaitVisible(css(sel("call-voice"))),
		chromedp.Click(css(sel("call-voice"))),
	)
	run(t, seat, "zhang answers the voice call",
		chromedp.WaitVisible(css(sel("call-accept"))),
		chromedp.Click(css(sel("call-accept"))),
		waitJS(`document.querySelector('[data-testid="call-view"]').dataset.state === "live"`),
	)
	// A voice call shows no picture: the video elements stay hidden and
	// the remote stream carries audio only.
	const voiceOnly = `(() => {
		const v = document.querySelector('[data-testid="call-remote-video"]');
		const local = document.querySelector('[data-testid="call-local-video"]');
		const s = v.srcObject;
		return getComputedStyle(v).visibility === "hidden" && getComputedStyle(local).visibility === "hidden" &&
			s !== null && s.getAudioTracks().length > 0 && s.getVideoTracks().length === 0;
	})()`
	run(t, citizen, "citizen hears zhang without video",
		waitJS(`document.querySelector('[data-testid="call-view"]').dataset.state === "live"`),
		waitJS(voiceOnly),
	)
	run(t, seat, "zhang hears the citizen without video", waitJS(voiceOnly))

	room := callOf(t, r, id).Room
	cit, staff := call.CitizenParticipant(id), call.StaffParticipant(zhang.ID)
	before := pollStats(t, r.srv.callSFU, room, "audio both ways", func(st sfu.RoomStats) bool {
		return packets(st, cit, true, sfu.KindAudio) > 100 && packets(st, staff, true, sfu.KindAudio) > 100
	})
	for _, p := range []sfu.ParticipantID{cit, staff} {
		for _, out := range []bool{false, true} {
			if got := packets(before, p, out, sfu.KindVideo); got != 0 {
				t.Errorf("%s video packets (out %v) in a voice call: got %d, want 0", p, out, got)
			}
		}
	}

	// The reloaded page rejoins under the same participant id. A fresh
	// participant's counters start again from zero, so a count below the
	// one before the reload shows that the ghost is gone.
	run(t, citizen, "citizen reloads the page", chromedp.Reload())
	reloaded := time.Now()
	oldIn := packets(before, cit, false, sfu.KindAudio)
	after := pollStatsWithin(t, r.srv.callSFU, room, 10*time.Second, "the reloaded citizen publishing", func(st sfu.RoomStats) bool {
		n := packets(st, cit, false, sfu.KindAudio)
		return n > 0 && n < oldIn && packets(st, cit, true, sfu.KindAudio) > 0
	})
	t.Logf("citizen rejoined %v after the reload", time.Since(reloaded).Round(100*time.Millisecond))
	if got := len(after.Participants); got != 2 {
		t.Errorf("participants after the reload: got %d, want 2 (citizen and staff)", got)
	}
	run(t, citizen, "reloaded page shows the live call",
		waitJS(`document.querySelector('[data-testid="call-view"]').dataset.state === "live"`),
		waitJS(voiceOnly),
	)
	staffIn := packets(after, staff, true, sfu.KindAudio)
	pollStatsWithin(t, r.srv.callSFU, room, 10*time.Second, "zhang hearing the reloaded citizen", func(st sfu.RoomStats) bool {
		return packets(st, staff, true, sfu.KindAudio) > staffIn+20 && len(st.Participants) == 2
	})

	run(t, seat, "zhang hangs up",
		chromedp.Click(css(sel("call-hangup"))),
		chromedp.WaitNotVisible(css(sel("call-view"))),
	)
	run(t, citizen, "citizen sees the call end", waitText(sel("chat-message"), "已由客服张敏挂断"))
}
