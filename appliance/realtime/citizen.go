package realtime

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/coder/websocket"

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
	c.send(outFrame{Type: frameHello, Role: "citizen", ConversationID: conv.ID})
	c.send(outFrame{Type: frameState, Conversation: viewOf(conv)})

	msgs, err := h.opts.Conversations.Messages(ctx, conv.ID, after)
	if err != nil {
		return err
	}
	for i := range msgs {
		c.send(outFrame{Type: frameMessage, Message: &msgs[i]})
	}
	if conv.State == conversation.StateQueued {
		h.sendPosition(ctx, c, conv.ID)
	}
	return nil
}

func (h *Hub) citizenLoop(ctx context.Context, c *conn, id conversation.ID) {
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
			if _, err := h.opts.Conversations.End(ctx, id, conversation.Closer{}); err != nil {
				c.send(errorFrame(err, ""))
			}
		case "typing":
			// Typing indicators are not relayed yet; the frame is accepted so
			// pages can send it unconditionally.
		default:
			c.send(errorFrame(errUnknownCommand, f.ClientID))
		}
	}
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

func (h *Hub) addCitizen(id conversation.ID, c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	set := h.citizens[id]
	if set == nil {
		set = map[*conn]struct{}{}
		h.citizens[id] = set
	}
	set[c] = struct{}{}
}

func (h *Hub) removeCitizen(id conversation.ID, c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.citizens[id], c)
	if len(h.citizens[id]) == 0 {
		delete(h.citizens, id)
	}
	c.close(websocket.StatusNormalClosure, "")
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
