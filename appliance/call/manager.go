package call

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"time"

	"wenban/appliance/conversation"
	"wenban/appliance/media/sfu"
)

// Media is the part of the SFU the manager drives. *sfu.SFU implements it.
type Media interface {
	SetHold(room sfu.RoomID, on bool) error
	SetSpeaking(room sfu.RoomID, id sfu.ParticipantID, allowed bool) error
	SetRecording(room sfu.RoomID, on bool) error
	CloseRoom(room sfu.RoomID) error
}

// Lines appends system lines to transcripts.
// *conversation.Service implements it.
type Lines interface {
	AppendSystemLine(ctx context.Context, id conversation.ID, text string) (conversation.Message, error)
}

// Options configure a Manager.
type Options struct {
	// Media is the SFU. Required.
	Media Media
	// Lines receives the system line of every call event. Required.
	Lines Lines
	// Notify receives every change, after the manager's lock is released.
	// Nil drops them.
	Notify func(Event)
	// RingTimeout is how long a call rings before it falls back to chat.
	// Zero means DefaultRingTimeout.
	RingTimeout time.Duration
	// Recording records every call and group window through the SFU's
	// Recorder; RecordingNotice is the text citizens see first.
	Recording       bool
	RecordingNotice string
	// MaxGroupMembers caps the citizens of one group window. Zero means
	// DefaultMaxGroupMembers.
	MaxGroupMembers int
	// Records stores a record of every group window at each change. Nil
	// keeps none.
	Records GroupRecords
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
	// AfterFunc runs f after d and returns a function that cancels it, as
	// time.AfterFunc does. Tests pass a fake clock. Nil means time.AfterFunc.
	AfterFunc func(d time.Duration, f func()) (stop func() bool)
	// Logger receives lifecycle and error logs. Nil means slog.Default().
	Logger *slog.Logger
}

// Defaults of Options.
const (
	DefaultRingTimeout     = 45 * time.Second
	DefaultMaxGroupMembers = 12
)

// Manager holds the calls of all conversations and the group windows.
// Its methods are safe for concurrent use.
type Manager struct {
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	version uint64
	calls   map[conversation.ID]*activeCall
	rooms   map[sfu.RoomID]conversation.ID
	groups  map[GroupID]*activeGroup
	// memberOf maps a citizen in a group window to that window.
	memberOf map[conversation.ID]GroupID
}

type activeCall struct {
	Call
	stopRing func() bool
}

