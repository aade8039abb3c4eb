package conversation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"wenban/appliance/store"
)

// Queue lists the waiting conversations, longest wait first.
func (s *Service) Queue(ctx context.Context) ([]QueueItem, error) {
	var items []QueueItem
	err := s.db.View(func(tx *store.Tx) error {
		return tx.Scan(bucketQueue, "", func(key string, decode store.Decoder) error {
			var id ID
			if err := decode(&id); err != nil {
				return err
			}
			c, err := getConversation(tx, id)
			if err != nil {
				return err
			}
			items = append(items, QueueItem{
				ConversationID: c.ID,
				Position:       len(items) + 1,
				QueuedAt:       c.QueuedAt,
				Channel:        c.Channel,
				Topic:          c.Topic,
			})
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing queue: %w", err)
	}
	return items, nil
}

// Position returns a queued conversation's place (1 is next) and the
// estimated wait. A conversation that is not queued has position 0.
func (s *Service) Position(ctx context.Context, id ID) (int, time.Duration, error) {
	items, err := s.Queue(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, it := range items {
		if it.ConversationID == id {
			return it.Position, s.estimate(it.Position), nil
		}
	}
	return 0, 0, nil
}

// Estimate returns the expected wait of the citizen at position.
func (s *Service) Estimate(position int) time.Duration { return s.estimate(position) }

// estimate spreads the citizens ahead over the online seats, each taking
// the recent average service time. The first in line waits only for a
// seat to reach them, which the estimate counts as no wait.
func (s *Service) estimate(position int) time.Duration {
	seats := max(s.opts.OnlineSeats(), 1)
	s.mu.Lock()
	per := s.serviceTime
	s.mu.Unlock()

	ahead := max(position-1, 0)
	rounds := (ahead + seats - 1) / seats
	return time.Duration(rounds) * per
}

// noteServiceTime folds one finished service into the moving average.
func (s *Service) noteServiceTime(d time.Duration) {
	if d <= 0 {
		return
	}
	s.mu.Lock()
	s.serviceTime = (s.serviceTime*4 + d) / 5
	s.mu.Unlock()
}

// Accept gives a queued conversation to agent. An empty id takes the one
// that has waited longest. The check and the change are one transaction,
// so of two agents accepting at once exactly one succeeds and the other
// gets ErrTaken.
func (s *Service) Accept(ctx context.Context, agent Agent, id ID) (Conversation, error) {
	var (
		c   Conversation
		msg Message
	)
	err := s.db.Update(func(tx *store.Tx) error {
		if err := s.checkCapacity(tx, agent); err != nil {
			return err
		}

		var err error
		if id == "" {
			id, err = firstQueued(tx)
			if err != nil {
				return err
			}
		}
		c, err = getConversation(tx, id)
		if err != nil {
			return err
		}
		switch c.State {
		case StateClosed:
			return ErrClosed
		case StateServing:
			return ErrTaken
		}

		if err := tx.Delete(bucketQueue, store.SeqKey(c.QueueSeq)); err != nil {
			return err
		}
		now := s.now()
		c.State = StateServing
		c.AgentID, c.AgentName = agent.ID, agent.Name
		c.AcceptedAt = now
		c.Agents = append(c.Agents, agent.ID)
		msg, err = appendMessage(tx, &c, Message{
			From: SenderSystem,
			Text: fmt.Sprintf("%s已接入，为您服务。", StaffLead(agent.Name)),
			At:   now,
		})
		if err != nil {
			return err
		}
		if err := tx.Put(bucketActive, activeKey(agent.ID, c.ID), true); err != nil {
			return err
		}
		return putConversation(tx, c)
	})
	if err != nil {
		if !errors.Is(err, ErrTaken) && !errors.Is(err, ErrQueueEmpty) && !errors.Is(err, ErrAtCapacity) {
			s.log.Warn("accept failed", "conversation", id, "agent", agent.ID, "err", err)
		}
		return Conversation{}, fmt.Errorf("accepting conversation %s: %w", id, err)
	}

	s.log.Info("conversation accepted", "conversation", c.ID, "agent", agent.ID,
		"waited", c.AcceptedAt.Sub(c.QueuedAt).Round(time.Second))
	s.index.add(msg)
	s.publish(Event{Kind: EventAccepted, Conversation: c, Message: &msg})
	return c, nil
}

func firstQueued(tx *store.Tx) (ID, error) {
	var id ID
	err := tx.Scan(bucketQueue, "", func(key string, decode store.Decoder) error {
		if err := decode(&id); err != nil {
			return err
		}
		return store.ErrStop
	})
	if err != nil {
		return "", err
	}
	if id == "" {
		return "", ErrQueueEmpty
	}
	return id, nil
}
