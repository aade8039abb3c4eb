package realtime

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wenban/appliance/call"
	"wenban/appliance/conversation"
	"wenban/appliance/media/sfu"
)

// nullMedia replaces the SFU, because these tests check frames and lines.
// The browser tests check media.
type nullMedia struct {
	mu   sync.Mutex
	hold map[sfu.RoomID]bool
}

func (m *nullMedia) SetHold(room sfu.RoomID, on bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.hold[room] = on
	return nil
}
func (m *nullMedia) SetSpeaking(sfu.RoomID, sfu.ParticipantID, bool) error { return nil }
func (m *nullMedia) SetRecording(sfu.RoomID, bool) error                   { return nil }
func (m *nullMedia) CloseRoom(sfu.RoomID) error                            { return nil }

func newCallHub(t *testing.T) (*testHub, *nullMedia) {
	t.Helper()
	return newCallHubWith(t, Options{})
}

func newCallHubWith(t *testing.T, extra Options) (*testHub, *nullMedia) {
	t.Helper()
	th := newTestHubWith(t, extra)
	media := &nullMedia{hold: map[sfu.RoomID]bool{}}
	th.hub.opts.Calls = call.New(call.Options{
		Media:  media,
		Lines:  th.conv,
		Notify: th.hub.CallEvent,
	})
	return th, media
}

// callIn matches a call frame in the given state.
func callIn(state string) func(map[string]any) bool {
	return func(f map[string]any) bool {
		c, _ := f["call"].(map[string]any)
		return f["type"] == "call" && c != nil && c["state"] == state
	}
}

func callField(f map[string]any, path ...string) string {
	var v any = f["call"]
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	return fmt.Sprint(v)
}

func TestCallFramesBothSides(t *testing.T) {
	th, media := newCallHub(t)
	c, cit, s := servedConversation(t, th)
	id := string(c.ID)

	cit.send(map[string]any{"type": "call.invite", "call": map[string]any{"kind": "video"}})
	ring := s.await("ringing call on the seat", callIn("ringing"))
	if got := callField(ring, "caller"); got != "citizen" {
		t.Errorf("caller: got %s, want citizen", got)
	}
	cit.await("ringing call on the citizen page", callIn("ringing"))
	s.await("invite line", messageWith("市民发起视频通话"))

	s.send(map[string]any{"type": "call.accept", "conversation_id": id})
	live := cit.await("live call on the citizen page", callIn("live"))
	if got := callField(live, "agent", "id"); got != "<nil>" {
		t.Errorf("agent id on the citizen page: got %s, want none", got)
	}
	if got := callField(live, "agent", "name"); got != zhang.Name {
		t.Errorf("agent name on the citizen page: got %s, want %s", got, zhang.Name)
	}

	cit.send(map[string]any{"type": "call.mute", "call": map[string]any{"on": true}})
	muted := s.await("citizen muted on the seat", func(f map[string]any) bool {
		return callIn("live")(f) && callField(f, "citizen", "muted") == "true"
	})
	room := sfu.RoomID(callField(muted, "room"))

	s.send(map[string]any{"type": "call.hold", "conversation_id": id, "call": map[string]any{"on": true}})
	cit.await("held call on the citizen page", callIn("held"))
	cit.await("hold line", messageWith("客服已将通话保持"))
	media.mu.Lock()
	held := media.hold[room]
	media.mu.Unlock()
	if !held {
		t.Errorf("SFU hold of %s: got off, want on", room)
	}

	other := th.seat(t, li)
	other.await("hello", typed("hello"))
	if _, err := th.conv.Transfer(context.Background(), zhang, c.ID, li); err != nil {
		t.Fatalf("Transfer: %v", err)
	}
	moved := other.await("held call on the new seat", callIn("held"))
	if got := callField(moved, "agent", "id"); got != li.ID {
		t.Errorf("agent after transfer: got %s, want %s", got, li.ID)
	}
	s.await("call handed over on the old seat", func(f map[string]any) bool {
		return callIn("held")(f) && callField(f, "agent", "id") == li.ID
	})

	s.send(map[string]any{"type": "call.hold", "conversation_id": id, "call": map[string]any{"on": false}})
	if f := s.await("error for the old seat", typed("error")); f["code"] != "not_owner" {
		t.Errorf("old seat resumes: got code %v, want not_owner", f["code"])
	}
	other.send(map[string]any{"type": "call.hold", "conversation_id": id, "call": map[string]any{"on": false}})
	cit.await("resumed call on the citizen page", callIn("live"))

	cit.send(map[string]any{"type": "call.hangup"})
	ended := other.await("ended call on the new seat", callIn("ended"))
	if got := callField(ended, "reason"); got != "hangup" {
		t.Errorf("reason: got %s, want hangup", got)
	}
	cit.await("hangup line", messageWith("已由市民挂断，通话时长"))
}

