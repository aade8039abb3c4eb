package call

import (
	"context"

	"wenban/appliance/conversation"
)

// This file ends the calls and group windows whose conversation or staff
// seat went away, as opposed to those either side ends by a command.

// EndWithConversation ends the conversation's call, if any, because the
// conversation is about to close or return to the queue, and writes the
// ended line. The session plane calls it while the conversation is still
// open, since a closed conversation takes no more lines.
func (m *Manager) EndWithConversation(ctx context.Context, id conversation.ID) {
	var e effects
	m.mu.Lock()
	if c := m.calls[id]; c != nil {
		m.endLocked(c, ReasonClosed, PartyUnknown, &e)
	}
	m.mu.Unlock()
	m.apply(ctx, &e)
}

// AgentGone ends the calls and closes the group windows of a staff member
// whose seat pages were gone for the hub's absence timeout. Each citizen
// gets the last snapshot and a system line. The session plane calls it
// before it returns the seat's conversations to the queue.
func (m *Manager) AgentGone(ctx context.Context, agentID string) {
	var e effects
	m.mu.Lock()
	for _, c := range m.calls {
		if c.Agent.ID == agentID {
			m.endLocked(c, ReasonSeatGone, PartyUnknown, &e)
		}
	}
	closed := 0
	for _, g := range m.groups {
		if g.Agent.ID == agentID {
			g.SeatGone = true
			m.closeGroupLocked(g, &e)
			closed++
		}
	}
	m.mu.Unlock()

	if closed > 0 {
		m.log.Info("group windows of a departed seat closed", "agent", agentID, "count", closed)
	}
	m.apply(ctx, &e)
}

// ConversationClosed ends the conversation's call without a line and
// takes its citizen out of any group window. The session plane calls it
// once the conversation has closed.
func (m *Manager) ConversationClosed(ctx context.Context, id conversation.ID) {
	var e effects
	m.mu.Lock()
	if c := m.calls[id]; c != nil {
		m.endLocked(c, ReasonClosed, PartyUnknown, &e)
		// The conversation is closed, so its transcript takes no lines.
		e.lines = nil
	}
	if gid, ok := m.memberOf[id]; ok {
		m.leaveGroupLocked(m.groups[gid], id, &e, false)
	}
	m.mu.Unlock()
	m.apply(ctx, &e)
}
