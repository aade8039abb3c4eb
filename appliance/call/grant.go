package call

import (
	"context"
	"strings"

	"wenban/appliance/conversation"
	"wenban/appliance/media/sfu"
)

// Peer is a page requesting to join an SFU room: a conversation's
// citizen (Conversation set) or a staff member (AgentID set).
type Peer struct {
	Conversation conversation.ID
	AgentID      string
}

// Grant is the set of rights a peer has in a room.
type Grant struct {
	Participant sfu.ParticipantID
	CanPublish  bool
	// Speaking is false for a citizen of a group window whose microphone
	// staff have not opened. The session plane then gates the participant
	// at the SFU right after Join.
	Speaking bool
}

// Authorize returns the peer's grant for a room, or ErrNoRoom when the
// room is not the peer's. A seat joins only the calls it serves and its
// own group windows. A citizen joins only its conversation's call and
// the window it is in.
func (m *Manager) Authorize(room sfu.RoomID, p Peer) (Grant, error) {
	m.mu.Lock()
	defer m.mu.Unlock()

	if conv, ok := m.rooms[room]; ok {
		c := m.calls[conv]
		if c == nil || c.State == StateRinging {
			return Grant{}, ErrNoRoom
		}
		switch {
		case p.AgentID != "" && p.AgentID == c.Agent.ID:
			return Grant{Participant: StaffParticipant(p.AgentID), CanPublish: true, Speaking: true}, nil
		case p.AgentID == "" && p.Conversation == conv:
			return Grant{Participant: CitizenParticipant(conv), CanPublish: true, Speaking: true}, nil
		}
		return Grant{}, ErrNoRoom
	}

	g := m.groupByRoomLocked(room)
	if g == nil {
		return Grant{}, ErrNoRoom
	}
	if p.AgentID != "" {
		if p.AgentID != g.Agent.ID {
			return Grant{}, ErrNoRoom
		}
		return Grant{Participant: StaffParticipant(p.AgentID), CanPublish: true, Speaking: true}, nil
	}
	mem := g.members[p.Conversation]
	if mem == nil {
		return Grant{}, ErrNoRoom
	}
	return Grant{Participant: CitizenParticipant(p.Conversation), CanPublish: true, Speaking: mem.Speaking}, nil
}

func (m *Manager) groupByRoomLocked(room sfu.RoomID) *activeGroup {
	id, ok := strings.CutPrefix(string(room), "group-")
	if !ok {
		return nil
	}
	return m.groups[GroupID(id)]
}

// Joined applies a room's call state to the SFU again after a page joined
// it. The SFU creates a room at its first Join and deletes it when the
// last participant leaves, so hold, recording and the speaking gates set
// earlier may be gone.
func (m *Manager) Joined(ctx context.Context, room sfu.RoomID) {
	var e effects
	media := m.opts.Media
	m.mu.Lock()
	if conv, ok := m.rooms[room]; ok {
		c := m.calls[conv]
		if c != nil && c.State == StateHeld {
			e.media = append(e.media, func() error { return media.SetHold(room, true) })
		}
		if c != nil && c.Recording {
			e.media = append(e.media, func() error { return media.SetRecording(room, true) })
		}
	}
	if g := m.groupByRoomLocked(room); g != nil {
		for conv, mem := range g.members {
			p, allowed := CitizenParticipant(conv), mem.Speaking
			e.media = append(e.media, func() error { return media.SetSpeaking(room, p, allowed) })
		}
		if m.opts.Recording && len(g.members) > 0 {
			e.media = append(e.media, func() error { return media.SetRecording(room, true) })
		}
	}
	m.mu.Unlock()
	m.apply(ctx, &e)
}

// RoomConversation returns the conversation whose call uses room, or ""
// for a group window's room or a room without a call. The recorder files
// a call's recording under it.
func (m *Manager) RoomConversation(room sfu.RoomID) conversation.ID {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rooms[room]
}
