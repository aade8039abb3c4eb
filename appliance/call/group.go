package call

import (
	"context"
	"slices"
	"strings"
	"time"

	"wenban/appliance/conversation"
	"wenban/appliance/media/sfu"
)

type activeGroup struct {
	Group
	members map[conversation.ID]*Member
	// record is the window's history, saved at every change.
	record GroupRecord
}

func (g *activeGroup) snapshot() Group {
	out := g.Group
	out.Members = make([]Member, 0, len(g.members))
	for _, mem := range g.members {
		out.Members = append(out.Members, *mem)
	}
	slices.SortFunc(out.Members, func(a, b Member) int {
		if c := a.JoinedAt.Compare(b.JoinedAt); c != 0 {
			return c
		}
		return strings.Compare(string(a.Conversation), string(b.Conversation))
	})
	return out
}

func (m *Manager) groupEventLocked(g *activeGroup, e *effects, left, invited []conversation.ID) {
	g.Version = m.nextVersionLocked()
	snap := g.snapshot()
	e.events = append(e.events, Event{Group: &snap, Left: left, Invited: invited})

	rec := g.record
	rec.Version = g.Version
	rec.Members = slices.Clone(g.record.Members)
	e.records = append(e.records, rec)
}

// OpenGroup opens a group window for a staff member. Citizens join it by
// its link or by an invitation the staff member sends. It stays open until
// the staff member closes it or AgentGone closes it for a departed seat.
func (m *Manager) OpenGroup(ctx context.Context, agent Agent) (Group, error) {
	var e effects
	m.mu.Lock()
	id := GroupID(randomID())
	g := &activeGroup{
		Group: Group{
			ID:       id,
			Room:     sfu.RoomID("group-" + string(id)),
			Agent:    agent,
			OpenedAt: m.opts.Now(),
		},
		members: map[conversation.ID]*Member{},
	}
	if m.opts.Recording {
		g.Recording, g.RecordingNotice = true, m.opts.RecordingNotice
	}
	g.record = GroupRecord{
		ID:        randomID(),
		Agent:     agent,
		OpenedAt:  g.OpenedAt,
		Members:   []MemberRecord{},
		Recording: g.Recording,
	}
	m.groups[id] = g
	m.groupEventLocked(g, &e, nil, nil)
	snap := g.snapshot()
	m.mu.Unlock()

	m.log.Info("group window opened", "group", id, "agent", agent.ID)
	m.apply(ctx, &e)
	return snap, nil
}

// InviteToGroup invites a citizen to the staff member's group window,
// and the citizen's page offers to join. The session plane checks that the
// staff member serves the conversation.
func (m *Manager) InviteToGroup(ctx context.Context, id GroupID, agentID string, conv conversation.ID) (Group, error) {
	var e effects
	m.mu.Lock()
	g, err := m.ownGroupLocked(id, agentID)
	if err != nil {
		m.mu.Unlock()
		return Group{}, err
	}
	m.groupEventLocked(g, &e, nil, []conversation.ID{conv})
	snap := g.snapshot()
	m.mu.Unlock()

	m.apply(ctx, &e)
	return snap, nil
}

// JoinGroup adds a citizen to a group window with the microphone gated.
func (m *Manager) JoinGroup(ctx context.Context, id GroupID, conv conversation.ID) (Group, error) {
	var e effects
	m.mu.Lock()
	g := m.groups[id]
	switch {
	case g == nil:
		m.mu.Unlock()
		return Group{}, ErrGroupNotFound
	case g.members[conv] != nil:
		snap := g.snapshot()
		m.mu.Unlock()
		return snap, nil
	case m.calls[conv] != nil:
		m.mu.Unlock()
		return Group{}, ErrBusy
	case len(g.members) >= m.opts.MaxGroupMembers:
		m.mu.Unlock()
		return Group{}, ErrGroupFull
	}
	if other, ok := m.memberOf[conv]; ok {
		m.leaveGroupLocked(m.groups[other], conv, &e, false)
	}
	g.members[conv] = &Member{Conversation: conv, JoinedAt: m.opts.Now()}
	g.record.Members = append(g.record.Members, MemberRecord{Conversation: conv, JoinedAt: g.members[conv].JoinedAt})
	m.memberOf[conv] = id
	if m.opts.Recording && len(g.members) == 1 {
		room := g.Room
		e.media = append(e.media, func() error { return m.opts.Media.SetRecording(room, true) })
	}
	e.line(conv, groupJoinLine(g))
	if m.opts.Recording {
		e.line(conv, m.opts.RecordingNotice)
	}
	m.groupEventLocked(g, &e, nil, nil)
	snap := g.snapshot()
	m.mu.Unlock()

	m.log.Info("citizen joined group window", "group", id, "conversation", conv)
	m.apply(ctx, &e)
	return snap, nil
}

// LeaveGroup takes a citizen out of a group window, at the citizen's
// request or, with agentID set, removed by the staff member.
func (m *Manager) LeaveGroup(ctx context.Context, id GroupID, agentID string, conv conversation.ID) (Group, error) {
	var e effects
	m.mu.Lock()
	g, err := m.memberGroupLocked(id, agentID, conv)
	if err != nil {
		m.mu.Unlock()
		return Group{}, err
	}
	m.leaveGroupLocked(g, conv, &e, false)
	snap := g.snapshot()
	m.mu.Unlock()

	m.apply(ctx, &e)
	return snap, nil
}

