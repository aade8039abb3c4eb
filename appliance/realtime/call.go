package realtime

import (
	"context"
	"strings"

	"golang.org/x/time/rate"

	"wenban/appliance/call"
	"wenban/appliance/conversation"
	"wenban/appliance/media/sfu"
)

// Call commands write system lines, so one page may send a few a second
// at most. Toggling mute or camera in a burst stays within the limit.
const (
	callRate  = 2
	callBurst = 8
)

func newCallLimiter() *rate.Limiter { return rate.NewLimiter(callRate, callBurst) }

func isCallCommand(typ string) bool {
	return strings.HasPrefix(typ, "call.") || strings.HasPrefix(typ, "group.")
}

func (f inFrame) callArgs() callCommand {
	if f.Call == nil {
		return callCommand{}
	}
	return *f.Call
}

// citizenCallCommand runs a citizen page's call or group command.
func (h *Hub) citizenCallCommand(ctx context.Context, c *conn, id conversation.ID, f inFrame, limit *rate.Limiter) error {
	calls := h.opts.Calls
	if calls == nil {
		return errNoCalls
	}
	// Signalling sends bursts of ICE candidates, and writes no lines.
	if strings.HasPrefix(f.Type, "call.media.") {
		return h.callMediaCommand(ctx, c, id, "", f)
	}
	if !limit.Allow() {
		return errTooFast
	}
	args := f.callArgs()
	var err error
	switch f.Type {
	case "call.invite":
		var kind call.Kind
		if kind, err = call.ParseKind(args.Kind); err != nil {
			return errUnknownCommand
		}
		conv, ok := h.serving(ctx, id, "")
		if !ok {
			return errCallNotServed
		}
		_, err = calls.Invite(ctx, id, call.Agent{ID: conv.AgentID, Name: conv.AgentName}, call.PartyCitizen, kind)
	case "call.accept", "call.decline", "call.hangup", "call.mute", "call.camera_off":
		err = partyCallCommand(ctx, calls, id, call.PartyCitizen, f.Type, args)
	case "group.join":
		_, err = calls.JoinGroup(ctx, args.Group, id)
	case "group.leave":
		_, err = calls.LeaveGroup(ctx, args.Group, "", id)
	default:
		return errUnknownCommand
	}
	return err
}

// notServingError returns ErrClosed for an ended conversation and
// ErrNotOwner otherwise, so staff read "该会话已结束" and not "不由您负责".
func (h *Hub) notServingError(ctx context.Context, id conversation.ID) error {
	c, err := h.opts.Conversations.Get(ctx, id)
	if err == nil && c.State == conversation.StateClosed {
		return conversation.ErrClosed
	}
	return conversation.ErrNotOwner
}

// seatCallCommand runs a seat page's call or group command. Commands on
// a conversation's call need the seat to serve that conversation.
func (h *Hub) seatCallCommand(ctx context.Context, c *conn, agent conversation.Agent, f inFrame) error {
	calls := h.opts.Calls
	if calls == nil {
		return errNoCalls
	}
	if strings.HasPrefix(f.Type, "call.media.") {
		return h.callMediaCommand(ctx, c, "", agent.ID, f)
	}
	if strings.HasPrefix(f.Type, "group.") {
		return h.seatGroupCommand(ctx, calls, agent, f)
	}
	if _, ok := h.serving(ctx, f.ConversationID, agent.ID); !ok {
		return h.notServingError(ctx, f.ConversationID)
	}

	id, args := f.ConversationID, f.callArgs()
	var err error
	switch f.Type {
	case "call.invite":
		var kind call.Kind
		if kind, err = call.ParseKind(args.Kind); err != nil {
			return errUnknownCommand
		}
		_, err = calls.Invite(ctx, id, call.Agent{ID: agent.ID, Name: agent.Name}, call.PartyStaff, kind)
	case "call.accept", "call.decline", "call.hangup", "call.mute", "call.camera_off":
		err = partyCallCommand(ctx, calls, id, call.PartyStaff, f.Type, args)
	case "call.hold":
		_, err = calls.Hold(ctx, id, agent.ID, args.On)
	default:
		return errUnknownCommand
	}
	return err
}

// partyCallCommand runs a call command that either side may send, on
// behalf of party.
func partyCallCommand(ctx context.Context, calls *call.Manager, id conversation.ID, party call.Party, command string, args callCommand) error {
	var err error
	switch command {
	case "call.accept":
		_, err = calls.Accept(ctx, id, party)
	case "call.decline":
		_, err = calls.Decline(ctx, id, party)
	case "call.hangup":
		_, err = calls.Hangup(ctx, id, party)
	case "call.mute":
		_, err = calls.SetMuted(ctx, id, party, args.On)
	case "call.camera_off":
		_, err = calls.SetCameraOff(ctx, id, party, args.On)
	default:
		err = errUnknownCommand
	}
	return err
}

func (h *Hub) seatGroupCommand(ctx context.Context, calls *call.Manager, agent conversation.Agent, f inFrame) error {
	args := f.callArgs()
	var err error
	switch f.Type {
	case "group.open":
		_, err = calls.OpenGroup(ctx, call.Agent{ID: agent.ID, Name: agent.Name})
	case "group.invite":
		if _, ok := h.serving(ctx, f.ConversationID, agent.ID); !ok {
			return conversation.ErrNotOwner
		}
		_, err = calls.InviteToGroup(ctx, args.Group, agent.ID, f.ConversationID)
	case "group.speak":
		_, err = calls.AllowSpeak(ctx, args.Group, agent.ID, f.ConversationID, args.On)
	case "group.remove":
		_, err = calls.LeaveGroup(ctx, args.Group, agent.ID, f.ConversationID)
	case "group.close":
		_, err = calls.CloseGroup(ctx, args.Group, agent.ID)
	default:
		return errUnknownCommand
	}
	return err
}

