package conversation

import (
	"context"
	"fmt"
	"strings"

	"wenban/appliance/store"
)

// AppendSystemLine adds a system line, such as a call event, to an open
// conversation and publishes it to both sides as an EventMessage.
func (s *Service) AppendSystemLine(ctx context.Context, id ID, text string) (Message, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Message{}, &InputError{Field: "text", Message: "消息不能为空"}
	}

	var (
		c   Conversation
		msg Message
	)
	err := s.db.Update(func(tx *store.Tx) error {
		var err error
		c, err = getConversation(tx, id)
		if err != nil {
			return err
		}
		if c.State == StateClosed {
			return ErrClosed
		}
		msg, err = appendMessage(tx, &c, Message{From: SenderSystem, Text: text, At: s.now()})
		if err != nil {
			return err
		}
		return putConversation(tx, c)
	})
	if err != nil {
		return Message{}, fmt.Errorf("appending system line to conversation %s: %w", id, err)
	}

	s.index.add(msg)
	s.publish(Event{Kind: EventMessage, Conversation: c, Message: &msg})
	return msg, nil
}
