package call

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestCallStateMachine(t *testing.T) {
	ctx := context.Background()
	const id = "conv-1"
	tests := []struct {
		name string
		// run drives the manager and returns the call's last snapshot.
		run        func(t *testing.T, r *rig) Call
		wantState  State
		wantReason Reason
		wantLine   string
		wantHeld   bool
	}{
		{
			name: "ring timeout",
			run: func(t *testing.T, r *rig) Call {
				r.invite(t, id, PartyCitizen, KindVideo)
				r.clock.Advance(29 * time.Second)
				if c, ok := r.m.Current(id); !ok || c.State != StateRinging {
					t.Fatalf("after 29s: got state %v (present %v), want ringing", c.State, ok)
				}
				r.clock.Advance(time.Second)
				return *r.events.lastCall()
			},
			wantState:  StateEnded,
			wantReason: ReasonTimeout,
			wantLine:   "无人接听，已转为文字交流",
		},
		{
			name: "decline",
			run: func(t *testing.T, r *rig) Call {
				r.invite(t, id, PartyStaff, KindVoice)
				c, err := r.m.Decline(ctx, id, PartyCitizen)
				if err != nil {
					t.Fatalf("Decline: %v", err)
				}
				return c
			},
			wantState:  StateEnded,
			wantReason: ReasonDeclined,
			wantLine:   "语音通话已被市民拒绝",
		},
		{
			name: "hangup during ring",
			run: func(t *testing.T, r *rig) Call {
				r.invite(t, id, PartyCitizen, KindVideo)
				c, err := r.m.Hangup(ctx, id, PartyCitizen)
				if err != nil {
					t.Fatalf("Hangup: %v", err)
				}
				// The cancelled call's ring timer must not fire later.
				r.clock.Advance(time.Minute)
				if last := r.events.lastCall(); last.Reason != ReasonCancelled {
					t.Errorf("after the ring timeout: got reason %v, want cancelled", last.Reason)
				}
				return c
			},
			wantState:  StateEnded,
			wantReason: ReasonCancelled,
			wantLine:   "视频通话已由市民取消",
		},
		{
			name: "callee hangs up ringing call",
			run: func(t *testing.T, r *rig) Call {
				r.invite(t, id, PartyCitizen, KindVideo)
				c, err := r.m.Hangup(ctx, id, PartyStaff)
				if err != nil {
					t.Fatalf("Hangup: %v", err)
				}
				return c
			},
			wantState:  StateEnded,
			wantReason: ReasonDeclined,
			wantLine:   "已被客服张三拒绝",
		},
		{
			name: "hangup with duration",
			run: func(t *testing.T, r *rig) Call {
				r.live(t, id)
				r.clock.Advance(125 * time.Second)
				c, err := r.m.Hangup(ctx, id, PartyStaff)
				if err != nil {
					t.Fatalf("Hangup: %v", err)
				}
				if c.Duration() != 125*time.Second {
					t.Errorf("duration: got %v, want 2m5s", c.Duration())
				}
				return c
			},
			wantState:  StateEnded,
			wantReason: ReasonHangup,
			wantLine:   "已由客服张三挂断，通话时长 2分05秒",
		},
		{
			name: "hold",
			run: func(t *testing.T, r *rig) Call {
				c := r.live(t, id)
				c, err := r.m.Hold(ctx, id, zhang.ID, true)
				if err != nil {
					t.Fatalf("Hold: %v", err)
				}
				return c
			},
			wantState: StateHeld,
			wantLine:  "客服已将通话保持",
			wantHeld:  true,
		},
		{
			name: "hold and resume",
			run: func(t *testing.T, r *rig) Call {
				r.live(t, id)
				if _, err := r.m.Hold(ctx, id, zhang.ID, true); err != nil {
					t.Fatalf("Hold: %v", err)
				}
				c, err := r.m.Hold(ctx, id, zhang.ID, false)
				if err != nil {
					t.Fatalf("Resume: %v", err)
				}
				return c
			},
			wantState: StateLive,
			wantLine:  "客服已恢复通话",
		},
		{
			name: "transfer while on hold",
			run: func(t *testing.T, r *rig) Call {
				r.live(t, id)
				if _, err := r.m.Hold(ctx, id, zhang.ID, true); err != nil {
					t.Fatalf("Hold: %v", err)
				}
				c, err := r.m.Transfer(ctx, id, li)
				if err != nil {
					t.Fatalf("Transfer: %v", err)
				}
				if ev := r.events.lastEvent(); ev.PreviousAgentID != zhang.ID {
					t.Errorf("previous agent: got %q, want %q", ev.PreviousAgentID, zhang.ID)
				}
				if c.Agent != li {
					t.Errorf("agent: got %+v, want %+v", c.Agent, li)
				}
				// Only the new seat may resume the call.
				if _, err := r.m.Hold(ctx, id, zhang.ID, false); !errors.Is(err, ErrNotParty) {
					t.Errorf("old seat resumes: got %v, want ErrNotParty", err)
				}
				return c
			},
			wantState: StateHeld,
			wantLine:  "由客服张三转接给客服李四",
			wantHeld:  true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			c := tt.run(t, r)
			if c.State != tt.wantState {
				t.Errorf("state: got %v, want %v", c.State, tt.wantState)
			}
			if c.Reason != tt.wantReason {
				t.Errorf("reason: got %v, want %v", c.Reason, tt.wantReason)
			}
			wantContains(t, "last system line", r.lines.last(id), tt.wantLine)
			if got := r.media.held(c.Room); got != tt.wantHeld {
				t.Errorf("SFU hold: got %v, want %v", got, tt.wantHeld)
			}
			_, present := r.m.Current(id)
			if wantPresent := tt.wantState != StateEnded; present != wantPresent {
				t.Errorf("call present after run: got %v, want %v", present, wantPresent)
			}
			if tt.wantState == StateEnded && !r.media.wasClosed(c.Room) {
				t.Errorf("room %s: not closed at the SFU", c.Room)
			}
		})
	}
}

