package call

import (
	"context"
	"errors"
	"testing"

	"wenban/appliance/media/sfu"
)

func TestGroupSpeakPermission(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, nil)
	g, err := r.m.OpenGroup(ctx, zhang)
	if err != nil {
		t.Fatalf("OpenGroup: %v", err)
	}
	for i := 1; i <= 4; i++ {
		if _, err := r.m.JoinGroup(ctx, g.ID, convID(i)); err != nil {
			t.Fatalf("JoinGroup(%s): %v", convID(i), err)
		}
	}

	// Every citizen joins gated; staff always speak.
	for i := 1; i <= 4; i++ {
		grant, err := r.m.Authorize(g.Room, Peer{Conversation: convID(i)})
		if err != nil {
			t.Fatalf("Authorize(%s): %v", convID(i), err)
		}
		if grant.Speaking {
			t.Errorf("%s before permission: got speaking, want gated", convID(i))
		}
	}
	staff, err := r.m.Authorize(g.Room, Peer{AgentID: zhang.ID})
	if err != nil || !staff.Speaking {
		t.Errorf("staff grant: got %+v, %v, want speaking", staff, err)
	}

	g, err = r.m.AllowSpeak(ctx, g.ID, zhang.ID, convID(2), true)
	if err != nil {
		t.Fatalf("AllowSpeak: %v", err)
	}
	if allowed, set := r.media.speaks(CitizenParticipant(convID(2))); !set || !allowed {
		t.Errorf("SFU speaking of %s: got %v (set %v), want allowed", convID(2), allowed, set)
	}
	wantContains(t, "line of the allowed citizen", r.lines.last(convID(2)), "允许您发言")
	for _, mem := range g.Members {
		if want := mem.Conversation == convID(2); mem.Speaking != want {
			t.Errorf("member %s: got speaking %v, want %v", mem.Conversation, mem.Speaking, want)
		}
	}

	if _, err := r.m.AllowSpeak(ctx, g.ID, li.ID, convID(3), true); !errors.Is(err, ErrNotParty) {
		t.Errorf("another seat opens a mic: got %v, want ErrNotParty", err)
	}
	if _, err := r.m.AllowSpeak(ctx, g.ID, zhang.ID, convID(9), true); !errors.Is(err, ErrNotMember) {
		t.Errorf("mic of a non-member: got %v, want ErrNotMember", err)
	}

	if _, err := r.m.AllowSpeak(ctx, g.ID, zhang.ID, convID(2), false); err != nil {
		t.Fatalf("AllowSpeak off: %v", err)
	}
	if allowed, _ := r.media.speaks(CitizenParticipant(convID(2))); allowed {
		t.Errorf("SFU speaking after revoking: got allowed, want gated")
	}

	// A reloaded page rejoins the room gated again.
	r.media.speaking = map[sfu.ParticipantID]bool{}
	r.m.Joined(ctx, g.Room)
	if allowed, set := r.media.speaks(CitizenParticipant(convID(1))); !set || allowed {
		t.Errorf("gate after rejoin: got %v (set %v), want gated", allowed, set)
	}
}

func TestGroupLifecycle(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, func(o *Options) { o.MaxGroupMembers = 2 })
	g, err := r.m.OpenGroup(ctx, zhang)
	if err != nil {
		t.Fatalf("OpenGroup: %v", err)
	}
	if _, err := r.m.JoinGroup(ctx, "nope", convID(1)); !errors.Is(err, ErrGroupNotFound) {
		t.Errorf("unknown window: got %v, want ErrGroupNotFound", err)
	}

	r.live(t, convID(3))
	if _, err := r.m.JoinGroup(ctx, g.ID, convID(3)); !errors.Is(err, ErrBusy) {
		t.Errorf("citizen in a call joins: got %v, want ErrBusy", err)
	}
	for i := 1; i <= 2; i++ {
		if _, err := r.m.JoinGroup(ctx, g.ID, convID(i)); err != nil {
			t.Fatalf("JoinGroup(%s): %v", convID(i), err)
		}
	}
	if _, err := r.m.JoinGroup(ctx, g.ID, convID(4)); !errors.Is(err, ErrGroupFull) {
		t.Errorf("third citizen: got %v, want ErrGroupFull", err)
	}
	if _, err := r.m.Invite(ctx, convID(1), zhang, PartyCitizen, KindVoice); !errors.Is(err, ErrBusy) {
		t.Errorf("member starts a call: got %v, want ErrBusy", err)
	}

	g, err = r.m.LeaveGroup(ctx, g.ID, "", convID(1))
	if err != nil {
		t.Fatalf("LeaveGroup: %v", err)
	}
	if len(g.Members) != 1 {
		t.Errorf("members after leave: got %d, want 1", len(g.Members))
	}
	if ev := r.events.lastEvent(); len(ev.Left) != 1 || ev.Left[0] != convID(1) {
		t.Errorf("left in event: got %v, want [%s]", ev.Left, convID(1))
	}
	wantContains(t, "leave line", r.lines.last(convID(1)), "离开集体服务窗口")

	g, err = r.m.CloseGroup(ctx, g.ID, zhang.ID)
	if err != nil {
		t.Fatalf("CloseGroup: %v", err)
	}
	if !g.Closed {
		t.Errorf("closed flag: got false, want true")
	}
	if _, ok := r.m.MemberGroup(convID(2)); ok {
		t.Errorf("membership after close: got present, want gone")
	}
	if !r.media.wasClosed(g.Room) {
		t.Errorf("room %s not closed", g.Room)
	}
	wantContains(t, "close line", r.lines.last(convID(2)), "已由客服关闭")
}
