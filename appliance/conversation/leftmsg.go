package conversation

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"wenban/appliance/store"
)

const bucketLeftMessages = "left_messages"

// LeftMessage is a message a citizen left when no seat was open (留言).
type LeftMessage struct {
	ID string `json:"id"`
	// Ref is the reference number the citizen is shown, such as
	// "LY20261204-0007": the day in Beijing time and the message's number
	// within that day. Messages stored before references existed have none.
	Ref     string    `json:"ref,omitempty"`
	Name    string    `json:"name"`
	Phone   string    `json:"phone"`
	Text    string    `json:"text"`
	Channel string    `json:"channel"`
	At      time.Time `json:"at"`
	// Reply and RepliedBy are set when staff answer the message.
	Reply     string    `json:"reply,omitempty"`
	RepliedBy string    `json:"replied_by,omitempty"`
	RepliedAt time.Time `json:"replied_at,omitzero"`
}

// Mobile numbers, and landlines with an area code and optional extension.
var phonePattern = regexp.MustCompile(`^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$`)

const (
	maxNameRunes     = 32
	maxLeftTextRunes = 1000
)

// LeaveMessage validates and stores a citizen's message.
func (s *Service) LeaveMessage(ctx context.Context, m LeftMessage) (LeftMessage, error) {
	m.Name = strings.TrimSpace(cleanLine(m.Name))
	m.Phone = strings.ReplaceAll(strings.TrimSpace(cleanLine(m.Phone)), " ", "")
	m.Text = strings.TrimSpace(cleanText(m.Text))
	if err := validateLeft(m); err != nil {
		return LeftMessage{}, err
	}
	if m.Channel == "" {
		m.Channel = "web"
	}
	if !channels[m.Channel] {
		return LeftMessage{}, &InputError{Field: "channel", Message: "接入渠道无效。"}
	}

	err := s.db.Update(func(tx *store.Tx) error {
		seq, err := tx.NextSeq(bucketLeftMessages)
		if err != nil {
			return err
		}
		m.ID = store.SeqKey(seq)
		m.At = s.now()
		if m.Ref, err = assignRef(tx, m.ID, m.At); err != nil {
			return err
		}
		return tx.PutSealed(bucketLeftMessages, m.ID, m)
	})
	if err != nil {
		return LeftMessage{}, fmt.Errorf("storing left message: %w", err)
	}
	s.log.Info("message left", "id", m.ID, "ref", m.Ref, "channel", m.Channel)
	return m, nil
}

func validateLeft(m LeftMessage) error {
	for field, v := range map[string]string{"name": m.Name, "phone": m.Phone, "text": m.Text} {
		if !utf8.ValidString(v) {
			return &InputError{Field: field, Message: "内容含有无法识别的字符。"}
		}
	}
	switch n := utf8.RuneCountInString(m.Name); {
	case n == 0:
		return &InputError{Field: "name", Message: "请填写您的姓名。"}
	case n > maxNameRunes:
		return &InputError{Field: "name", Message: fmt.Sprintf("姓名不能超过 %d 个字。", maxNameRunes)}
	}
	if !phonePattern.MatchString(m.Phone) {
		return &InputError{Field: "phone", Message: "请填写正确的手机号码或带区号的固定电话。"}
	}
	switch n := utf8.RuneCountInString(m.Text); {
	case n == 0:
		return &InputError{Field: "text", Message: "请填写留言内容。"}
	case n > maxLeftTextRunes:
		return &InputError{Field: "text", Message: fmt.Sprintf("留言内容不能超过 %d 个字。", maxLeftTextRunes)}
	}
	return nil
}

// LeftMessages lists left messages, newest first.
func (s *Service) LeftMessages(ctx context.Context) ([]LeftMessage, error) {
	var out []LeftMessage
	err := s.db.View(func(tx *store.Tx) error {
		return tx.ScanSealed(bucketLeftMessages, "", func(_ string, decode store.Decoder) error {
			var m LeftMessage
			if err := decode(&m); err != nil {
				return err
			}
			out = append(out, m)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing left messages: %w", err)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// ReplyLeftMessage records staff's answer to a left message.
func (s *Service) ReplyLeftMessage(ctx context.Context, id string, agent Agent, reply string) (LeftMessage, error) {
	reply = strings.TrimSpace(cleanText(reply))
	if reply == "" || !utf8.ValidString(reply) || utf8.RuneCountInString(reply) > maxLeftTextRunes {
		return LeftMessage{}, &InputError{Field: "reply", Message: fmt.Sprintf("请填写 1 到 %d 个字的回复。", maxLeftTextRunes)}
	}
	var m LeftMessage
	err := s.db.Update(func(tx *store.Tx) error {
		ok, err := tx.GetSealed(bucketLeftMessages, id, &m)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("left message %s: %w", id, ErrNotFound)
		}
		m.Reply, m.RepliedBy, m.RepliedAt = reply, agent.Name, s.now()
		return tx.PutSealed(bucketLeftMessages, id, m)
	})
	if err != nil {
		return LeftMessage{}, fmt.Errorf("replying to left message %s: %w", id, err)
	}
	return m, nil
}