// SetCalls installs the call manager. Call it before serving; the
// manager's Notify is usually this hub's CallEvent, so the two are built
// one after the other.
func (h *Hub) SetCalls(m *call.Manager) { h.opts.Calls = m }

// CallEvent relays a call or group window change to the pages concerned.
// The call manager's Notify calls it.
func (h *Hub) CallEvent(ev call.Event) {
	if c := ev.Call; c != nil {
		h.sendCitizen(c.Conversation, outFrame{Type: frameCall, ConversationID: c.Conversation, Call: citizenCallView(*c)})
		seat := outFrame{Type: frameCall, ConversationID: c.Conversation, Call: c}
		h.sendAgent(c.Agent.ID, seat)
		if ev.PreviousAgentID != "" && ev.PreviousAgentID != c.Agent.ID {
			h.sendAgent(ev.PreviousAgentID, seat)
		}
	}
	if g := ev.Group; g != nil {
		h.sendAgent(g.Agent.ID, outFrame{Type: frameGroup, Group: g})
		for _, m := range g.Members {
			h.sendCitizen(m.Conversation, outFrame{Type: frameGroup, Group: citizenGroupOf(*g, m.Conversation)})
		}
		for _, id := range ev.Left {
			h.sendCitizen(id, outFrame{Type: frameGroup, Group: citizenGroupOf(*g, id)})
		}
		for _, id := range ev.Invited {
			h.sendCitizen(id, outFrame{Type: frameGroupInvite, Group: citizenGroupOf(*g, id)})
		}
	}
}

// callsOnConversation keeps calls in step with their conversation: a call
// moves with a transfer and ends when the conversation leaves its seat.
func (h *Hub) callsOnConversation(ev conversation.Event) {
	calls := h.opts.Calls
	if calls == nil {
		return
	}
	ctx := context.Background()
	c := ev.Conversation
	switch ev.Kind {
	case conversation.EventTransferred:
		if _, ok := calls.Current(c.ID); ok {
			if _, err := calls.Transfer(ctx, c.ID, call.Agent{ID: c.AgentID, Name: c.AgentName}); err != nil {
				h.log.Warn("moving call with its conversation", "conversation", c.ID, "err", err)
			}
		}
	case conversation.EventClosed:
		calls.ConversationClosed(ctx, c.ID)
	case conversation.EventQueued:
		// Back in the queue, the citizen has no seat to talk to, but may
		// stay in a group window, which belongs to its staff member. The
		// queued conversation still takes the call's ended line.
		calls.EndWithConversation(ctx, c.ID)
	}
}

// endCallBeforeClose ends a conversation's call with its ended line just
// before the conversation closes, because a closed conversation takes no
// more lines. A seat (agentID set) ends only a conversation it serves, so
// a refused close leaves the call alone.
func (h *Hub) endCallBeforeClose(ctx context.Context, id conversation.ID, agentID string) {
	calls := h.opts.Calls
	if calls == nil {
		return
	}
	if agentID != "" {
		if _, ok := h.serving(ctx, id, agentID); !ok {
			return
		}
	}
	calls.EndWithConversation(ctx, id)
}

// callsOnSeatGone ends the calls and closes the group windows of a seat
// whose pages were gone for the absence timeout, before its conversations
// return to the queue.
func (h *Hub) callsOnSeatGone(ctx context.Context, agentID string) {
	if h.opts.Calls != nil {
		h.opts.Calls.AgentGone(ctx, agentID)
	}
}

// greetCitizenCall sends a (re)connected citizen page its call and group
// window, so a reload rejoins the media room.
func (h *Hub) greetCitizenCall(c *conn, id conversation.ID) {
	calls := h.opts.Calls
	if calls == nil {
		return
	}
	ids := []string{}
	if cl, ok := calls.Current(id); ok {
		c.send(outFrame{Type: frameCall, ConversationID: id, Call: citizenCallView(cl)})
		ids = append(ids, string(cl.ID))
	}
	if g, ok := calls.MemberGroup(id); ok {
		c.send(outFrame{Type: frameGroup, Group: citizenGroupOf(g, id)})
		ids = append(ids, string(g.ID))
	}
	c.send(outFrame{Type: frameCallSync, Items: ids})
}

// greetSeatCall sends a (re)connected seat page its calls and group windows.
func (h *Hub) greetSeatCall(c *conn, agentID string) {
	calls := h.opts.Calls
	if calls == nil {
		return
	}
	ids := []string{}
	for _, cl := range calls.ForAgent(agentID) {
		c.send(outFrame{Type: frameCall, ConversationID: cl.Conversation, Call: &cl})
		ids = append(ids, string(cl.ID))
	}
	for _, g := range calls.GroupsOf(agentID) {
		c.send(outFrame{Type: frameGroup, Group: &g})
		ids = append(ids, string(g.ID))
	}
	c.send(outFrame{Type: frameCallSync, Items: ids})
}

// AuthorizeRoom returns what a page may do in an SFU room: a seat page
// passes its agent id, a citizen page its conversation. The media
// signalling calls it before SFU.Join and calls RoomJoined after.
func (h *Hub) AuthorizeRoom(room sfu.RoomID, citizen conversation.ID, agentID string) (call.Grant, error) {
	if h.opts.Calls == nil {
		return call.Grant{}, errNoCalls
	}
	return h.opts.Calls.Authorize(room, call.Peer{Conversation: citizen, AgentID: agentID})
}

// RoomJoined applies hold, recording and speaking gates to a room after a
// page joined it.
func (h *Hub) RoomJoined(room sfu.RoomID) {
	if h.opts.Calls != nil {
		h.opts.Calls.Joined(context.Background(), room)
	}
}