// New builds a manager.
func New(opts Options) *Manager {
	if opts.RingTimeout <= 0 {
		opts.RingTimeout = DefaultRingTimeout
	}
	if opts.MaxGroupMembers <= 0 {
		opts.MaxGroupMembers = DefaultMaxGroupMembers
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.AfterFunc == nil {
		opts.AfterFunc = func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Manager{
		opts:     opts,
		log:      opts.Logger,
		calls:    map[conversation.ID]*activeCall{},
		rooms:    map[sfu.RoomID]conversation.ID{},
		groups:   map[GroupID]*activeGroup{},
		memberOf: map[conversation.ID]GroupID{},
	}
}

// effects are the side effects of one state change. They run after the
// lock is released, because system lines publish to the session plane,
// which may call back into the manager.
type effects struct {
	media   []func() error
	lines   []line
	events  []Event
	records []GroupRecord
}

type line struct {
	conv conversation.ID
	text string
}

func (e *effects) line(id conversation.ID, text string) {
	e.lines = append(e.lines, line{conv: id, text: text})
}

func (m *Manager) apply(ctx context.Context, e *effects) {
	for _, f := range e.media {
		// A room exists only while someone is in it; Joined applies the
		// state again when the first page arrives.
		if err := f(); err != nil && !errors.Is(err, sfu.ErrRoomNotFound) && !errors.Is(err, sfu.ErrParticipantNotFound) {
			m.log.Warn("applying call state to the SFU", "err", err)
		}
	}
	// Pages hear of the change before its line is stored, because the
	// line waits for a database commit.
	if m.opts.Notify != nil {
		for _, ev := range e.events {
			m.opts.Notify(ev)
		}
	}
	for _, l := range e.lines {
		if _, err := m.opts.Lines.AppendSystemLine(ctx, l.conv, l.text); err != nil {
			m.log.Warn("writing call line", "conversation", l.conv, "err", err)
		}
	}
	if m.opts.Records == nil {
		return
	}
	for _, rec := range e.records {
		if err := m.opts.Records.SaveGroup(ctx, rec); err != nil {
			m.log.Warn("saving group window record", "record", rec.ID, "err", err)
		}
	}
}

func (m *Manager) nextVersionLocked() uint64 {
	m.version++
	return m.version
}

// snapshotLocked stamps the call with a new version and queues its event.
func (m *Manager) snapshotLocked(c *activeCall, e *effects, previousAgent string) {
	c.Version = m.nextVersionLocked()
	snap := c.Call
	e.events = append(e.events, Event{Call: &snap, PreviousAgentID: previousAgent})
}

// Invite starts a call in a conversation that agent serves. from is the
// caller; the other side's page rings until it accepts or declines, or
// the ring timeout ends the call.
func (m *Manager) Invite(ctx context.Context, id conversation.ID, agent Agent, from Party, kind Kind) (Call, error) {
	if kind != KindVoice && kind != KindVideo {
		return Call{}, ErrWrongState
	}
	if from != PartyCitizen && from != PartyStaff {
		return Call{}, ErrNotParty
	}

	var e effects
	m.mu.Lock()
	if m.calls[id] != nil {
		m.mu.Unlock()
		return Call{}, ErrBusy
	}
	if _, ok := m.memberOf[id]; ok {
		m.mu.Unlock()
		return Call{}, ErrBusy
	}
	callID := ID(randomID())
	c := &activeCall{Call: Call{
		ID:           callID,
		Conversation: id,
		Room:         sfu.RoomID("call-" + string(callID)),
		Kind:         kind,
		State:        StateRinging,
		Caller:       from,
		Agent:        agent,
		InvitedAt:    m.opts.Now(),
	}}
	if m.opts.Recording {
		c.Recording = true
		c.RecordingNotice = m.opts.RecordingNotice
	}
	m.calls[id] = c
	m.rooms[c.Room] = id
	c.stopRing = m.opts.AfterFunc(m.opts.RingTimeout, func() { m.ringTimedOut(id, callID) })
	e.line(id, inviteLine(c.Call))
	m.snapshotLocked(c, &e, "")
	snap := c.Call
	m.mu.Unlock()

	m.log.Info("call invited", "conversation", id, "call", callID, "kind", kind, "caller", from)
	m.apply(ctx, &e)
	return snap, nil
}

func (m *Manager) ringTimedOut(id conversation.ID, callID ID) {
	var e effects
	m.mu.Lock()
	c := m.calls[id]
	if c == nil || c.ID != callID || c.State != StateRinging {
		m.mu.Unlock()
		return
	}
	m.endLocked(c, ReasonTimeout, PartyUnknown, &e)
	m.mu.Unlock()

	m.log.Info("call ring timed out", "conversation", id, "call", callID)
	m.apply(context.Background(), &e)
}

// Accept connects a ringing call; only the callee may accept.
func (m *Manager) Accept(ctx context.Context, id conversation.ID, by Party) (Call, error) {
	return m.change(ctx, id, func(c *activeCall, e *effects) error {
		if c.State != StateRinging {
			return ErrWrongState
		}
		if by != c.Caller.other() {
			return ErrNotParty
		}
		c.stopRing()
		c.State = StateLive
		c.AnsweredAt = m.opts.Now()
		if c.Recording {
			room := c.Room
			e.media = append(e.media, func() error { return m.opts.Media.SetRecording(room, true) })
		}
		e.line(id, acceptLine(c.Call))
		return nil
	})
}

// Decline rejects a ringing call; only the callee may decline.
func (m *Manager) Decline(ctx context.Context, id conversation.ID, by Party) (Call, error) {
	return m.change(ctx, id, func(c *activeCall, e *effects) error {
		if c.State != StateRinging {
			return ErrWrongState
		}
		if by != c.Caller.other() {
			return ErrNotParty
		}
		m.endLocked(c, ReasonDeclined, by, e)
		return nil
	})
}

// Hangup ends the call from either side. A caller hanging up a ringing
// call cancels it; a callee doing so declines it.
func (m *Manager) Hangup(ctx context.Context, id conversation.ID, by Party) (Call, error) {
	return m.change(ctx, id, func(c *activeCall, e *effects) error {
		if by != PartyCitizen && by != PartyStaff {
			return ErrNotParty
		}
		reason := ReasonHangup
		if c.State == StateRinging {
			reason = ReasonCancelled
			if by != c.Caller {
				reason = ReasonDeclined
			}
		}
		m.endLocked(c, reason, by, e)
		return nil
	})
}

// SetMuted switches one side's microphone; the other side's page shows it.
func (m *Manager) SetMuted(ctx context.Context, id conversation.ID, by Party, muted bool) (Call, error) {
	return m.change(ctx, id, func(c *activeCall, _ *effects) error {
		side, err := c.side(by)
		if err != nil {
			return err
		}
		side.Muted = muted
		return nil
	})
}

// SetCameraOff switches one side's camera; the other side's page shows it.
func (m *Manager) SetCameraOff(ctx context.Context, id conversation.ID, by Party, off bool) (Call, error) {
	return m.change(ctx, id, func(c *activeCall, _ *effects) error {
		side, err := c.side(by)
		if err != nil {
			return err
		}
		side.CameraOff = off
		return nil
	})
}

func (c *activeCall) side(p Party) (*Side, error) {
	switch p {
	case PartyCitizen:
		return &c.Citizen, nil
	case PartyStaff:
		return &c.Staff, nil
	}
	return nil, ErrNotParty
}

// Hold stops media both ways (on true) or restores it. Only the seat
// serving the call may hold it; the citizen's page plays a hold tone.
func (m *Manager) Hold(ctx context.Context, id conversation.ID, agentID string, on bool) (Call, error) {
	return m.change(ctx, id, func(c *activeCall, e *effects) error {
		if c.Agent.ID != agentID {
			return ErrNotParty
		}
		switch {
		case on && c.State == StateLive:
			c.State = StateHeld
		case !on && c.State == StateHeld:
			c.State = StateLive
		default:
			return ErrWrongState
		}
		room := c.Room
		e.media = append(e.media, func() error { return m.opts.Media.SetHold(room, on) })
		e.line(id, holdLine(on))
		return nil
	})
}

// Transfer moves the call with its conversation to another seat, in the
// state it is in, so a held call stays held until the new seat resumes
// it. The conversation service must have transferred the conversation
// first. The previous seat's page gets a last snapshot naming the new
// seat and leaves the room.
func (m *Manager) Transfer(ctx context.Context, id conversation.ID, to Agent) (Call, error) {
	var (
		e    effects
		snap Call
	)
	m.mu.Lock()
	c := m.calls[id]
	if c == nil {
		m.mu.Unlock()
		return Call{}, ErrNoCall
	}
	prev := c.Agent
	if prev.ID == to.ID {
		snap = c.Call
		m.mu.Unlock()
		return snap, nil
	}
	c.Agent = to
	c.Staff = Side{}
	e.line(id, transferLine(prev, to))
	m.snapshotLocked(c, &e, prev.ID)
	snap = c.Call
	m.mu.Unlock()

	m.log.Info("call transferred", "conversation", id, "call", snap.ID, "from", prev.ID, "to", to.ID)
	m.apply(ctx, &e)
	return snap, nil
}

// Current returns the conversation's call in progress.
func (m *Manager) Current(id conversation.ID) (Call, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.calls[id]
	if c == nil {
		return Call{}, false
	}
	return c.Call, true
}

// ForAgent returns the calls in progress that an agent serves, so a
// reconnected seat page can show them again.
func (m *Manager) ForAgent(agentID string) []Call {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Call
	for _, c := range m.calls {
		if c.Agent.ID == agentID {
			out = append(out, c.Call)
		}
	}
	return out
}

// change runs f on the conversation's call under the lock, publishes the
// new snapshot and applies the effects.
func (m *Manager) change(ctx context.Context, id conversation.ID, f func(*activeCall, *effects) error) (Call, error) {
	var e effects
	m.mu.Lock()
	c := m.calls[id]
	if c == nil {
		m.mu.Unlock()
		return Call{}, ErrNoCall
	}
	if err := f(c, &e); err != nil {
		snap := c.Call
		m.mu.Unlock()
		return snap, err
	}
	if c.State != StateEnded {
		m.snapshotLocked(c, &e, "")
	}
	snap := c.Call
	m.mu.Unlock()

	m.log.Debug("call changed", "conversation", id, "call", snap.ID, "state", snap.State)
	m.apply(ctx, &e)
	return snap, nil
}

// endLocked ends the call, removes it from the manager and queues its last snapshot, the
// closing of its room and its system line.
func (m *Manager) endLocked(c *activeCall, reason Reason, by Party, e *effects) {
	c.stopRing()
	c.State = StateEnded
	c.Reason = reason
	c.EndedAt = m.opts.Now()
	delete(m.calls, c.Conversation)
	delete(m.rooms, c.Room)

	room := c.Room
	e.media = append(e.media, func() error { return m.opts.Media.CloseRoom(room) })
	e.line(c.Conversation, endLine(c.Call, by))
	m.snapshotLocked(c, e, "")
	m.log.Info("call ended", "conversation", c.Conversation, "call", c.ID, "reason", reason,
		"duration", c.Duration().Round(time.Second))
}

func randomID() string {
	b := make([]byte, 16)
	// The crypto/rand documentation of Go 1.24 and later states that Read
	// never returns an error; it crashes the program when the system fails.
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
