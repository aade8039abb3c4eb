package realtime

import (
	"errors"

	"wenban/appliance/call"
	"wenban/appliance/conversation"
	"wenban/appliance/media/sfu"
)

// Frame types of calls and group windows, sent by the hub.
const (
	frameCall        = "call"
	frameGroup       = "group"
	frameGroupInvite = "group_invite"
	// frameCallSync follows the call and group frames of a greeting and
	// lists the ids of every call and group window still in progress, so
	// a page that reconnects closes what ended while it was away.
	frameCallSync = "call_sync"
)

// callCommand is the "call" object of a call or group command frame.
type callCommand struct {
	// Kind is "voice" or "video", on call.invite.
	Kind string `json:"kind"`
	// On switches mute, camera off, hold and speak permission.
	On bool `json:"on"`
	// Group names the group window of group commands.
	Group call.GroupID `json:"group"`
	// Room and Signal carry the call.media commands.
	Room   sfu.RoomID  `json:"room"`
	Signal *sfu.Signal `json:"signal"`
}

// citizenCallView returns the copy of a call sent to the citizen's page,
// which names the staff member without their account id.
func citizenCallView(c call.Call) *call.Call {
	c.Agent.ID = ""
	return &c
}

// citizenGroupView is the copy of a group window sent to one of its
// citizens: their own speak permission, and no other citizen's.
type citizenGroupView struct {
	ID        call.GroupID `json:"id"`
	Room      sfu.RoomID   `json:"room"`
	AgentName string       `json:"agent_name"`
	// Member is false on the frame sent when the citizen left or was
	// removed, so the page leaves the room.
	Member   bool `json:"member"`
	Speaking bool `json:"speaking"`
	Closed   bool `json:"closed"`
	// SeatGone is set on the closing frame of a window the hub closed
	// because the staff member's seat pages were gone.
	SeatGone bool   `json:"seat_gone,omitempty"`
	Members  int    `json:"members"`
	Version  uint64 `json:"version"`
	// RecordingNotice is set when the hub records the window.
	RecordingNotice string `json:"recording_notice,omitempty"`
}

func citizenGroupOf(g call.Group, id conversation.ID) *citizenGroupView {
	v := &citizenGroupView{
		ID:        g.ID,
		Room:      g.Room,
		AgentName: g.Agent.Name,
		Closed:    g.Closed,
		SeatGone:  g.SeatGone,
		Members:   len(g.Members),
		Version:   g.Version,
	}
	if g.Recording {
		v.RecordingNotice = g.RecordingNotice
	}
	for _, m := range g.Members {
		if m.Conversation == id {
			v.Member = true
			v.Speaking = m.Speaking
		}
	}
	return v
}

// callErrorFrame maps call errors to Chinese messages and every other
// error as errorFrame does.
func callErrorFrame(err error, clientID string) outFrame {
	code, text := "", ""
	switch {
	case errors.Is(err, call.ErrNoCall):
		code, text = "no_call", "当前没有进行中的通话。"
	case errors.Is(err, call.ErrBusy):
		code, text = "call_busy", "当前已有通话或集体窗口在进行中，请先结束。"
	case errors.Is(err, call.ErrWrongState):
		code, text = "call_state", "通话状态已变化，请稍后重试。"
	case errors.Is(err, call.ErrNotParty):
		code, text = "not_party", "您不是该通话的参与方，无法操作。"
	case errors.Is(err, call.ErrGroupNotFound):
		code, text = "group_not_found", "该集体服务窗口已关闭或不存在。"
	case errors.Is(err, call.ErrGroupFull):
		code, text = "group_full", "该集体服务窗口人数已满，请稍后再试。"
	case errors.Is(err, call.ErrNotMember):
		code, text = "not_member", "该市民不在集体服务窗口中。"
	case errors.Is(err, call.ErrNoRoom):
		code, text = "no_room", "无法加入该通话，请刷新页面后重试。"
	case errors.Is(err, errCallNotServed):
		code, text = "not_served", "客服接入后才能发起通话。"
	case errors.Is(err, errNoCalls):
		code, text = "calls_off", "本服务中心未开通音视频通话。"
	default:
		return errorFrame(err, clientID)
	}
	return outFrame{Type: frameError, Code: code, Text: text, ClientID: clientID}
}

var (
	errCallNotServed = errors.New("conversation is not served by a seat")
	errNoCalls       = errors.New("calls are not configured on this hub")
)
