package conversation

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"wenban/appliance/store"
)

// Buckets. Conversation and message values are sealed; the queue and the
// client-id index hold only random ids and sequence numbers.
const (
	bucketConversations = "conversations"
	bucketMessages      = "messages"
	bucketClientIDs     = "message_client_ids"
	bucketQueue         = "queue"
)

// Event is a committed change that subscribers relay to open pages.
// Message is set when the change added a transcript line.
type Event struct {
	Kind         EventKind
	Conversation Conversation
	Message      *Message
	// PreviousAgentID is the agent that lost the conversation, on
	// transfers and closes.
	PreviousAgentID string
	// RecalledSeq is the line an agent took back, on EventRecalled.
	RecalledSeq uint64
}

// EventKind is the kind of an Event.
type EventKind int

// Event kinds.
const (
	EventUnknown EventKind = iota
	EventMessage
	EventQueued
	EventAccepted
	EventTransferred
	EventClosed
	EventRated
	// EventRecalled carries the system line of a recall; RecalledSeq names
	// the line taken back.
	EventRecalled
)

// Publisher receives events after their transaction committed.
type Publisher interface {
	Publish(Event)
}

// Options configure a Service. Zero values mean the documented defaults.
type Options struct {
	// MaxChats is the default number of conversations one agent serves at
	// once. Zero means 5.
	MaxChats int
	// MaxMessageRunes limits a message's length. Zero means 2000.
	MaxMessageRunes int
	// MaxQueue caps the citizens waiting at once; further handoffs get
	// ErrQueueFull and the page offers the leave-message form. It also
	// bounds what one client can pile up. Zero means 200.
	MaxQueue int
	// MaxQuestions caps the bot questions kept for the learning loop; the
	// oldest go first. Zero means 100,000, more than a year of a hall's
	// questions in about 60 MB.
	MaxQuestions int
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
	// Logger receives lifecycle and error logs. Nil means slog.Default().
	Logger *slog.Logger
	// Publisher receives events. Nil drops them.
	Publisher Publisher
	// OnlineSeats counts the seats accepting citizens, for the wait
	// estimate. Nil counts one.
	OnlineSeats func() int
}

// Service runs conversations on the store.
type Service struct {
	db    *store.DB
	opts  Options
	log   *slog.Logger
	index *historyIndex

	// mu guards the service-time average behind the wait estimate.
	mu          sync.Mutex
	serviceTime time.Duration
}

// defaultServiceTime seeds the wait estimate before any service has ended.
const defaultServiceTime = 5 * time.Minute

