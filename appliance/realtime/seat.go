package realtime

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"wenban/appliance/conversation"
)

// SeatHandler serves /ws/seat for logged-in staff.
func (h *Hub) SeatHandler() http.Handler {
	return http.HandlerFunc(h.serveSeat)
}

func (h *Hub) serveSeat(w http.ResponseWriter, r *http.Request) {
	agent, err := h.opts.AuthenticateSeat(r)
	if err != nil {
		http.Error(w, "请先登录坐席。", http.StatusUnauthorized)
		return
	}

	c, ok := h.accept(w, r)
	if !ok {
		return
	}
	defer h.wg.Done()

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go c.writeLoop(ctx)

	p := h.addSeat(agent, c)
	defer h.removeSeat(agent.ID, c)

	c.send(outFrame{Type: frameHello, Role: "agent", Agent: h.agentView(agent.ID)})
	c.send(outFrame{Type: frameStatus, Status: p.String()})
	h.sendQueue(ctx, []*conn{c})
	h.greetSeatCall(c, agent.ID)
	h.broadcastSeats()
	go h.watchSession(ctx, c, r, agent.ID)
	h.seatLoop(ctx, c, r, agent)
}

// sessionCheckInterval is how often an idle seat page's login is checked
// again; commands check it every time.
const sessionCheckInterval = 30 * time.Second

// statusSessionEnded closes a seat page whose login ended (logout,
// password change, expiry), so the page sends staff to the login screen.
const statusSessionEnded websocket.StatusCode = 4401

// watchSession closes the page when its login ends while it is idle.
func (h *Hub) watchSession(ctx context.Context, c *conn, r *http.Request, agentID string) {
	ticker := time.NewTicker(sessionCheckInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.done:
			return
		case <-ticker.C:
		case <-c.recheck:
		}
		if _, err := h.opts.AuthenticateSeat(r); err != nil {
			h.log.Info("seat login ended, closing its page", "agent", agentID)
			c.close(statusSessionEnded, "login ended")
			return
		}
	}
}

// RecheckSeat checks the login of every open page of the account now. An
// administrator calls it through the accounts page after disabling an
// account or resetting its password, so the page stops receiving
// citizens' messages at once rather than at its next check.
func (h *Hub) RecheckSeat(agentID string) {
	for _, c := range h.agentConns(agentID) {
		select {
		case c.recheck <- struct{}{}:
		default: // a check is already pending
		}
	}
}

func (h *Hub) seatLoop(ctx context.Context, c *conn, r *http.Request, agent conversation.Agent) {
	// One typing limiter per conversation, so typing in two tabs in turn
	// reaches both citizens.
	typing := map[conversation.ID]*rate.Limiter{}
	reads := newReadLimiter()
	for {
		f, err := c.read(ctx)
		if err != nil {
			if errors.Is(err, errBadFrame) || errors.Is(err, errBinaryFrame) {
				c.send(errorFrame(err, ""))
				continue
			}
			return
		}
		// The upgrade checked the login once; a page open across a logout
		// or a password change must lose its powers at the next command.
		if _, err := h.opts.AuthenticateSeat(r); err != nil {
			h.log.Info("seat login ended, closing its page", "agent", agent.ID)
			c.close(statusSessionEnded, "login ended")
			return
		}
		if err := h.seatCommand(ctx, c, agent, f, typing, reads); err != nil {
			c.send(callErrorFrame(err, f.ClientID))
		}
	}
}

