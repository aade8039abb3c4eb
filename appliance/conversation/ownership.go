package conversation

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"wenban/appliance/store"
)

// bucketActive indexes the open conversations of each agent, keyed
// "<agent id>/<conversation id>".
const bucketActive = "agent_active"

func activeKey(agentID string, id ID) string { return agentID + "/" + string(id) }

func (s *Service) checkCapacity(tx *store.Tx, agent Agent) error {
	limit := agent.MaxChats
	if limit <= 0 {
		limit = s.opts.MaxChats
	}
	n := 0
	err := tx.Scan(bucketActive, agent.ID+"/", func(string, store.Decoder) error {
		n++
		return nil
	})
	if err != nil {
		return err
	}
	if n >= limit {
		return ErrAtCapacity
	}
	return nil
}

// Transfer hands a conversation that from serves to another agent, with
// its whole transcript and a system line saying who passed it on.
func (s *Service) Transfer(ctx context.Context, from Agent, id ID, to Agent) (Conversation, error) {
	if to.ID == "" || to.ID == from.ID {
		return Conversation{}, &InputError{Field: "to", Message: "请选择另一位客服"}
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
		if c.State != StateServing || c.AgentID != from.ID {
			return ErrNotOwner
		}
		if err := s.checkCapacity(tx, to); err != nil {
			return err
		}

		if err := tx.Delete(bucketActive, activeKey(from.ID, id)); err != nil {
			return err
		}
		if err := tx.Put(bucketActive, activeKey(to.ID, id), true); err != nil {
			return err
		}
		c.AgentID, c.AgentName = to.ID, to.Name
		c.Agents = append(c.Agents, to.ID)
		msg, err = appendMessage(tx, &c, Message{
			From: SenderSystem,
			Text: fmt.Sprintf("%s已将会话转接给%s，为您继续服务。", StaffLead(from.Name), StaffMention(to.Name)),
			At:   s.now(),
		})
		if err != nil {
			return err
		}
		return putConversation(tx, c)
	})
	if err != nil {
		return Conversation{}, fmt.Errorf("transferring conversation %s to %s: %w", id, to.ID, err)
	}

	s.log.Info("conversation transferred", "conversation", id, "from", from.ID, "to", to.ID)
	s.index.add(msg)
	s.publish(Event{Kind: EventTransferred, Conversation: c, Message: &msg, PreviousAgentID: from.ID})
	return c, nil
}

// Closer names who ends a conversation.
type Closer struct {
	// AgentID is empty when the citizen or the hub ends the conversation.
	AgentID string
	Name    string
	// Abandoned marks a conversation the hub ends because the citizen's
	// page went away while they waited.
	Abandoned bool
}

// End closes a conversation. An agent may end only conversations it
// serves; the citizen may end their own at any time, queued or served.
func (s *Service) End(ctx context.Context, id ID, by Closer) (Conversation, error) {
	var (
		c    Conversation
		msg  Message
		prev string
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
		if by.AgentID != "" && c.AgentID != by.AgentID {
			return ErrNotOwner
		}

		switch c.State {
		case StateQueued:
			if err := tx.Delete(bucketQueue, store.SeqKey(c.QueueSeq)); err != nil {
				return err
			}
		case StateServing:
			if err := tx.Delete(bucketActive, activeKey(c.AgentID, id)); err != nil {
				return err
			}
		}

		text := "您已结束本次服务，欢迎对本次服务进行评价。"
		c.ClosedBy = "citizen"
		switch {
		case by.Abandoned:
			text = "市民已离开页面，本次服务已自动结束。"
			c.ClosedBy = "system"
		case by.AgentID != "":
			text = fmt.Sprintf("%s已结束本次服务，欢迎对本次服务进行评价。", StaffLead(by.Name))
			c.ClosedBy = by.AgentID
		}
		prev = c.AgentID
		c.State = StateClosed
		c.ClosedAt = s.now()
		msg, err = appendMessage(tx, &c, Message{From: SenderSystem, Text: text, At: c.ClosedAt})
		if err != nil {
			return err
		}
		return putConversation(tx, c)
	})
	if err != nil {
		return Conversation{}, fmt.Errorf("ending conversation %s: %w", id, err)
	}

	if !c.AcceptedAt.IsZero() {
		s.noteServiceTime(c.ClosedAt.Sub(c.AcceptedAt))
	}
	s.log.Info("conversation closed", "conversation", id, "by", c.ClosedBy)
	s.index.add(msg)
	s.publish(Event{Kind: EventClosed, Conversation: c, Message: &msg, PreviousAgentID: prev})
	return c, nil
}

