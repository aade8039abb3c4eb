package call

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"wenban/appliance/conversation"
	"wenban/appliance/media/sfu"
)

// fakeMedia records the manager's requests to the SFU.
type fakeMedia struct {
	mu        sync.Mutex
	hold      map[sfu.RoomID]bool
	speaking  map[sfu.ParticipantID]bool
	recording map[sfu.RoomID]bool
	closed    []sfu.RoomID
}

func newFakeMedia() *fakeMedia {
	return &fakeMedia{
		hold:      map[sfu.RoomID]bool{},
		speaking:  map[sfu.ParticipantID]bool{},
		recording: map[sfu.RoomID]bool{},
	}
}

func (f *fakeMedia) SetHold(room sfu.RoomID, on bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hold[room] = on
	return nil
}

func (f *fakeMedia) SetSpeaking(_ sfu.RoomID, id sfu.ParticipantID, allowed bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.speaking[id] = allowed
	return nil
}

func (f *fakeMedia) SetRecording(room sfu.RoomID, on bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recording[room] = on
	return nil
}

func (f *fakeMedia) CloseRoom(room sfu.RoomID) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = append(f.closed, room)
	return nil
}

func (f *fakeMedia) held(room sfu.RoomID) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hold[room]
}

func (f *fakeMedia) speaks(id sfu.ParticipantID) (allowed, set bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	allowed, set = f.speaking[id]
	return allowed, set
}

func (f *fakeMedia) wasClosed(room sfu.RoomID) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.closed {
		if r == room {
			return true
		}
	}
	return false
}

// fakeLines keeps the system lines by conversation.
type fakeLines struct {
	mu    sync.Mutex
	lines map[conversation.ID][]string
}

func (f *fakeLines) AppendSystemLine(_ context.Context, id conversation.ID, text string) (conversation.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lines == nil {
		f.lines = map[conversation.ID][]string{}
	}
	f.lines[id] = append(f.lines[id], text)
	return conversation.Message{ConversationID: id, Text: text}, nil
}

func (f *fakeLines) last(id conversation.ID) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.lines[id]
	if len(l) == 0 {
		return ""
	}
	return l[len(l)-1]
}

// fakeClock runs timers only when the test advances it.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at      time.Time
	f       func()
	stopped bool
	fired   bool
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !t.stopped && !t.fired
		t.stopped = true
		return was
	}
}

// Advance moves the clock and runs the timers that fall due, outside the
// clock's lock as time.AfterFunc would.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []func()
	for _, t := range c.timers {
		if !t.stopped && !t.fired && !t.at.After(c.now) {
			t.fired = true
			due = append(due, t.f)
		}
	}
	c.mu.Unlock()
	for _, f := range due {
		f()
	}
}

// events collects what the manager notifies.
type events struct {
	mu   sync.Mutex
	list []Event
}

func (e *events) add(ev Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, ev)
}

func (e *events) lastCall() *Call {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := len(e.list) - 1; i >= 0; i-- {
		if e.list[i].Call != nil {
			return e.list[i].Call
		}
	}
	return nil
}

func (e *events) lastEvent() Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.list) == 0 {
		return Event{}
	}
	return e.list[len(e.list)-1]
}

type rig struct {
	m      *Manager
	media  *fakeMedia
	lines  *fakeLines
	clock  *fakeClock
	events *events
}

func newRig(t *testing.T, edit func(*Options)) *rig {
	t.Helper()
	r := &rig{
		media:  newFakeMedia(),
		lines:  &fakeLines{},
		clock:  &fakeClock{now: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)},
		events: &events{},
	}
	opts := Options{
		Media:           r.media,
		Lines:           r.lines,
		Notify:          r.events.add,
		RingTimeout:     30 * time.Second,
		RecordingNotice: "本次通话将录音录像。",
		Now:             r.clock.Now,
		AfterFunc:       r.clock.AfterFunc,
	}
	if edit != nil {
		edit(&opts)
	}
	r.m = New(opts)
	return r
}

var (
	zhang = Agent{ID: "a1", Name: "张三"}
	li    = Agent{ID: "a2", Name: "李四"}
)

// invite starts a call and fails the test on error.
func (r *rig) invite(t *testing.T, id conversation.ID, from Party, kind Kind) Call {
	t.Helper()
	c, err := r.m.Invite(context.Background(), id, zhang, from, kind)
	if err != nil {
		t.Fatalf("Invite(%s): %v", id, err)
	}
	return c
}

func (r *rig) live(t *testing.T, id conversation.ID) Call {
	t.Helper()
	r.invite(t, id, PartyCitizen, KindVideo)
	c, err := r.m.Accept(context.Background(), id, PartyStaff)
	if err != nil {
		t.Fatalf("Accept(%s): %v", id, err)
	}
	return c
}

func wantContains(t *testing.T, what, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Errorf("%s: got %q, want it to contain %q", what, got, want)
	}
}

func convID(i int) conversation.ID { return conversation.ID(fmt.Sprintf("conv-%d", i)) }