func (m *Manager) leaveGroupLocked(g *activeGroup, conv conversation.ID, e *effects, closed bool) {
	mem := g.members[conv]
	if mem == nil {
		return
	}
	delete(g.members, conv)
	delete(m.memberOf, conv)
	g.record.memberLeft(conv, m.opts.Now())
	e.line(conv, groupLeaveLine(g, m.opts.Now().Sub(mem.JoinedAt), closed))
	if !closed {
		m.groupEventLocked(g, e, []conversation.ID{conv}, nil)
	}
}

// AllowSpeak opens (allowed true) or gates a citizen's microphone in the
// staff member's group window, at the SFU and on the citizen's page.
func (m *Manager) AllowSpeak(ctx context.Context, id GroupID, agentID string, conv conversation.ID, allowed bool) (Group, error) {
	var e effects
	m.mu.Lock()
	g, err := m.ownGroupLocked(id, agentID)
	if err != nil {
		m.mu.Unlock()
		return Group{}, err
	}
	mem := g.members[conv]
	if mem == nil {
		m.mu.Unlock()
		return Group{}, ErrNotMember
	}
	if mem.Speaking != allowed {
		mem.Speaking = allowed
		room, p := g.Room, CitizenParticipant(conv)
		e.media = append(e.media, func() error { return m.opts.Media.SetSpeaking(room, p, allowed) })
		e.line(conv, speakLine(allowed))
	}
	m.groupEventLocked(g, &e, nil, nil)
	snap := g.snapshot()
	m.mu.Unlock()

	m.apply(ctx, &e)
	return snap, nil
}

// CloseGroup closes a group window: every citizen leaves and the room
// closes.
func (m *Manager) CloseGroup(ctx context.Context, id GroupID, agentID string) (Group, error) {
	var e effects
	m.mu.Lock()
	g, err := m.ownGroupLocked(id, agentID)
	if err != nil {
		m.mu.Unlock()
		return Group{}, err
	}
	snap := m.closeGroupLocked(g, &e)
	m.mu.Unlock()

	m.apply(ctx, &e)
	return snap, nil
}

// closeGroupLocked takes every citizen out of the window, removes it and
// queues its last snapshot and the closing of its room.
func (m *Manager) closeGroupLocked(g *activeGroup, e *effects) Group {
	left := make([]conversation.ID, 0, len(g.members))
	for conv := range g.members {
		left = append(left, conv)
		m.leaveGroupLocked(g, conv, e, true)
	}
	delete(m.groups, g.ID)
	g.Closed = true
	g.record.ClosedAt = m.opts.Now()
	g.record.SeatGone = g.SeatGone
	m.groupEventLocked(g, e, left, nil)
	room := g.Room
	e.media = append(e.media, func() error { return m.opts.Media.CloseRoom(room) })
	m.log.Info("group window closed", "group", g.ID, "agent", g.Agent.ID, "citizens", len(left), "seat_gone", g.SeatGone)
	return g.snapshot()
}

// GroupOf returns a group window.
func (m *Manager) GroupOf(id GroupID) (Group, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	g := m.groups[id]
	if g == nil {
		return Group{}, false
	}
	return g.snapshot(), true
}

// GroupsOf returns the group windows a staff member has open.
func (m *Manager) GroupsOf(agentID string) []Group {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Group
	for _, g := range m.groups {
		if g.Agent.ID == agentID {
			out = append(out, g.snapshot())
		}
	}
	return out
}

// MemberGroup returns the group window a citizen is in.
func (m *Manager) MemberGroup(conv conversation.ID) (Group, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id, ok := m.memberOf[conv]
	if !ok {
		return Group{}, false
	}
	return m.groups[id].snapshot(), true
}

func (m *Manager) ownGroupLocked(id GroupID, agentID string) (*activeGroup, error) {
	g := m.groups[id]
	if g == nil {
		return nil, ErrGroupNotFound
	}
	if g.Agent.ID != agentID {
		return nil, ErrNotParty
	}
	return g, nil
}

func (m *Manager) memberGroupLocked(id GroupID, agentID string, conv conversation.ID) (*activeGroup, error) {
	g := m.groups[id]
	if g == nil {
		return nil, ErrGroupNotFound
	}
	if agentID != "" && g.Agent.ID != agentID {
		return nil, ErrNotParty
	}
	if g.members[conv] == nil {
		return nil, ErrNotMember
	}
	return g, nil
}

// memberLeft stamps the citizen's open stay with its end.
func (r *GroupRecord) memberLeft(conv conversation.ID, at time.Time) {
	for i := len(r.Members) - 1; i >= 0; i-- {
		if r.Members[i].Conversation == conv && r.Members[i].LeftAt.IsZero() {
			r.Members[i].LeftAt = at
			return
		}
	}
}

// RecordingFolder returns the id the recorder files a room's recordings
// under: the conversation of a call, the record's folder for a group
// window, or "" for a room the manager does not know.
func (m *Manager) RecordingFolder(room sfu.RoomID) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if conv, ok := m.rooms[room]; ok {
		return string(conv)
	}
	if g := m.groupByRoomLocked(room); g != nil {
		return g.record.RecordingFolder()
	}
	return ""
}