func (h *Hub) seatCommand(ctx context.Context, c *conn, agent conversation.Agent, f inFrame, typing map[conversation.ID]*rate.Limiter, reads *rate.Limiter) error {
	convs := h.opts.Conversations
	switch f.Type {
	case "status":
		st, err := ParseStatus(f.Status)
		if err != nil {
			return &conversation.InputError{Field: "status", Message: "状态无效"}
		}
		h.setStatus(agent.ID, st)
		return nil

	case "accept":
		if h.status(agent.ID) != StatusOnline {
			return errNotOnline
		}
		_, err := convs.Accept(ctx, agent, f.ConversationID)
		return err

	case "send":
		msg, _, err := convs.Send(ctx, conversation.SendRequest{
			ConversationID: f.ConversationID,
			From:           conversation.SenderAgent,
			AuthorID:       agent.ID,
			Author:         agent.Name,
			ClientID:       f.ClientID,
			Text:           f.Text,
			FAQID:          f.FAQID,
		})
		if err != nil {
			return err
		}
		c.send(outFrame{Type: frameAck, ConversationID: f.ConversationID, ClientID: f.ClientID, Seq: msg.Seq})
		return nil

	case "transfer":
		to, ok := h.onlineAgent(f.To)
		if !ok {
			return errTargetOffline
		}
		_, err := convs.Transfer(ctx, agent, f.ConversationID, to)
		return err

	case "end":
		h.endCallBeforeClose(ctx, f.ConversationID, agent.ID)
		_, err := convs.End(ctx, f.ConversationID, conversation.Closer{AgentID: agent.ID, Name: agent.Name})
		return err

	case "resync":
		return h.resyncSeat(ctx, c, agent.ID, f.Conversations)

	case "recall":
		_, err := convs.Recall(ctx, f.ConversationID, f.Seq, agent)
		return err

	case "read":
		if !reads.Allow() {
			return nil
		}
		conv, ok := h.serving(ctx, f.ConversationID, agent.ID)
		if !ok || f.Seq == 0 || f.Seq > conv.LastSeq {
			return nil
		}
		h.sendCitizen(conv.ID, outFrame{Type: frameRead, ConversationID: conv.ID, Seq: f.Seq})
		return nil

	case "typing":
		// Only the owner's typing reaches the citizen, and at most one
		// notice per interval; extra notices are dropped silently.
		lim := typing[f.ConversationID]
		if lim == nil {
			lim = newTypingLimiter()
			typing[f.ConversationID] = lim
		}
		if !lim.Allow() {
			return nil
		}
		conv, ok := h.serving(ctx, f.ConversationID, agent.ID)
		if !ok {
			return nil
		}
		h.sendCitizen(conv.ID, outFrame{Type: frameTyping, ConversationID: conv.ID})
		return nil
	}
	if isCallCommand(f.Type) {
		return h.seatCallCommand(ctx, c, agent, f)
	}
	return errUnknownCommand
}

// resyncSeat brings a (re)connected page up to date: full transcripts for
// conversations it lacks, missing lines for those it has.
func (h *Hub) resyncSeat(ctx context.Context, c *conn, agentID string, known map[conversation.ID]uint64) error {
	active, err := h.opts.Conversations.Active(ctx, agentID)
	if err != nil {
		return err
	}
	if err := h.releaseLost(ctx, c, active, known); err != nil {
		return err
	}
	for _, conv := range active {
		last, ok := known[conv.ID]
		msgs, err := h.opts.Conversations.Messages(ctx, conv.ID, last)
		if err != nil {
			return err
		}
		if !ok {
			c.sendWait(ctx, outFrame{Type: frameAssigned, Conversation: viewOf(conv), Messages: msgs})
			continue
		}
		for i := range msgs {
			c.sendWait(ctx, outFrame{Type: frameMessage, Message: &msgs[i]})
		}
	}
	return nil
}

// releaseLost informs a page of conversations it lists that ended or
// moved to another seat while it was disconnected.
func (h *Hub) releaseLost(ctx context.Context, c *conn, active []conversation.Conversation, known map[conversation.ID]uint64) error {
	owned := make(map[conversation.ID]bool, len(active))
	for _, conv := range active {
		owned[conv.ID] = true
	}
	for id, last := range known {
		if owned[id] {
			continue
		}
		conv, err := h.opts.Conversations.Get(ctx, id)
		if err != nil {
			c.send(outFrame{Type: frameReleased, ConversationID: id, Reason: "closed"})
			continue
		}
		reason := "transferred"
		if conv.State == conversation.StateClosed {
			reason = "closed"
			// The page still shows the transcript, so it gets the lines it
			// missed, the closing one among them.
			msgs, err := h.opts.Conversations.Messages(ctx, id, last)
			if err != nil {
				return err
			}
			for i := range msgs {
				c.sendWait(ctx, outFrame{Type: frameMessage, Message: &msgs[i]})
			}
		}
		c.send(outFrame{Type: frameReleased, ConversationID: id, Reason: reason})
	}
	return nil
}