func TestCallRejectedOperations(t *testing.T) {
	ctx := context.Background()
	const id = "conv-1"
	tests := []struct {
		name string
		run  func(r *rig) error
		want error
	}{
		{"caller accepts own call", func(r *rig) error {
			_, err := r.m.Accept(ctx, id, PartyCitizen)
			return err
		}, ErrNotParty},
		{"second invite", func(r *rig) error {
			_, err := r.m.Invite(ctx, id, zhang, PartyStaff, KindVoice)
			return err
		}, ErrBusy},
		{"hold ringing call", func(r *rig) error {
			_, err := r.m.Hold(ctx, id, zhang.ID, true)
			return err
		}, ErrWrongState},
		{"other seat holds", func(r *rig) error {
			_, err := r.m.Hold(ctx, id, li.ID, true)
			return err
		}, ErrNotParty},
		{"accept unknown call", func(r *rig) error {
			_, err := r.m.Accept(ctx, "conv-2", PartyStaff)
			return err
		}, ErrNoCall},
		{"invalid kind", func(r *rig) error {
			_, err := r.m.Invite(ctx, "conv-2", zhang, PartyStaff, KindUnknown)
			return err
		}, ErrWrongState},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			r.invite(t, id, PartyCitizen, KindVideo)
			if err := tt.run(r); !errors.Is(err, tt.want) {
				t.Errorf("got error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCallMuteAndCameraShownToOtherSide(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, nil)
	r.live(t, "conv-1")
	lines := len(r.lines.lines["conv-1"])
	if _, err := r.m.SetMuted(ctx, "conv-1", PartyCitizen, true); err != nil {
		t.Fatalf("SetMuted: %v", err)
	}
	c, err := r.m.SetCameraOff(ctx, "conv-1", PartyStaff, true)
	if err != nil {
		t.Fatalf("SetCameraOff: %v", err)
	}
	if !c.Citizen.Muted || c.Citizen.CameraOff {
		t.Errorf("citizen side: got %+v, want muted with camera on", c.Citizen)
	}
	if c.Staff.Muted || !c.Staff.CameraOff {
		t.Errorf("staff side: got %+v, want unmuted with camera off", c.Staff)
	}
	if last := r.events.lastCall(); last.Version != c.Version || !last.Staff.CameraOff {
		t.Errorf("last event: got version %d %+v, want version %d with camera off", last.Version, last.Staff, c.Version)
	}
	// Switches are shown live but kept out of the transcript.
	if got := len(r.lines.lines["conv-1"]) - lines; got != 0 {
		t.Errorf("lines written for mute and camera: got %d, want 0", got)
	}
}

func TestCallRecordingNotice(t *testing.T) {
	r := newRig(t, func(o *Options) { o.Recording = true })
	c := r.invite(t, "conv-1", PartyStaff, KindVideo)
	if !c.Recording || c.RecordingNotice != "本次通话将录音录像。" {
		t.Errorf("ringing call: got recording %v notice %q, want true with the notice", c.Recording, c.RecordingNotice)
	}
	wantContains(t, "invite line", r.lines.last("conv-1"), "本次通话将录音录像。")
	if _, err := r.m.Accept(context.Background(), "conv-1", PartyCitizen); err != nil {
		t.Fatalf("Accept: %v", err)
	}
	if !r.media.recording[c.Room] {
		t.Errorf("SFU recording of %s: got off, want on", c.Room)
	}
}

func TestCallAuthorizeAndRejoin(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, nil)
	c := r.invite(t, "conv-1", PartyCitizen, KindVideo)
	if _, err := r.m.Authorize(c.Room, Peer{AgentID: zhang.ID}); !errors.Is(err, ErrNoRoom) {
		t.Errorf("joining a ringing call: got %v, want ErrNoRoom", err)
	}
	if _, err := r.m.Accept(ctx, "conv-1", PartyStaff); err != nil {
		t.Fatalf("Accept: %v", err)
	}

	tests := []struct {
		name string
		peer Peer
		want error
	}{
		{"serving seat", Peer{AgentID: zhang.ID}, nil},
		{"own citizen", Peer{Conversation: "conv-1"}, nil},
		{"other seat", Peer{AgentID: li.ID}, ErrNoRoom},
		{"other citizen", Peer{Conversation: "conv-2"}, ErrNoRoom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := r.m.Authorize(c.Room, tt.peer)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got error %v, want %v", err, tt.want)
			}
			if err == nil && (!g.CanPublish || !g.Speaking) {
				t.Errorf("grant: got %+v, want publish and speak", g)
			}
		})
	}

	if _, err := r.m.Hold(ctx, "conv-1", zhang.ID, true); err != nil {
		t.Fatalf("Hold: %v", err)
	}
	r.media.hold[c.Room] = false // the SFU forgot the emptied room
	r.m.Joined(ctx, c.Room)
	if !r.media.held(c.Room) {
		t.Errorf("hold after rejoin: got off, want on")
	}
}

