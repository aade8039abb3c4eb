package realtime

import (
	"context"
	"time"

	"wenban/appliance/conversation"
)

// Default grace periods before the hub acts on a page that went away. A
// reload or a short network drop comes back well within them.
const (
	DefaultAbandonAfter  = 3 * time.Minute
	DefaultSeatGoneAfter = 2 * time.Minute
)

// Start schedules the absence checks for what the hub found on restart:
// queued citizens and serving seats whose pages have not come back.
func (h *Hub) Start(ctx context.Context) error {
	queued, err := h.opts.Conversations.Queue(ctx)
	if err != nil {
		return err
	}
	for _, it := range queued {
		h.watchCitizenAbsence(it.ConversationID)
	}

	serving, err := h.opts.Conversations.Serving(ctx)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, c := range serving {
		if !seen[c.AgentID] {
			seen[c.AgentID] = true
			h.watchSeatAbsence(c.AgentID)
		}
	}
	return nil
}

// watchCitizenAbsence ends a queued conversation whose citizen has no page
// open once the grace period passes, so seats never accept a citizen who
// left.
func (h *Hub) watchCitizenAbsence(id conversation.ID) {
	h.schedule("c:"+string(id), h.opts.AbandonAfter, func() {
		if len(h.citizenConns(id)) > 0 {
			return
		}
		ctx := context.Background()
		c, err := h.opts.Conversations.Get(ctx, id)
		if err != nil || c.State != conversation.StateQueued {
			return
		}
		if _, err := h.opts.Conversations.End(ctx, id, conversation.Closer{Abandoned: true}); err != nil {
			h.log.Warn("ending abandoned conversation", "conversation", id, "err", err)
			return
		}
		h.log.Info("queued citizen left, conversation ended", "conversation", id)
	})
}

// watchSeatAbsence returns a seat's conversations to the queue when the
// seat has had no page open for the grace period, so citizens are not
// left with a staff member who logged out or closed the browser.
func (h *Hub) watchSeatAbsence(agentID string) {
	h.schedule("a:"+agentID, h.opts.SeatGoneAfter, func() {
		if len(h.agentConns(agentID)) > 0 {
			return
		}
		h.mu.Lock()
		if p := h.agents[agentID]; p != nil {
			p.status = StatusOffline
		}
		h.mu.Unlock()

		ctx := context.Background()
		h.callsOnSeatGone(ctx, agentID)
		active, err := h.opts.Conversations.Active(ctx, agentID)
		if err != nil {
			h.log.Warn("listing conversations of a departed seat", "agent", agentID, "err", err)
			return
		}
		for _, c := range active {
			if _, err := h.opts.Conversations.Requeue(ctx, c.ID, agentID); err != nil {
				h.log.Warn("requeueing conversation of a departed seat", "conversation", c.ID, "agent", agentID, "err", err)
			}
		}
		if len(active) > 0 {
			h.log.Info("seat left, conversations requeued", "agent", agentID, "count", len(active))
		}
		h.broadcastSeats()
	})
}

// schedule runs fn after d unless cancel(key) comes first; a new schedule
// for the same key replaces the old one.
func (h *Hub) schedule(key string, d time.Duration, fn func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return
	}
	if t := h.timers[key]; t != nil {
		t.Stop()
	}
	h.timers[key] = time.AfterFunc(d, func() {
		h.mu.Lock()
		delete(h.timers, key)
		h.mu.Unlock()
		fn()
	})
}

func (h *Hub) cancel(key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if t := h.timers[key]; t != nil {
		t.Stop()
		delete(h.timers, key)
	}
}

// stopTimers cancels every pending absence check, at shutdown.
func (h *Hub) stopTimers() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for key, t := range h.timers {
		t.Stop()
		delete(h.timers, key)
	}
}
