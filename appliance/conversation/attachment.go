package conversation

import (
	"context"
	"fmt"
	"time"

	"wenban/appliance/store"
)

// MessageKind is the content type of a transcript line. The zero value is
// a text line, so lines stored before attachments existed read as text.
type MessageKind int

// Message kinds.
const (
	KindText MessageKind = iota
	KindImage
	KindFile
	KindVoice
)

var messageKindNames = [...]string{"text", "image", "file", "voice"}

func (k MessageKind) String() string {
	if k < 0 || int(k) >= len(messageKindNames) {
		return fmt.Sprintf("MessageKind(%d)", int(k))
	}
	return messageKindNames[k]
}

// ParseMessageKind parses the String form of a message kind.
func ParseMessageKind(v string) (MessageKind, error) {
	for i, n := range messageKindNames {
		if n == v {
			return MessageKind(i), nil
		}
	}
	return KindText, fmt.Errorf("unknown message kind %q", v)
}

// MarshalText encodes the kind as its name.
func (k MessageKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText decodes a kind name.
func (k *MessageKind) UnmarshalText(b []byte) error {
	v, err := ParseMessageKind(string(b))
	*k = v
	return err
}

// Attachment is the part of a stored attachment a transcript line shows.
// The blob itself stays in package attach; pages fetch it by ID.
type Attachment struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Type is the media type sniffed from the content.
	Type string `json:"type"`
	Size int64  `json:"size"`
	// Width and Height are an image's pixel size.
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
	// DurationMS is a voice message's play time in milliseconds.
	DurationMS int64 `json:"duration_ms,omitempty"`
	// Renditions lists the derived blobs: "preview" for images, "mp4"
	// and "webm" for voice messages.
	Renditions []string `json:"renditions,omitempty"`
}

// bucketAttachmentLines maps "<conversation>/<attachment id>" to the seq
// of the line that carries it, so a download can be checked against its
// line (recalled or not) without scanning the transcript.
const bucketAttachmentLines = "message_attachments"

func attachmentKey(id ID, attachmentID string) string { return string(id) + "/" + attachmentID }

// AttachmentRequest adds an image, file or voice line to a transcript.
type AttachmentRequest struct {
	ConversationID ID
	From           Sender
	AuthorID       string
	Author         string
	// ClientID makes a retry return the stored line, as in SendRequest.
	ClientID   string
	Kind       MessageKind
	Attachment Attachment
}

// CanSend reports why the sender may not post to the conversation now,
// or nil. Upload handlers call it before they store a file.
func (s *Service) CanSend(ctx context.Context, id ID, from Sender, authorID string) error {
	c, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	return checkSender(c, SendRequest{ConversationID: id, From: from, AuthorID: authorID})
}

// SendAttachment appends a line carrying an attachment under the same
// rules as Send. It returns the stored line and whether it was a retry.
func (s *Service) SendAttachment(ctx context.Context, req AttachmentRequest) (Message, bool, error) {
	if req.Kind == KindText || req.Attachment.ID == "" {
		return Message{}, false, &InputError{Field: "attachment", Message: "附件无效"}
	}
	if len(req.ClientID) > maxClientIDLen {
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
			if dup, err = s.storedRetry(tx, c.ID, req.From, req.AuthorID, req.ClientID, &msg); dup || err != nil {
				return err
			}
		}
		if err := checkSender(c, SendRequest{From: req.From, AuthorID: req.AuthorID}); err != nil {
			return err
		}

		att := req.Attachment
		msg, err = appendMessage(tx, &c, Message{
			ClientID:   req.ClientID,
			From:       req.From,
			AuthorID:   req.AuthorID,
			Author:     req.Author,
			Text:       summary(req.Kind, att),
			At:         s.now(),
			Kind:       req.Kind,
			Attachment: &att,
		})
		if err != nil {
			return err
		}
		if err := tx.Put(bucketAttachmentLines, attachmentKey(c.ID, att.ID), msg.Seq); err != nil {
			return err
		}
		return putConversation(tx, c)
	})
	if err != nil {
		return Message{}, false, fmt.Errorf("sending %s to conversation %s: %w", req.Kind, req.ConversationID, err)
	}
	if dup {
		return msg, true, nil
	}

	s.index.add(msg)
	s.publish(Event{Kind: EventMessage, Conversation: c, Message: &msg})
	return msg, false, nil
}

func (s *Service) storedRetry(tx *store.Tx, id ID, from Sender, authorID, clientID string, msg *Message) (bool, error) {
	var seq uint64
	found, err := tx.Get(bucketClientIDs, clientKey(id, from, authorID, clientID), &seq)
	if err != nil || !found {
		return false, err
	}
	_, err = tx.GetSealed(bucketMessages, messageKey(id, seq), msg)
	return true, err
}

// summary is the text of an attachment line, for search, notifications
// and views that show only text.
func summary(kind MessageKind, a Attachment) string {
	switch kind {
	case KindImage:
		return "[图片] " + a.Name
	case KindVoice:
		secs := (time.Duration(a.DurationMS)*time.Millisecond + time.Second/2) / time.Second
		return fmt.Sprintf("[语音] %d 秒", max(secs, 1))
	}
	return "[文件] " + a.Name
}

// AttachmentLine returns the stored line that carries an attachment of
// the conversation, with its text and attachment even when recalled, so
// the caller can tell a recalled file from a live one.
func (s *Service) AttachmentLine(ctx context.Context, id ID, attachmentID string) (Message, error) {
	var msg Message
	err := s.db.View(func(tx *store.Tx) error {
		var seq uint64
		found, err := tx.Get(bucketAttachmentLines, attachmentKey(id, attachmentID), &seq)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("attachment %s in conversation %s: %w", attachmentID, id, ErrNotFound)
		}
		found, err = tx.GetSealed(bucketMessages, messageKey(id, seq), &msg)
		if err == nil && !found {
			err = fmt.Errorf("line %d of conversation %s: %w", seq, id, ErrNotFound)
		}
		return err
	})
	return msg, err
}