func TestCallConversationClosedEndsCall(t *testing.T) {
	r := newRig(t, nil)
	c := r.live(t, "conv-1")
	lines := len(r.lines.lines["conv-1"])
	r.m.ConversationClosed(context.Background(), "conv-1")
	if _, ok := r.m.Current("conv-1"); ok {
		t.Errorf("call present after close: got true, want false")
	}
	if last := r.events.lastCall(); last.Reason != ReasonClosed {
		t.Errorf("reason: got %v, want closed", last.Reason)
	}
	if got := len(r.lines.lines["conv-1"]); got != lines {
		t.Errorf("lines written to the closed conversation: got %d, want 0", got-lines)
	}
	if !r.media.wasClosed(c.Room) {
		t.Errorf("room %s not closed", c.Room)
	}
}

func TestEnumNames(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{KindVideo.String(), "video"},
		{StateHeld.String(), "held"},
		{PartyStaff.String(), "staff"},
		{ReasonTimeout.String(), "timeout"},
		{Kind(9).String(), "Kind(9)"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	if k, err := ParseKind("voice"); err != nil || k != KindVoice {
		t.Errorf("ParseKind(voice): got %v, %v, want voice", k, err)
	}
	if _, err := ParseKind("fax"); err == nil {
		t.Errorf("ParseKind(fax): got nil error, want one")
	}
}

func TestDurationText(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0分00秒"},
		{65 * time.Second, "1分05秒"},
		{3725 * time.Second, "1小时02分05秒"},
	}
	for _, tt := range tests {
		if got := durationText(tt.d); got != tt.want {
			t.Errorf("durationText(%v): got %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestCallConcurrentOperations(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, nil)
	g, err := r.m.OpenGroup(ctx, zhang)
	if err != nil {
		t.Fatalf("OpenGroup: %v", err)
	}

	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := convID(i % 4)
			for range 50 {
				_, _ = r.m.Invite(ctx, id, zhang, PartyCitizen, KindVideo)
				_, _ = r.m.Accept(ctx, id, PartyStaff)
				_, _ = r.m.Hold(ctx, id, zhang.ID, true)
				_, _ = r.m.JoinGroup(ctx, g.ID, id)
				_, _ = r.m.AllowSpeak(ctx, g.ID, zhang.ID, id, true)
				_, _ = r.m.Transfer(ctx, id, li)
				_, _ = r.m.Hangup(ctx, id, PartyStaff)
				_, _ = r.m.LeaveGroup(ctx, g.ID, "", id)
				r.clock.Advance(time.Second)
			}
		}()
	}
	wg.Wait()

	// Versions never repeat, whatever the interleaving.
	seen := map[uint64]bool{}
	r.events.mu.Lock()
	defer r.events.mu.Unlock()
	for _, ev := range r.events.list {
		v := uint64(0)
		if ev.Call != nil {
			v = ev.Call.Version
		}
		if ev.Group != nil {
			v = ev.Group.Version
		}
		if seen[v] {
			t.Fatalf("version %d: got it twice, want each once", v)
		}
		seen[v] = true
	}
	for i := range 4 {
		_, inCall := r.m.Current(convID(i))
		_, inGroup := r.m.MemberGroup(convID(i))
		if inCall && inGroup {
			t.Errorf("%s: got both a call and a group window, want at most one", convID(i))
		}
	}
}

func TestCallEndWithConversationWritesLine(t *testing.T) {
	tests := []struct {
		name     string
		start    func(t *testing.T, r *rig)
		wantLine string
	}{
		{"live call", func(t *testing.T, r *rig) {
			r.live(t, "conv-1")
			r.clock.Advance(65 * time.Second)
		}, "视频通话已结束，通话时长 1分05秒。"},
		{"ringing call", func(t *testing.T, r *rig) {
			r.invite(t, "conv-1", PartyStaff, KindVoice)
		}, "语音通话未接通，已取消。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			tt.start(t, r)
			r.m.EndWithConversation(context.Background(), "conv-1")
			if got := r.lines.last("conv-1"); got != tt.wantLine {
				t.Errorf("last line: got %q, want %q", got, tt.wantLine)
			}
			if last := r.events.lastCall(); last.Reason != ReasonClosed {
				t.Errorf("reason: got %v, want closed", last.Reason)
			}
		})
	}
}

