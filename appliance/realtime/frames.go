// Package realtime is the session plane: one WebSocket per open citizen
// page or seat screen, carrying typed JSON frames. It relays conversation
// events to the pages concerned and turns the pages' commands into calls
// on the conversation service.
package realtime

import (
	"time"

	"wenban/appliance/call"
	"wenban/appliance/conversation"
)

// Frame types sent by the hub.
const (
	frameHello         = "hello"
	frameMessage       = "message"
	frameAck           = "ack"
	frameState         = "state"
	frameQueuePosition = "queue_position"
	frameQueue         = "queue"
	frameAssigned      = "assigned"
	frameReleased      = "released"
	frameSuggestions   = "suggestions"
	frameSeats         = "seats"
	frameStatus        = "status"
	frameError         = "error"
	frameTyping        = "typing"
	frameRead          = "read"
	frameRecalled      = "recalled"
)

// outFrame is every frame the hub sends; unused fields are omitted.
type outFrame struct {
	Type           string                 `json:"type"`
	Role           string                 `json:"role,omitempty"`
	ConversationID conversation.ID        `json:"conversation_id,omitempty"`
	Agent          *agentView             `json:"agent,omitempty"`
	Message        *conversation.Message  `json:"message,omitempty"`
	Messages       []conversation.Message `json:"messages,omitempty"`
	Conversation   *conversationView      `json:"conversation,omitempty"`
	ClientID       string                 `json:"client_id,omitempty"`
	Seq            uint64                 `json:"seq,omitempty"`
	Position       *int                   `json:"position,omitempty"`
	WaitSeconds    *int                   `json:"estimated_wait_seconds,omitempty"`
	Items          any                    `json:"items,omitempty"`
	Reason         string                 `json:"reason,omitempty"`
	Status         string                 `json:"status,omitempty"`
	Code           string                 `json:"code,omitempty"`
	Text           string                 `json:"text,omitempty"`
	Call           *call.Call             `json:"call,omitempty"`
	Group          any                    `json:"group,omitempty"`
	Media          any                    `json:"media,omitempty"`
}

// conversationView is the part of a conversation pages may see: no token
// hash, no internal sequence numbers.
type conversationView struct {
	ID         conversation.ID    `json:"id"`
	State      conversation.State `json:"state"`
	AgentName  string             `json:"agent_name,omitempty"`
	Topic      string             `json:"topic,omitempty"`
	Channel    string             `json:"channel"`
	QueuedAt   time.Time          `json:"queued_at,omitzero"`
	AcceptedAt time.Time          `json:"accepted_at,omitzero"`
	ClosedAt   time.Time          `json:"closed_at,omitzero"`
	Rated      bool               `json:"rated"`
}

func viewOf(c conversation.Conversation) *conversationView {
	return &conversationView{
		ID:         c.ID,
		State:      c.State,
		AgentName:  c.AgentName,
		Topic:      c.Topic,
		Channel:    c.Channel,
		QueuedAt:   c.QueuedAt,
		AcceptedAt: c.AcceptedAt,
		ClosedAt:   c.ClosedAt,
		Rated:      c.Rating != nil,
	}
}

type agentView struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
	Active int    `json:"active"`
	Max    int    `json:"max"`
}

// inFrame is every command a page may send.
type inFrame struct {
	Type           string                     `json:"type"`
	ConversationID conversation.ID            `json:"conversation_id"`
	ClientID       string                     `json:"client_id"`
	Text           string                     `json:"text"`
	To             string                     `json:"to"`
	Status         string                     `json:"status"`
	Conversations  map[conversation.ID]uint64 `json:"conversations"`
	FAQID          string                     `json:"faq_id"`
	// Seq is the last line a page has shown its reader, on "read".
	Seq uint64 `json:"seq"`
	// Call carries the arguments of call and group window commands.
	Call *callCommand `json:"call"`
}

// Suggestion is a knowledge-base answer offered to the seat.
type Suggestion struct {
	FAQID    string `json:"faq_id"`
	Question string `json:"question"`
	Answer   string `json:"answer"`
}
