package conversation

import (
	"context"
	"fmt"
	"time"

	"wenban/appliance/store"
)

// RecallWindow is how long after sending an agent may take a line back.
const RecallWindow = 2 * time.Minute

// ErrRecallExpired means the line is older than RecallWindow.
var ErrRecallExpired = fmt.Errorf("line is older than the %v recall window", RecallWindow)

// Recall takes back a line an agent sent in a conversation they serve. The
// stored line keeps its text and gains who recalled it and when, for the
// audit trail. Pages show it as recalled, and a system line records the
// recall in the transcript.
func (s *Service) Recall(ctx context.Context, id ID, seq uint64, agent Agent) (Message, error) {
	var (
		c      Conversation
		target Message
		notice Message
	)
	err := s.db.Update(func(tx *store.Tx) error {
		var err error
		c, err = getConversation(tx, id)
		if err != nil {
			return err
		}
		if c.State != StateServing || c.AgentID != agent.ID {
			return ErrNotOwner
		}

		found, err := tx.GetSealed(bucketMessages, messageKey(id, seq), &target)
		if err != nil {
			return err
		}
		switch {
		case !found:
			return fmt.Errorf("line %d: %w", seq, ErrNotFound)
		case target.From != SenderAgent || target.AuthorID != agent.ID:
			return ErrNotOwner
		case target.Recalled:
			return nil
		case s.now().Sub(target.At) > RecallWindow:
			return ErrRecallExpired
		}

		now := s.now()
		target.Recalled, target.RecalledBy, target.RecalledAt = true, agent.ID, now
		if err := tx.PutSealed(bucketMessages, messageKey(id, seq), target); err != nil {
			return err
		}
		notice, err = appendMessage(tx, &c, Message{
			From: SenderSystem,
			Text: fmt.Sprintf("%s撤回了一条消息。", StaffLead(agent.Name)),
			At:   now,
		})
		if err != nil {
			return err
		}
		return putConversation(tx, c)
	})
	if err != nil {
		return Message{}, fmt.Errorf("recalling line %d of conversation %s: %w", seq, id, err)
	}
	if notice.Seq == 0 {
		// Already recalled: nothing changed.
		return target.public(), nil
	}

	s.log.Info("line recalled", "conversation", id, "seq", seq, "agent", agent.ID)
	s.index.remove(target)
	s.publish(Event{Kind: EventRecalled, Conversation: c, Message: &notice, RecalledSeq: seq})
	return target.public(), nil
}
