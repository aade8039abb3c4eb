package realtime

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"wenban/appliance/call"
	"wenban/appliance/conversation"
)

// Conversations is the part of the conversation service the hub drives.
type Conversations interface {
	Get(ctx context.Context, id conversation.ID) (conversation.Conversation, error)
	Authenticate(ctx context.Context, cookie string) (conversation.Conversation, error)
	Messages(ctx context.Context, id conversation.ID, after uint64) ([]conversation.Message, error)
	Send(ctx context.Context, req conversation.SendRequest) (conversation.Message, bool, error)
	Queue(ctx context.Context) ([]conversation.QueueItem, error)
	Position(ctx context.Context, id conversation.ID) (int, time.Duration, error)
	Estimate(position int) time.Duration
	Accept(ctx context.Context, a conversation.Agent, id conversation.ID) (conversation.Conversation, error)
	Transfer(ctx context.Context, from conversation.Agent, id conversation.ID, to conversation.Agent) (conversation.Conversation, error)
	End(ctx context.Context, id conversation.ID, by conversation.Closer) (conversation.Conversation, error)
	Active(ctx context.Context, agentID string) ([]conversation.Conversation, error)
	Serving(ctx context.Context) ([]conversation.Conversation, error)
	Requeue(ctx context.Context, id conversation.ID, agentID string) (conversation.Conversation, error)
	Recall(ctx context.Context, id conversation.ID, seq uint64, agent conversation.Agent) (conversation.Message, error)
}

// Options configure a Hub.
type Options struct {
	// Conversations is the conversation service. Required.
	Conversations Conversations
	// AuthenticateSeat returns the staff member behind a seat request, or
	// an error when the request carries no valid session. Required.
	AuthenticateSeat func(r *http.Request) (conversation.Agent, error)
	// Suggest returns the knowledge-base answers for a citizen's message.
	// Nil offers none.
	Suggest func(text string) []Suggestion
	// CitizenCookie is the cookie that carries the citizen's conversation
	// credential. Empty means "wenban_citizen".
	CitizenCookie string
	// Logger receives connection logs. Nil means slog.Default().
	Logger *slog.Logger
	// AbandonAfter is how long a queued citizen may have no page open
	// before the conversation ends. Zero means DefaultAbandonAfter.
	AbandonAfter time.Duration
	// SeatGoneAfter is how long a seat may have no page open before its
	// conversations return to the queue. Zero means DefaultSeatGoneAfter.
	SeatGoneAfter time.Duration
	// Calls runs voice and video calls and group windows. Nil turns the
	// call commands off.
	Calls *call.Manager
}

// Hub routes events between pages.
type Hub struct {
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	citizens map[conversation.ID]map[*conn]struct{}
	agents   map[string]*presence
	closing  bool
	wg       sync.WaitGroup
	// timers holds the pending absence checks, by "c:<conversation>" and
	// "a:<agent>".
	timers map[string]*time.Timer

	// suggestSlots bounds the bot lookups running for seats at once, so a
	// flood of citizen messages cannot crowd out citizens' own questions.
	suggestSlots chan struct{}

	callRooms callRooms
}

// presence is a staff member's seat: their status and open pages.
type presence struct {
	agent  conversation.Agent
	status Status
	conns  map[*conn]struct{}
}

// NewHub builds a hub.
func NewHub(opts Options) *Hub {
	if opts.CitizenCookie == "" {
		opts.CitizenCookie = "wenban_citizen"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.AbandonAfter <= 0 {
		opts.AbandonAfter = DefaultAbandonAfter
	}
	if opts.SeatGoneAfter <= 0 {
		opts.SeatGoneAfter = DefaultSeatGoneAfter
	}
	return &Hub{
		opts:     opts,
		log:      opts.Logger,
		citizens: map[conversation.ID]map[*conn]struct{}{},
		agents:   map[string]*presence{},
		timers:   map[string]*time.Timer{},

		suggestSlots: make(chan struct{}, 2),
	}
}

// OnlineSeats counts staff members who are online with an open seat page.
func (h *Hub) OnlineSeats() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, p := range h.agents {
		if p.status == StatusOnline && len(p.conns) > 0 {
			n++
		}
	}
	return n
}

// StaffedSeats counts staff members with a seat page open whose status is
// not offline: someone who will serve the queue, even if on a short break.
func (h *Hub) StaffedSeats() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, p := range h.agents {
		if p.status != StatusOffline && len(p.conns) > 0 {
			n++
		}
	}
	return n
}

// Connections returns the number of open pages, for health and metrics.
func (h *Hub) Connections() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, set := range h.citizens {
		n += len(set)
	}
	for _, p := range h.agents {
		n += len(p.conns)
	}
	return n
}

// Shutdown closes every page with "going away", so browsers reconnect to
// the restarted hub and resync, and waits for their handlers to return.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closing = true
	var all []*conn
	for _, set := range h.citizens {
		for c := range set {
			all = append(all, c)
		}
	}
	for _, p := range h.agents {
		for c := range p.conns {
			all = append(all, c)
		}
	}
	h.mu.Unlock()
	h.stopTimers()

	for _, c := range all {
		c.close(websocket.StatusGoingAway, "hub restarting")
	}

	done := make(chan struct{})
	go func() {
		h.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// accept upgrades a request unless the hub is shutting down. The library's
// default origin check rejects cross-site pages, which is the CSRF guard
// for WebSocket commands.
func (h *Hub) accept(w http.ResponseWriter, r *http.Request) (*conn, bool) {
	h.mu.Lock()
	closing := h.closing
	if !closing {
		h.wg.Add(1)
	}
	h.mu.Unlock()
	if closing {
		http.Error(w, "服务正在重启，请稍后重试。", http.StatusServiceUnavailable)
		return nil, false
	}

	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		h.wg.Done()
		h.log.Debug("websocket upgrade failed", "err", err)
		return nil, false
	}
	return newConn(ws, h.log), true
}