func TestCallCitizenNeedsServingSeat(t *testing.T) {
	th, _ := newCallHub(t)
	c, token, err := th.conv.Start(context.Background(), conversation.StartRequest{})
	if err != nil {
		t.Fatal(err)
	}
	cit := th.citizen(t, c.ID, token, 0)
	cit.await("hello", typed("hello"))
	cit.send(map[string]any{"type": "call.invite", "call": map[string]any{"kind": "voice"}})
	if f := cit.await("error", typed("error")); f["code"] != "not_served" {
		t.Errorf("queued citizen calls: got code %v, want not_served", f["code"])
	}
	cit.send(map[string]any{"type": "call.invite", "call": map[string]any{"kind": "fax"}})
	if f := cit.await("error", typed("error")); f["code"] != "invalid" {
		t.Errorf("unknown kind: got code %v, want invalid", f["code"])
	}
}

func TestGroupFramesSpeakPermission(t *testing.T) {
	th, _ := newCallHub(t)
	c, cit, s := servedConversation(t, th)

	s.send(map[string]any{"type": "group.open"})
	opened := s.await("group on the seat", typed("group"))
	gid := fmt.Sprint(opened["group"].(map[string]any)["id"])

	s.send(map[string]any{"type": "group.invite", "conversation_id": string(c.ID), "call": map[string]any{"group": gid}})
	cit.await("invite on the citizen page", typed("group_invite"))
	cit.send(map[string]any{"type": "group.join", "call": map[string]any{"group": gid}})
	joined := cit.await("membership on the citizen page", func(f map[string]any) bool {
		g, _ := f["group"].(map[string]any)
		return f["type"] == "group" && g["member"] == true
	})
	if g := joined["group"].(map[string]any); g["speaking"] != false {
		t.Errorf("speaking at join: got %v, want false", g["speaking"])
	}

	s.send(map[string]any{"type": "group.speak", "conversation_id": string(c.ID), "call": map[string]any{"group": gid, "on": true}})
	cit.await("speak permission on the citizen page", func(f map[string]any) bool {
		g, _ := f["group"].(map[string]any)
		return f["type"] == "group" && g["speaking"] == true
	})
	cit.await("speak line", messageWith("允许您发言"))

	s.send(map[string]any{"type": "group.close", "call": map[string]any{"group": gid}})
	cit.await("closed window on the citizen page", func(f map[string]any) bool {
		g, _ := f["group"].(map[string]any)
		return f["type"] == "group" && g["closed"] == true && g["member"] == false
	})
}

