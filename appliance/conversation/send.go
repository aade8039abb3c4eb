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
	text := strings.TrimSpace(req.Text)
	switch {
	case !utf8.ValidString(text):
		return Message{}, false, &InputError{Field: "text", Message: "消息含有无法识别的字符"}
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
			found, err := tx.Get(bucketClientIDs, string(c.ID)+"/"+req.ClientID, &seq)
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
