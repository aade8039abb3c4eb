package realtime

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"wenban/appliance/conversation"
)

// CitizenHandler serves /ws/citizen. The citizen cookie names the
// conversation; ?after=N replays the transcript after seq N.
func (h *Hub) CitizenHandler() http.Handler {
	return http.HandlerFunc(h.serveCitizen)
}

func (h *Hub) serveCitizen(w http.ResponseWriter, r *http.Request) {
	cookie, err := r.Cookie(h.opts.CitizenCookie)
	if err != nil {
		http.Error(w, "未找到您的会话，请重新发起人工服务。", http.StatusUnauthorized)
		return
	}
	conv, err := h.opts.Conversations.Authenticate(r.Context(), cookie.Value)
	if err != nil {
		http.Error(w, "会话已失效，请重新发起人工服务。", http.StatusUnauthorized)
		return
	}
	after, _ := strconv.ParseUint(r.URL.Query().Get("after"), 10, 64)

	c, ok := h.accept(w, r)
	if !ok {
		return
	}
	defer h.wg.Done()

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go c.writeLoop(ctx)

	h.addCitizen(conv.ID, c)
	defer h.removeCitizen(conv.ID, c)

	if err := h.greetCitizen(ctx, c, conv, after); err != nil {
		h.log.Warn("greeting citizen page", "conversation", conv.ID, "err", err)
		c.close(websocket.StatusInternalError, "resync failed")
		return
	}
	h.citizenLoop(ctx, c, conv.ID)
}

func (h *Hub) greetCitizen(ctx context.Context, c *conn, conv conversation.Conversation, after uint64) error {
	c.sendWait(ctx, outFrame{Type: frameHello, Role: "citizen", ConversationID: conv.ID})
	c.sendWait(ctx, outFrame{Type: frameState, Conversation: viewOf(conv)})

	msgs, err := h.opts.Conversations.Messages(ctx, conv.ID, after)
	if err != nil {
		return err
	}
	for i := range msgs {
		c.sendWait(ctx, outFrame{Type: frameMessage, Message: &msgs[i]})
	}
	if conv.State == conversation.StateQueued {
		h.sendPosition(ctx, c, conv.ID)
	}
	h.greetCitizenCall(c, conv.ID)
	return nil
}

// Citizen message rate: a steady two a second with bursts of ten is far
// above typing speed and keeps one page from flooding the seat and disk.
const (
	citizenRate  = 2
	citizenBurst = 10
)

func (h *Hub) citizenLoop(ctx context.Context, c *conn, id conversation.ID) {
	limit := rate.NewLimiter(citizenRate, citizenBurst)
	typing := newTypingLimiter()
	reads := newReadLimiter()
	calls := newCallLimiter()
	for {
		f, err := c.read(ctx)
		if err != nil {
			if errors.Is(err, errBadFrame) || errors.Is(err, errBinaryFrame) {
				c.send(errorFrame(err, ""))
				continue
			}
			return
		}

		switch f.Type {
		case "send":
			if !limit.Allow() {
				c.send(errorFrame(errTooFast, f.ClientID))
				continue
			}
			msg, _, err := h.opts.Conversations.Send(ctx, conversation.SendRequest{
				ConversationID: id,
				From:           conversation.SenderCitizen,
				ClientID:       f.ClientID,
				Text:           f.Text,
			})
			if err != nil {
				c.send(errorFrame(err, f.ClientID))
				continue
			}
			c.send(outFrame{Type: frameAck, ConversationID: id, ClientID: f.ClientID, Seq: msg.Seq})
		case "end":
			h.endCallBeforeClose(ctx, id, "")
			if _, err := h.opts.Conversations.End(ctx, id, conversation.Closer{}); err != nil {
				c.send(errorFrame(err, ""))
			}
		case "typing":
			if typing.Allow() {
				h.relayCitizenTyping(ctx, id)
			}
		case "read":
			if reads.Allow() {
				h.relayCitizenRead(ctx, id, f.Seq)
			}
		default:
			err := errUnknownCommand
			if isCallCommand(f.Type) {
				err = h.citizenCallCommand(ctx, c, id, f, calls)
			}
			if err != nil {
				c.send(callErrorFrame(err, f.ClientID))
			}
		}
	}
}