func TestCallMediaJoinChecksRoom(t *testing.T) {
	th, _ := newCallHub(t)
	media, err := sfu.New(sfu.Options{ICE: sfu.ICEConfig{ListenIPs: []string{"127.0.0.1"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { media.Close() })
	th.hub.SetCallMedia(media)
	_, cit, s := servedConversation(t, th)

	cit.send(map[string]any{"type": "call.invite", "call": map[string]any{"kind": "voice"}})
	ring := s.await("ringing call", callIn("ringing"))
	room := callField(ring, "room")

	tests := []struct {
		name string
		page *page
		room string
	}{
		{"ringing call", cit, room},
		{"unknown room", s, "call-nope"},
		{"group room of nobody", s, "group-nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.page.send(map[string]any{"type": "call.media.join", "call": map[string]any{"room": tt.room}})
			if f := tt.page.await("error", typed("error")); f["code"] != "no_room" {
				t.Errorf("join: got code %v, want no_room", f["code"])
			}
		})
	}
	if got := len(media.Stats(sfu.RoomID(room)).Participants); got != 0 {
		t.Errorf("participants of the ringing call's room: got %d, want 0", got)
	}
}

func TestCallEndsWithConversation(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// leave takes the conversation away from zhang's seat, by the
		// seat's end command when s is set.
		leave     func(th *testHub, s *page, id conversation.ID) error
		wantGroup bool
	}{
		{"closed", func(th *testHub, s *page, id conversation.ID) error {
			if s != nil {
				s.send(map[string]any{"type": "end", "conversation_id": string(id)})
				return nil
			}
			_, err := th.conv.End(ctx, id, conversation.Closer{AgentID: zhang.ID, Name: zhang.Name})
			return err
		}, false},
		{"requeued", func(th *testHub, _ *page, id conversation.ID) error {
			_, err := th.conv.Requeue(ctx, id, zhang.ID)
			return err
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th, _ := newCallHub(t)
			c, cit, s := servedConversation(t, th)
			calls := th.hub.opts.Calls
			if _, err := calls.Invite(ctx, c.ID, call.Agent{ID: zhang.ID, Name: zhang.Name}, call.PartyStaff, call.KindVoice); err != nil {
				t.Fatalf("Invite: %v", err)
			}
			s.await("ringing call", callIn("ringing"))
			if _, err := calls.Accept(ctx, c.ID, call.PartyCitizen); err != nil {
				t.Fatalf("Accept: %v", err)
			}
			s.await("live call", callIn("live"))

			// A second conversation is in a group window. Its membership
			// must survive a requeue but not a close.
			g, err := calls.OpenGroup(ctx, call.Agent{ID: zhang.ID, Name: zhang.Name})
			if err != nil {
				t.Fatalf("OpenGroup: %v", err)
			}
			other, _, err := th.conv.Start(ctx, conversation.StartRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := th.conv.Accept(ctx, zhang, other.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := calls.JoinGroup(ctx, g.ID, other.ID); err != nil {
				t.Fatalf("JoinGroup: %v", err)
			}

			if err := tt.leave(th, s, c.ID); err != nil {
				t.Fatalf("taking the conversation away: %v", err)
			}
			if err := tt.leave(th, nil, other.ID); err != nil {
				t.Fatalf("taking the member's conversation away: %v", err)
			}
			ended := cit.await("ended call on the citizen page", callIn("ended"))
			if got := callField(ended, "reason"); got != "closed" {
				t.Errorf("reason: got %s, want closed", got)
			}
			cit.await("ended line", messageWith("语音通话已结束，通话时长"))
			if _, ok := calls.Current(c.ID); ok {
				t.Errorf("call present after the conversation left the seat: got true, want false")
			}
			if _, ok := calls.MemberGroup(other.ID); ok != tt.wantGroup {
				t.Errorf("group membership kept: got %v, want %v", ok, tt.wantGroup)
			}
		})
	}
}

func TestSeatGoneClosesGroupWindow(t *testing.T) {
	ctx := context.Background()
	th, _ := newCallHubWith(t, Options{SeatGoneAfter: 50 * time.Millisecond})
	c, cit, s := servedConversation(t, th)
	calls := th.hub.opts.Calls
	agent := call.Agent{ID: zhang.ID, Name: zhang.Name}
	g, err := calls.OpenGroup(ctx, agent)
	if err != nil {
		t.Fatalf("OpenGroup: %v", err)
	}
	if _, err := calls.JoinGroup(ctx, g.ID, c.ID); err != nil {
		t.Fatalf("JoinGroup: %v", err)
	}
	cit.await("membership", func(f map[string]any) bool {
		g, _ := f["group"].(map[string]any)
		return f["type"] == "group" && g["member"] == true
	})

	s.ws.Close(websocket.StatusNormalClosure, "")
	closed := cit.await("closed window on the citizen page", func(f map[string]any) bool {
		g, _ := f["group"].(map[string]any)
		return f["type"] == "group" && g["closed"] == true
	})
	if got := closed["group"].(map[string]any)["seat_gone"]; got != true {
		t.Errorf("seat_gone on the closed window: got %v, want true", got)
	}
	cit.await("closing line", messageWith("客服张敏已离线，集体服务窗口已关闭"))
	if got := len(calls.GroupsOf(zhang.ID)); got != 0 {
		t.Errorf("open group windows after the seat left: got %d, want 0", got)
	}
}
