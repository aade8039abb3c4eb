// Package conversation owns the life of a citizen's service conversation:
// the bot exchange, the queue for a staff seat, the seat that serves it,
// transfers between seats and the end with a rating. Every change of owner
// is one bbolt transaction that also appends a system line to the
// transcript, so the transcript always explains who held the conversation.
package conversation

import (
	"fmt"
	"time"
)

// ID names a conversation.
type ID string

// State is the owner of a conversation: the queue, a seat, or nobody once closed.
type State int

// Conversation states. Only queued conversations can be accepted and only
// serving ones can be transferred.
const (
	StateUnknown State = iota
	StateQueued
	StateServing
	StateClosed
)

var stateNames = [...]string{"unknown", "queued", "serving", "closed"}

func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return fmt.Sprintf("State(%d)", int(s))
	}
	return stateNames[s]
}

// ParseState parses the String form of a state.
func ParseState(v string) (State, error) {
	for i, n := range stateNames[1:] {
		if n == v {
			return State(i + 1), nil
		}
	}
	return StateUnknown, fmt.Errorf("unknown conversation state %q", v)
}

// MarshalText encodes the state as its name.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes a state name.
func (s *State) UnmarshalText(b []byte) error {
	v, err := ParseState(string(b))
	*s = v
	return err
}

// Sender is the author kind of a message.
type Sender int

// Message senders.
const (
	SenderUnknown Sender = iota
	SenderCitizen
	SenderBot
	SenderAgent
	SenderSystem
)

var senderNames = [...]string{"unknown", "citizen", "bot", "agent", "system"}

func (s Sender) String() string {
	if s < 0 || int(s) >= len(senderNames) {
		return fmt.Sprintf("Sender(%d)", int(s))
	}
	return senderNames[s]
}

// ParseSender parses the String form of a sender.
func ParseSender(v string) (Sender, error) {
	for i, n := range senderNames[1:] {
		if n == v {
			return Sender(i + 1), nil
		}
	}
	return SenderUnknown, fmt.Errorf("unknown message sender %q", v)
}

// MarshalText encodes the sender as its name.
func (s Sender) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes a sender name.
func (s *Sender) UnmarshalText(b []byte) error {
	v, err := ParseSender(string(b))
	*s = v
	return err
}

// Conversation is the sealed record of one citizen's service.
type Conversation struct {
	ID    ID    `json:"id"`
	State State `json:"state"`
	// Channel is the citizen's entry point: "web", "mobile" or "kiosk".
	Channel string `json:"channel"`
	// TokenHash is the SHA-256 of the citizen's bearer token; the token
	// itself is only ever in the citizen's browser.
	TokenHash string `json:"token_hash"`
	// QueueSeq orders the queue. It is set at the handoff to a seat.
	QueueSeq uint64 `json:"queue_seq,omitempty"`
	// AgentID and AgentName name the seat that serves the conversation.
	AgentID   string    `json:"agent_id,omitempty"`
	AgentName string    `json:"agent_name,omitempty"`
	Topic     string    `json:"topic,omitempty"`
	LastSeq   uint64    `json:"last_seq"`
	CreatedAt time.Time `json:"created_at"`
	QueuedAt  time.Time `json:"queued_at,omitzero"`
	// AcceptedAt is the first accept; transfers do not move it, so the
	// wait time of a conversation is AcceptedAt minus QueuedAt.
	AcceptedAt time.Time `json:"accepted_at,omitzero"`
	ClosedAt   time.Time `json:"closed_at,omitzero"`
	ClosedBy   string    `json:"closed_by,omitempty"`
	Rating     *Rating   `json:"rating,omitempty"`
	// Agents lists every seat that served the conversation, in order.
	Agents []string `json:"agents,omitempty"`
}

// Message is one line of a transcript. Seq counts from 1 within its
// conversation and is the resync cursor clients keep.
type Message struct {
	ConversationID ID        `json:"conversation_id"`
	Seq            uint64    `json:"seq"`
	ClientID       string    `json:"client_id,omitempty"`
	From           Sender    `json:"from"`
	AuthorID       string    `json:"author_id,omitempty"`
	Author         string    `json:"author,omitempty"`
	Text           string    `json:"text"`
	FAQID          string    `json:"faq_id,omitempty"`
	At             time.Time `json:"at"`
	// Recalled marks a line its agent took back. The stored record keeps
	// the text for the audit trail; Messages returns it blank.
	Recalled   bool      `json:"recalled,omitempty"`
	RecalledBy string    `json:"recalled_by,omitempty"`
	RecalledAt time.Time `json:"recalled_at,omitzero"`
	// Kind and Attachment mark an image, file or voice line; Text then
	// carries a summary such as "[图片] 名称" for search and plain views.
	Kind       MessageKind `json:"kind,omitempty"`
	Attachment *Attachment `json:"attachment,omitempty"`
}

// Rating is the citizen's verdict on a finished service.
type Rating struct {
	Score   int       `json:"score"`
	Comment string    `json:"comment,omitempty"`
	At      time.Time `json:"at"`
}

// Agent is the seat-side actor of an operation.
type Agent struct {
	ID   string
	Name string
	// MaxChats caps the conversations this agent serves at once; zero
	// means the service default.
	MaxChats int
}

// QueueItem is one waiting conversation as the seat screen lists it.
type QueueItem struct {
	ConversationID ID        `json:"conversation_id"`
	Position       int       `json:"position"`
	QueuedAt       time.Time `json:"queued_at"`
	Channel        string    `json:"channel"`
	Topic          string    `json:"topic"`
}