func (h *Hub) addSeat(agent conversation.Agent, c *conn) Status {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.agents[agent.ID]
	if p == nil {
		// A new login starts offline, so no citizen is promised a seat
		// before its staff member reports ready.
		p = &presence{status: StatusOffline, conns: map[*conn]struct{}{}}
		h.agents[agent.ID] = p
	}
	p.agent = agent
	p.conns[c] = struct{}{}
	if oldest := oldestBeyond(p.conns, maxPagesPerSeat); oldest != nil {
		go oldest.close(websocket.StatusPolicyViolation, "opened elsewhere")
	}
	go h.cancel("a:" + agent.ID)
	return p.status
}

// maxPagesPerSeat bounds one staff member's open workbench pages.
const maxPagesPerSeat = 4

func (h *Hub) removeSeat(agentID string, c *conn) {
	h.mu.Lock()
	last := false
	if p := h.agents[agentID]; p != nil {
		delete(p.conns, c)
		last = len(p.conns) == 0
	}
	h.mu.Unlock()
	c.close(websocket.StatusNormalClosure, "")
	if last {
		h.watchSeatAbsence(agentID)
	}
	h.broadcastSeats()
}

func (h *Hub) setStatus(agentID string, st Status) {
	h.mu.Lock()
	p := h.agents[agentID]
	if p != nil {
		p.status = st
	}
	h.mu.Unlock()
	if p == nil {
		return
	}
	h.log.Info("seat status changed", "agent", agentID, "status", st)
	h.sendAgent(agentID, outFrame{Type: frameStatus, Status: st.String()})
	h.broadcastSeats()
	h.broadcastQueue(context.Background())
}

// SeatStatus returns a seat's status name for the first render of the
// workbench.
func (h *Hub) SeatStatus(agentID string) string { return h.status(agentID).String() }

func (h *Hub) status(agentID string) Status {
	h.mu.Lock()
	defer h.mu.Unlock()
	if p := h.agents[agentID]; p != nil {
		return p.status
	}
	return StatusOffline
}

func (h *Hub) onlineAgent(id string) (conversation.Agent, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.agents[id]
	if p == nil || p.status != StatusOnline || len(p.conns) == 0 {
		return conversation.Agent{}, false
	}
	return p.agent, true
}

func (h *Hub) agentView(id string) *agentView {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.agents[id]
	if p == nil {
		return nil
	}
	return &agentView{ID: id, Name: p.agent.Name, Status: p.status.String(), Max: p.agent.MaxChats}
}

func (h *Hub) agentConns(id string) []*conn {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.agents[id]
	if p == nil {
		return nil
	}
	out := make([]*conn, 0, len(p.conns))
	for c := range p.conns {
		out = append(out, c)
	}
	return out
}

func (h *Hub) allAgentConns() []*conn {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*conn
	for _, p := range h.agents {
		for c := range p.conns {
			out = append(out, c)
		}
	}
	return out
}

func (h *Hub) sendAgent(id string, f outFrame) {
	for _, c := range h.agentConns(id) {
		c.send(f)
	}
}

// broadcastSeats sends every seat the list of colleagues with a page open.
func (h *Hub) broadcastSeats() {
	h.mu.Lock()
	items := make([]agentView, 0, len(h.agents))
	for id, p := range h.agents {
		if len(p.conns) == 0 {
			continue
		}
		items = append(items, agentView{ID: id, Name: p.agent.Name, Status: p.status.String(), Max: p.agent.MaxChats})
	}
	h.mu.Unlock()

	for i := range items {
		if active, err := h.opts.Conversations.Active(context.Background(), items[i].ID); err == nil {
			items[i].Active = len(active)
		}
	}
	slices.SortFunc(items, func(a, b agentView) int { return strings.Compare(a.Name, b.Name) })
	for _, c := range h.allAgentConns() {
		c.send(outFrame{Type: frameSeats, Items: items})
	}
}