// NewService opens the service and builds the in-memory history index
// from the sealed transcripts.
func NewService(db *store.DB, opts Options) (*Service, error) {
	if opts.MaxChats <= 0 {
		opts.MaxChats = 5
	}
	if opts.MaxMessageRunes <= 0 {
		opts.MaxMessageRunes = 2000
	}
	if opts.MaxQueue <= 0 {
		opts.MaxQueue = 200
	}
	if opts.MaxQuestions <= 0 {
		opts.MaxQuestions = 100_000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.OnlineSeats == nil {
		opts.OnlineSeats = func() int { return 1 }
	}

	s := &Service{db: db, opts: opts, log: opts.Logger, serviceTime: defaultServiceTime}
	if err := s.trimQuestions(); err != nil {
		return nil, err
	}
	idx, err := buildHistoryIndex(db)
	if err != nil {
		return nil, err
	}
	s.index = idx
	return s, nil
}

// SetPublisher installs the event receiver. Call it before serving.
func (s *Service) SetPublisher(p Publisher) { s.opts.Publisher = p }

// SetOnlineSeats installs the seat counter. Call it before serving.
func (s *Service) SetOnlineSeats(f func() int) { s.opts.OnlineSeats = f }

// Close releases the history index.
func (s *Service) Close() error { return s.index.Close() }

// Ready reports whether the history index is open.
func (s *Service) Ready() error { return s.index.Ready() }

func (s *Service) publish(ev Event) {
	if s.opts.Publisher != nil {
		s.opts.Publisher.Publish(ev)
	}
}

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

// Line is one line of the bot exchange a citizen had before the handoff.
type Line struct {
	From Sender `json:"from"`
	Text string `json:"text"`
}

// StartRequest opens a conversation and queues it for a seat.
type StartRequest struct {
	Channel    string
	Topic      string
	Transcript []Line
}

// Limits on a handoff request.
const (
	maxTranscriptLines = 20
	maxTopicRunes      = 200
)

var channels = map[string]bool{"web": true, "mobile": true, "kiosk": true}

// Start creates a queued conversation carrying the bot exchange so far and
// returns it with the citizen's bearer token, which is not stored.
func (s *Service) Start(ctx context.Context, req StartRequest) (Conversation, string, error) {
	if req.Channel == "" {
		req.Channel = "web"
	}
	if !channels[req.Channel] {
		return Conversation{}, "", &InputError{Field: "channel", Message: "接入渠道无效"}
	}
	if len(req.Transcript) > maxTranscriptLines {
		req.Transcript = req.Transcript[len(req.Transcript)-maxTranscriptLines:]
	}
	req.Topic = truncateRunes(strings.TrimSpace(cleanLine(req.Topic)), maxTopicRunes)

	id, err := randomID()
	if err != nil {
		return Conversation{}, "", err
	}
	token, err := randomToken()
	if err != nil {
		return Conversation{}, "", err
	}

	now := s.now()
	c := Conversation{
		ID:        id,
		State:     StateQueued,
		Channel:   req.Channel,
		TokenHash: hashToken(token),
		Topic:     req.Topic,
		CreatedAt: now,
		QueuedAt:  now,
	}
	var added []Message
	err = s.db.Update(func(tx *store.Tx) error {
		waiting, err := countQueued(tx)
		if err != nil {
			return err
		}
		if waiting >= s.opts.MaxQueue {
			return ErrQueueFull
		}
		for _, l := range req.Transcript {
			if l.From != SenderCitizen && l.From != SenderBot {
				return &InputError{Field: "transcript", Message: "对话记录格式无效"}
			}
			text := truncateRunes(strings.TrimSpace(cleanText(l.Text)), s.opts.MaxMessageRunes)
			if text == "" {
				continue
			}
			m, err := appendMessage(tx, &c, Message{From: l.From, Text: text, At: now})
			if err != nil {
				return err
			}
			added = append(added, m)
		}
		m, err := appendMessage(tx, &c, Message{From: SenderSystem, Text: "您已进入人工服务排队，请稍候。", At: now})
		if err != nil {
			return err
		}
		added = append(added, m)

		seq, err := tx.NextSeq(bucketQueue)
		if err != nil {
			return err
		}
		c.QueueSeq = seq
		if err := tx.Put(bucketQueue, store.SeqKey(seq), c.ID); err != nil {
			return err
		}
		return putConversation(tx, c)
	})
	if err != nil {
		return Conversation{}, "", fmt.Errorf("starting conversation: %w", err)
	}

	s.index.addAll(added)
	s.log.Info("conversation queued", "conversation", c.ID, "channel", c.Channel)
	s.publish(Event{Kind: EventQueued, Conversation: c})
	return c, token, nil
}

// CookieValue joins a conversation id and its token for the citizen cookie.
func CookieValue(id ID, token string) string { return string(id) + "." + token }

// Authenticate checks a citizen cookie value and returns its conversation.
func (s *Service) Authenticate(ctx context.Context, cookie string) (Conversation, error) {
	id, token, ok := strings.Cut(cookie, ".")
	if !ok || id == "" || token == "" {
		return Conversation{}, ErrBadToken
	}
	c, err := s.Get(ctx, ID(id))
	if err != nil {
		return Conversation{}, err
	}
	if subtle.ConstantTimeCompare([]byte(hashToken(token)), []byte(c.TokenHash)) != 1 {
		return Conversation{}, ErrBadToken
	}
	if err := s.tokenExpired(c); err != nil {
		return Conversation{}, err
	}
	return c, nil
}

// ratingWindow is how long after the end a citizen may still open a
// conversation to rate it. Afterwards, and once rated, the token opens
// nothing: on a shared kiosk the next person must not read the transcript.
const ratingWindow = 30 * time.Minute

func (s *Service) tokenExpired(c Conversation) error {
	switch {
	case c.State != StateClosed:
		return nil
	case c.Rating != nil:
		return fmt.Errorf("%w: %w", ErrTokenExpired, ErrAlreadyRated)
	case s.now().Sub(c.ClosedAt) > ratingWindow:
		return ErrTokenExpired
	}
	return nil
}

// Get returns a conversation.
func (s *Service) Get(ctx context.Context, id ID) (Conversation, error) {
	var c Conversation
	err := s.db.View(func(tx *store.Tx) error {
		var err error
		c, err = getConversation(tx, id)
		return err
	})
	return c, err
}

// Messages returns the transcript lines after seq after, in order.
func (s *Service) Messages(ctx context.Context, id ID, after uint64) ([]Message, error) {
	var out []Message
	err := s.db.View(func(tx *store.Tx) error {
		if _, err := getConversation(tx, id); err != nil {
			return err
		}
		var err error
		out, err = scanMessages(tx, id, after)
		return err
	})
	return out, err
}

func getConversation(tx *store.Tx, id ID) (Conversation, error) {
	var c Conversation
	ok, err := tx.GetSealed(bucketConversations, string(id), &c)
	if err != nil {
		return Conversation{}, fmt.Errorf("reading conversation %s: %w", id, err)
	}
	if !ok {
		return Conversation{}, fmt.Errorf("conversation %s: %w", id, ErrNotFound)
	}
	return c, nil
}

func putConversation(tx *store.Tx, c Conversation) error {
	return tx.PutSealed(bucketConversations, string(c.ID), c)
}

func messageKey(id ID, seq uint64) string { return string(id) + "/" + store.SeqKey(seq) }

func scanMessages(tx *store.Tx, id ID, after uint64) ([]Message, error) {
	var out []Message
	err := tx.ScanSealed(bucketMessages, string(id)+"/", func(key string, decode store.Decoder) error {
		var m Message
		if err := decode(&m); err != nil {
			return err
		}
		if m.Seq > after {
			out = append(out, m.public())
		}
		return nil
	})
	return out, err
}

// appendMessage stores m as the next line of c and advances c.LastSeq;
// the caller stores c in the same transaction.
func appendMessage(tx *store.Tx, c *Conversation, m Message) (Message, error) {
	c.LastSeq++
	m.ConversationID = c.ID
	m.Seq = c.LastSeq
	if err := tx.PutSealed(bucketMessages, messageKey(c.ID, m.Seq), m); err != nil {
		return Message{}, err
	}
	if m.ClientID != "" {
		if err := tx.Put(bucketClientIDs, clientKey(c.ID, m.From, m.AuthorID, m.ClientID), m.Seq); err != nil {
			return Message{}, err
		}
	}
	return m, nil
}

func countQueued(tx *store.Tx) (int, error) {
	n := 0
	err := tx.Scan(bucketQueue, "", func(string, store.Decoder) error {
		n++
		return nil
	})
	return n, err
}

// public returns the line as pages may show it: a recalled line without
// its text or attachment.
func (m Message) public() Message {
	if m.Recalled {
		m.Text = ""
		m.Attachment = nil
	}
	return m
}

func randomID() (ID, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating conversation id: %w", err)
	}
	return ID(hex.EncodeToString(b)), nil
}

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating citizen token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// isInput reports whether err is a validation failure.
func isInput(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}