// typingInterval spaces the typing notices one page relays; pages send
// them while a key is pressed, far more often than the other side needs.
const typingInterval = 2 * time.Second

func newTypingLimiter() *rate.Limiter {
	return rate.NewLimiter(rate.Every(typingInterval), 1)
}

// relayCitizenTyping notifies the serving seat that the citizen is typing.
func (h *Hub) relayCitizenTyping(ctx context.Context, id conversation.ID) {
	if c, ok := h.serving(ctx, id, ""); ok {
		h.sendAgent(c.AgentID, outFrame{Type: frameTyping, ConversationID: id})
	}
}

// serving returns the conversation when a seat serves it, and when agentID
// is set, only when that agent is the seat. Typing notices and read
// receipts pass between the two sides only then.
func (h *Hub) serving(ctx context.Context, id conversation.ID, agentID string) (conversation.Conversation, bool) {
	c, err := h.opts.Conversations.Get(ctx, id)
	if err != nil || c.State != conversation.StateServing {
		return conversation.Conversation{}, false
	}
	if agentID != "" && c.AgentID != agentID {
		return conversation.Conversation{}, false
	}
	return c, true
}

// Read receipts are sent when lines come into view, a few a second at most.
const (
	readRate  = 4
	readBurst = 8
)

func newReadLimiter() *rate.Limiter { return rate.NewLimiter(readRate, readBurst) }

// relayCitizenRead passes the citizen's last seen line to the serving seat.
func (h *Hub) relayCitizenRead(ctx context.Context, id conversation.ID, seq uint64) {
	c, ok := h.serving(ctx, id, "")
	if !ok || seq == 0 || seq > c.LastSeq {
		return
	}
	h.sendAgent(c.AgentID, outFrame{Type: frameRead, ConversationID: id, Seq: seq})
}

func (h *Hub) sendPosition(ctx context.Context, c *conn, id conversation.ID) {
	pos, wait, err := h.opts.Conversations.Position(ctx, id)
	if err != nil {
		h.log.Warn("computing queue position", "conversation", id, "err", err)
		return
	}
	secs := int(wait.Seconds())
	c.send(outFrame{Type: frameQueuePosition, ConversationID: id, Position: &pos, WaitSeconds: &secs})
}

// maxPagesPerConversation bounds the open pages of one conversation. A
// reload leaves a ghost for a moment, so the oldest page is closed rather
// than the newest refused.
const maxPagesPerConversation = 4

func (h *Hub) addCitizen(id conversation.ID, c *conn) {
	h.mu.Lock()
	set := h.citizens[id]
	if set == nil {
		set = map[*conn]struct{}{}
		h.citizens[id] = set
	}
	set[c] = struct{}{}
	oldest := oldestBeyond(set, maxPagesPerConversation)
	h.mu.Unlock()
	h.cancel("c:" + string(id))

	if oldest != nil {
		oldest.close(websocket.StatusPolicyViolation, "opened elsewhere")
	}
}

// oldestBeyond returns the oldest page of set when it holds more than max.
func oldestBeyond(set map[*conn]struct{}, limit int) *conn {
	if len(set) <= limit {
		return nil
	}
	var oldest *conn
	for c := range set {
		if oldest == nil || c.opened < oldest.opened {
			oldest = c
		}
	}
	return oldest
}

func (h *Hub) removeCitizen(id conversation.ID, c *conn) {
	h.mu.Lock()
	delete(h.citizens[id], c)
	last := len(h.citizens[id]) == 0
	if last {
		delete(h.citizens, id)
	}
	h.mu.Unlock()

	c.close(websocket.StatusNormalClosure, "")
	if last {
		h.watchCitizenAbsence(id)
	}
}

func (h *Hub) citizenConns(id conversation.ID) []*conn {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*conn, 0, len(h.citizens[id]))
	for c := range h.citizens[id] {
		out = append(out, c)
	}
	return out
}
