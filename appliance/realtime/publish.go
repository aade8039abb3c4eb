package realtime

import (
	"context"

	"wenban/appliance/conversation"
)

// Publish relays a conversation event to the pages concerned. The
// conversation service calls it after each committed change.
func (h *Hub) Publish(ev conversation.Event) {
	ctx := context.Background()
	c := ev.Conversation
	state := outFrame{Type: frameState, Conversation: viewOf(c)}
	defer h.callsOnConversation(ev)

	switch ev.Kind {
	case conversation.EventMessage:
		h.relayMessage(c, ev.Message)
		// An attachment's summary line is no question for the bot.
		if ev.Message.From == conversation.SenderCitizen && ev.Message.Kind == conversation.KindText && c.State == conversation.StateServing {
			go h.suggest(c.AgentID, c.ID, ev.Message.Text)
		}

	case conversation.EventQueued:
		// A place whose page never connects is freed like one whose page
		// left, so a script that only posts handoffs cannot hold the
		// queue.
		if len(h.citizenConns(c.ID)) == 0 {
			h.watchCitizenAbsence(c.ID)
		}
		h.sendCitizen(c.ID, state)
		h.sendCitizenMessage(c.ID, ev.Message)
		if ev.PreviousAgentID != "" {
			h.sendAgent(ev.PreviousAgentID, outFrame{Type: frameReleased, ConversationID: c.ID, Reason: "transferred"})
		}
		h.broadcastQueue(ctx)

	case conversation.EventAccepted:
		h.sendCitizen(c.ID, state)
		h.sendCitizenMessage(c.ID, ev.Message)
		h.assign(ctx, c)
		h.broadcastQueue(ctx)
		h.broadcastSeats()

	case conversation.EventTransferred:
		h.sendAgent(ev.PreviousAgentID, outFrame{Type: frameReleased, ConversationID: c.ID, Reason: "transferred"})
		h.sendCitizen(c.ID, state)
		h.sendCitizenMessage(c.ID, ev.Message)
		h.assign(ctx, c)
		h.broadcastSeats()

	case conversation.EventClosed:
		h.sendCitizen(c.ID, state)
		h.sendCitizenMessage(c.ID, ev.Message)
		if ev.PreviousAgentID != "" {
			h.sendAgent(ev.PreviousAgentID, outFrame{Type: frameMessage, Message: ev.Message})
			h.sendAgent(ev.PreviousAgentID, outFrame{Type: frameReleased, ConversationID: c.ID, Reason: "closed"})
			h.broadcastSeats()
		}
		h.broadcastQueue(ctx)

	case conversation.EventRecalled:
		recalled := outFrame{Type: frameRecalled, ConversationID: c.ID, Seq: ev.RecalledSeq}
		h.sendCitizen(c.ID, recalled)
		h.sendAgent(c.AgentID, recalled)
		h.relayMessage(c, ev.Message)

	case conversation.EventRated:
		h.sendCitizen(c.ID, state)
	}
}

func (h *Hub) relayMessage(c conversation.Conversation, m *conversation.Message) {
	h.sendCitizenMessage(c.ID, m)
	if c.State == conversation.StateServing {
		h.sendAgent(c.AgentID, outFrame{Type: frameMessage, Message: m})
	}
}

// assign sends the new owner the conversation with its whole transcript.
func (h *Hub) assign(ctx context.Context, c conversation.Conversation) {
	msgs, err := h.opts.Conversations.Messages(ctx, c.ID, 0)
	if err != nil {
		h.log.Warn("loading transcript for new owner", "conversation", c.ID, "agent", c.AgentID, "err", err)
		return
	}
	h.sendAgent(c.AgentID, outFrame{Type: frameAssigned, Conversation: viewOf(c), Messages: msgs})

	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].From == conversation.SenderCitizen && msgs[i].Kind == conversation.KindText {
			go h.suggest(c.AgentID, c.ID, msgs[i].Text)
			break
		}
	}
}

func (h *Hub) suggest(agentID string, id conversation.ID, text string) {
	if h.opts.Suggest == nil {
		return
	}
	select {
	case h.suggestSlots <- struct{}{}:
		defer func() { <-h.suggestSlots }()
	default:
		// The seat keeps the suggestions of an earlier message; the next
		// message brings fresh ones.
		h.log.Debug("suggestion skipped, lookups busy", "conversation", id)
		return
	}
	items := h.opts.Suggest(text)
	if items == nil {
		items = []Suggestion{}
	}
	h.sendAgent(agentID, outFrame{Type: frameSuggestions, ConversationID: id, Items: items})
}

func (h *Hub) sendCitizen(id conversation.ID, f outFrame) {
	for _, c := range h.citizenConns(id) {
		c.send(f)
	}
}

func (h *Hub) sendCitizenMessage(id conversation.ID, m *conversation.Message) {
	if m != nil {
		h.sendCitizen(id, outFrame{Type: frameMessage, Message: m})
	}
}

// broadcastQueue sends seats the queue and each waiting citizen their
// position and estimated wait.
func (h *Hub) broadcastQueue(ctx context.Context) {
	h.sendQueue(ctx, h.allAgentConns())
}

func (h *Hub) sendQueue(ctx context.Context, seats []*conn) {
	items, err := h.opts.Conversations.Queue(ctx)
	if err != nil {
		h.log.Warn("listing queue for pages", "err", err)
		return
	}
	if items == nil {
		items = []conversation.QueueItem{}
	}
	for _, c := range seats {
		c.send(outFrame{Type: frameQueue, Items: items})
	}
	for _, it := range items {
		pos := it.Position
		secs := int(h.opts.Conversations.Estimate(pos).Seconds())
		h.sendCitizen(it.ConversationID, outFrame{
			Type: frameQueuePosition, ConversationID: it.ConversationID, Position: &pos, WaitSeconds: &secs,
		})
	}
}
