package conversation

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"wenban/appliance/store"
)

// SendRequest adds a line to a transcript.
type SendRequest struct {
	ConversationID ID
	From           Sender
	AuthorID       string
	Author         string
	// ClientID is the sender's own id for the message. A retry with the
	// same id returns the stored message instead of adding a copy.
	ClientID string
	Text     string
	FAQID    string
}

const maxClientIDLen = 64

// Send appends a message. Agents may write only to conversations they own;
// citizens only to open ones. It returns the stored message and whether it
// was a retry of one already stored.
func (s *Service) Send(ctx context.Context, req SendRequest) (Message, bool, error) {
	if !utf8.ValidString(req.Text) {
		return Message{}, false, &InputError{Field: "text", Message: "消息含有无法识别的字符"}
	}
	text := strings.TrimSpace(cleanText(req.Text))
	switch {
	case text == "":
		return Message{}, false, &InputError{Field: "text", Message: "消息不能为空"}
	case utf8.RuneCountInString(text) > s.opts.MaxMessageRunes:
		return Message{}, false, &InputError{Field: "text", Message: fmt.Sprintf("消息不能超过 %d 个字", s.opts.MaxMessageRunes)}
	case len(req.ClientID) > maxClientIDLen:
		return Message{}, false, &InputError{Field: "client_id", Message: "消息编号过长"}
	}

	var (
		msg Message
		dup bool
		c   Conversation
	)
	err := s.db.Update(func(tx *store.Tx) error {
		var err error
		c, err = getConversation(tx, req.ConversationID)
		if err != nil {
			return err
		}

		if req.ClientID != "" {
			var seq uint64
			found, err := tx.Get(bucketClientIDs, clientKey(c.ID, req.From, req.AuthorID, req.ClientID), &seq)
			if err != nil {
				return err
			}
			if found {
				dup = true
				_, err := tx.GetSealed(bucketMessages, messageKey(c.ID, seq), &msg)
				return err
			}
		}

		if err := checkSender(c, req); err != nil {
			return err
		}
		msg, err = appendMessage(tx, &c, Message{
			ClientID: req.ClientID,
			From:     req.From,
			AuthorID: req.AuthorID,
			Author:   req.Author,
			Text:     text,
			FAQID:    req.FAQID,
			At:       s.now(),
		})
		if err != nil {
			return err
		}
		return putConversation(tx, c)
	})
	if err != nil {
		return Message{}, false, fmt.Errorf("sending to conversation %s: %w", req.ConversationID, err)
	}
	if dup {
		return msg, true, nil
	}

	s.index.add(msg)
	s.publish(Event{Kind: EventMessage, Conversation: c, Message: &msg})
	return msg, false, nil
}

// clientKey scopes a client id to its sender, so one sender reusing
// another's id cannot have its line taken for a retry of theirs.
func clientKey(id ID, from Sender, authorID, clientID string) string {
	return string(id) + "/" + from.String() + "/" + authorID + "/" + clientID
}

// cleanText drops control characters other than newline and tab, and the
// bidirectional overrides that can make a line read backwards on the
// other side's screen.
func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r < 0x20 || r == 0x7f:
			return -1
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return -1
		}
		return r
	}, s)
}

// cleanLine is cleanText for one-line fields such as a name or a topic,
// whose newlines and tabs become spaces.
func cleanLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		return r
	}, cleanText(s))
}

func checkSender(c Conversation, req SendRequest) error {
	if c.State == StateClosed {
		return ErrClosed
	}
	switch req.From {
	case SenderCitizen:
		return nil
	case SenderAgent:
		if c.State != StateServing || c.AgentID != req.AuthorID {
			return ErrNotOwner
		}
		return nil
	default:
		return &InputError{Field: "from", Message: "发送方无效"}
	}
}