func TestCallAgentGoneEndsCallsAndWindows(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, nil)
	r.live(t, "conv-1")
	g, err := r.m.OpenGroup(ctx, zhang)
	if err != nil {
		t.Fatalf("OpenGroup: %v", err)
	}
	if _, err := r.m.JoinGroup(ctx, g.ID, "conv-2"); err != nil {
		t.Fatalf("JoinGroup: %v", err)
	}
	other, err := r.m.OpenGroup(ctx, li)
	if err != nil {
		t.Fatalf("OpenGroup: %v", err)
	}

	r.m.AgentGone(ctx, zhang.ID)
	if _, ok := r.m.Current("conv-1"); ok {
		t.Errorf("call of the departed seat present: got true, want false")
	}
	wantContains(t, "call line", r.lines.last("conv-1"), "客服张三已离线，视频通话已结束")
	wantContains(t, "member line", r.lines.last("conv-2"), "客服张三已离线，集体服务窗口已关闭")
	if _, ok := r.m.GroupOf(g.ID); ok {
		t.Errorf("window of the departed seat open: got true, want false")
	}
	if _, ok := r.m.GroupOf(other.ID); !ok {
		t.Errorf("window of another seat closed: got false, want true")
	}
	if ev := r.events.lastEvent(); ev.Group == nil || !ev.Group.Closed || !ev.Group.SeatGone {
		t.Errorf("last event: got %+v, want a closed window with SeatGone", ev.Group)
	}
	if !r.media.wasClosed(g.Room) {
		t.Errorf("room %s not closed", g.Room)
	}
}