// Requeue puts a conversation whose seat went away back in the queue, at
// the place it first had, so another seat can take it over.
func (s *Service) Requeue(ctx context.Context, id ID, agentID string) (Conversation, error) {
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
		if c.State != StateServing || c.AgentID != agentID {
			return ErrNotOwner
		}
		if err := tx.Delete(bucketActive, activeKey(agentID, id)); err != nil {
			return err
		}
		if err := tx.Put(bucketQueue, store.SeqKey(c.QueueSeq), c.ID); err != nil {
			return err
		}
		msg, err = appendMessage(tx, &c, Message{
			From: SenderSystem,
			Text: fmt.Sprintf("%s已离线，正在为您转接其他客服，请稍候。", StaffLead(c.AgentName)),
			At:   s.now(),
		})
		if err != nil {
			return err
		}
		c.State = StateQueued
		c.AgentID, c.AgentName = "", ""
		return putConversation(tx, c)
	})
	if err != nil {
		return Conversation{}, fmt.Errorf("requeueing conversation %s from agent %s: %w", id, agentID, err)
	}

	s.log.Info("conversation requeued", "conversation", id, "from", agentID)
	s.index.add(msg)
	s.publish(Event{Kind: EventQueued, Conversation: c, Message: &msg, PreviousAgentID: agentID})
	return c, nil
}

// Serving lists every conversation a seat serves, for the hub's start-up
// check of seats that did not come back.
func (s *Service) Serving(ctx context.Context) ([]Conversation, error) {
	var out []Conversation
	err := s.db.View(func(tx *store.Tx) error {
		return tx.Scan(bucketActive, "", func(key string, _ store.Decoder) error {
			_, id, _ := strings.Cut(key, "/")
			c, err := getConversation(tx, ID(id))
			if err != nil {
				return err
			}
			out = append(out, c)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing served conversations: %w", err)
	}
	return out, nil
}

const maxCommentRunes = 300

// Rate stores the citizen's rating of a closed conversation, once.
func (s *Service) Rate(ctx context.Context, id ID, score int, comment string) error {
	comment = strings.TrimSpace(cleanText(comment))
	switch {
	case score < 1 || score > 5:
		return &InputError{Field: "score", Message: "请选择 1 到 5 星的评分"}
	case !utf8.ValidString(comment):
		return &InputError{Field: "comment", Message: "评价内容含有无法识别的字符"}
	case utf8.RuneCountInString(comment) > maxCommentRunes:
		return &InputError{Field: "comment", Message: fmt.Sprintf("评价内容不能超过 %d 个字", maxCommentRunes)}
	}

	var c Conversation
	err := s.db.Update(func(tx *store.Tx) error {
		var err error
		c, err = getConversation(tx, id)
		if err != nil {
			return err
		}
		if c.State != StateClosed {
			return ErrNotClosed
		}
		if c.Rating != nil {
			return ErrAlreadyRated
		}
		c.Rating = &Rating{Score: score, Comment: comment, At: s.now()}
		return putConversation(tx, c)
	})
	if err != nil {
		return fmt.Errorf("rating conversation %s: %w", id, err)
	}

	s.log.Info("conversation rated", "conversation", id, "score", score)
	s.publish(Event{Kind: EventRated, Conversation: c})
	return nil
}

// Active returns the open conversations an agent serves, oldest first.
func (s *Service) Active(ctx context.Context, agentID string) ([]Conversation, error) {
	var out []Conversation
	err := s.db.View(func(tx *store.Tx) error {
		return tx.Scan(bucketActive, agentID+"/", func(key string, _ store.Decoder) error {
			c, err := getConversation(tx, ID(strings.TrimPrefix(key, agentID+"/")))
			if err != nil {
				return err
			}
			out = append(out, c)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing conversations of agent %s: %w", agentID, err)
	}
	sortByCreated(out, false)
	return out, nil
}

// ListFilter selects conversations for the history list.
type ListFilter struct {
	// Limit caps the result; zero means 50.
	Limit int
	// Before keeps conversations created before it; zero means now.
	Before time.Time
}

// List returns conversations newest first.
func (s *Service) List(ctx context.Context, f ListFilter) ([]Conversation, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var all []Conversation
	err := s.db.View(func(tx *store.Tx) error {
		return tx.ScanSealed(bucketConversations, "", func(_ string, decode store.Decoder) error {
			var c Conversation
			if err := decode(&c); err != nil {
				return err
			}
			if f.Before.IsZero() || c.CreatedAt.Before(f.Before) {
				all = append(all, c)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing conversations: %w", err)
	}
	sortByCreated(all, true)
	if len(all) > f.Limit {
		all = all[:f.Limit]
	}
	return all, nil
}
