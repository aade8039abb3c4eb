// Package call runs the voice and video calls of conversations and the
// staff's group windows. It owns the call state machine (ringing, live,
// held, ended), sets what the SFU forwards, writes every call event as
// a system line of the conversation and reports each change to the
// session plane, which relays it to the pages. Media itself flows through
// appliance/media/sfu; this package never touches RTP.
package call

import (
	"fmt"
	"time"

	"wenban/appliance/conversation"
	"wenban/appliance/media/sfu"
)

// ID names one call.
type ID string

// GroupID names one group window. It is also the secret of the window's
// join link, so it is random and long.
type GroupID string

// Kind is voice or video.
type Kind int

// Call kinds.
const (
	KindUnknown Kind = iota
	KindVoice
	KindVideo
)

var kindNames = [...]string{"unknown", "voice", "video"}

func (k Kind) String() string { return enumName(kindNames[:], int(k), "Kind") }

// ParseKind parses the String form of a kind.
func ParseKind(v string) (Kind, error) {
	i, err := parseEnum(kindNames[:], v, "call kind")
	return Kind(i), err
}

// MarshalText encodes the kind as its name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// State is the stage of a call's life.
type State int

// Call states. A call rings until the callee accepts or declines, the
// caller cancels or the ring times out. A live call may be held and
// resumed any number of times, and every path ends in StateEnded.
const (
	StateUnknown State = iota
	StateRinging
	StateLive
	StateHeld
	StateEnded
)

var stateNames = [...]string{"unknown", "ringing", "live", "held", "ended"}

func (s State) String() string { return enumName(stateNames[:], int(s), "State") }

// MarshalText encodes the state as its name.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Party is a side of a conversation's call.
type Party int

// Call parties.
const (
	PartyUnknown Party = iota
	PartyCitizen
	PartyStaff
)

var partyNames = [...]string{"unknown", "citizen", "staff"}

func (p Party) String() string { return enumName(partyNames[:], int(p), "Party") }

// MarshalText encodes the party as its name.
func (p Party) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

func (p Party) other() Party {
	if p == PartyCitizen {
		return PartyStaff
	}
	return PartyCitizen
}

// Reason is the cause of a call's end.
type Reason int

// End reasons.
const (
	ReasonNone Reason = iota
	// ReasonHangup: either side hung up a live or held call.
	ReasonHangup
	// ReasonDeclined: the callee declined the ringing call.
	ReasonDeclined
	// ReasonCancelled: the caller hung up while the call was ringing.
	ReasonCancelled
	// ReasonTimeout: the callee did not answer within the ring timeout.
	ReasonTimeout
	// ReasonClosed: the conversation ended or returned to the queue.
	ReasonClosed
	// ReasonSeatGone: the staff member's seat pages were gone for the
	// hub's absence timeout.
	ReasonSeatGone
)

var reasonNames = [...]string{"", "hangup", "declined", "cancelled", "timeout", "closed", "seat_gone"}

func (r Reason) String() string { return enumName(reasonNames[:], int(r), "Reason") }

// MarshalText encodes the reason as its name.
func (r Reason) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// Agent is the staff member on the seat side of a call.
type Agent struct {
	// ID is empty in the copies citizens' pages get.
	ID   string `json:"id,omitempty"`
	Name string `json:"name"`
}

// Side is one party's microphone and camera switches.
type Side struct {
	Muted     bool `json:"muted"`
	CameraOff bool `json:"camera_off"`
}

// Call is a snapshot of one conversation's call.
type Call struct {
	ID           ID              `json:"id"`
	Conversation conversation.ID `json:"conversation_id"`
	// Room is the SFU room both sides join.
	Room   sfu.RoomID `json:"room"`
	Kind   Kind       `json:"kind"`
	State  State      `json:"state"`
	Caller Party      `json:"caller"`
	Agent  Agent      `json:"agent"`
	// Citizen and Staff carry each side's mute and camera switches, so
	// each page can show the other side's.
	Citizen Side `json:"citizen"`
	Staff   Side `json:"staff"`
	// Recording is set when the hub records the call. RecordingNotice is
	// then the text shown to the citizen before the call connects.
	Recording       bool   `json:"recording"`
	RecordingNotice string `json:"recording_notice,omitempty"`
	Reason          Reason `json:"reason,omitempty"`
	// Version grows with every change of any call or group window, so a
	// page drops a snapshot older than one it already shows.
	Version    uint64    `json:"version"`
	InvitedAt  time.Time `json:"invited_at"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	EndedAt    time.Time `json:"ended_at,omitzero"`
}

// Duration returns how long the call was connected, holds included; zero
// for a call that was never answered.
func (c Call) Duration() time.Duration {
	if c.AnsweredAt.IsZero() {
		return 0
	}
	end := c.EndedAt
	if end.IsZero() {
		return 0
	}
	return end.Sub(c.AnsweredAt)
}

// Member is one citizen of a group window.
type Member struct {
	Conversation conversation.ID `json:"conversation_id"`
	// Speaking is set while staff let the citizen's microphone through.
	Speaking bool      `json:"speaking"`
	JoinedAt time.Time `json:"joined_at"`
}

// Group is a snapshot of one group window: one staff member seen and
// heard by several citizens, whose microphones stay gated until staff
// let them speak.
type Group struct {
	ID      GroupID    `json:"id"`
	Room    sfu.RoomID `json:"room"`
	Agent   Agent      `json:"agent"`
	Members []Member   `json:"members"`
	// Closed is set on the last snapshot of a closed window. SeatGone is
	// then set when the hub closed it because the staff member's seat
	// pages were gone for the absence timeout.
	Closed   bool `json:"closed"`
	SeatGone bool `json:"seat_gone,omitempty"`
	// Recording is set when the hub records the window, and
	// RecordingNotice is then the text its citizens see on joining.
	Recording       bool      `json:"recording"`
	RecordingNotice string    `json:"recording_notice,omitempty"`
	Version         uint64    `json:"version"`
	OpenedAt        time.Time `json:"opened_at"`
}

// Event is one change the session plane relays to pages.
type Event struct {
	// Call is set for a call change. PreviousAgentID then names a seat
	// that lost the call by a transfer and must leave the room.
	Call            *Call
	PreviousAgentID string
	// Group is set for a group window change. Left lists the citizens
	// who left or were removed in this change and must leave the room;
	// Invited lists those asked to join.
	Group   *Group
	Left    []conversation.ID
	Invited []conversation.ID
}

// CitizenParticipant is the SFU participant id of a conversation's
// citizen. It stays the same across reloads, so a reload evicts the ghost.
func CitizenParticipant(id conversation.ID) sfu.ParticipantID {
	return sfu.ParticipantID("citizen-" + string(id))
}

// StaffParticipant is the SFU participant id of a staff member.
func StaffParticipant(agentID string) sfu.ParticipantID {
	return sfu.ParticipantID("staff-" + agentID)
}

func enumName(names []string, i int, typ string) string {
	if i < 0 || i >= len(names) {
		return fmt.Sprintf("%s(%d)", typ, i)
	}
	return names[i]
}

func parseEnum(names []string, v, what string) (int, error) {
	for i, n := range names[1:] {
		if n == v {
			return i + 1, nil
		}
	}
	return 0, fmt.Errorf("unknown %s %q", what, v)
}
