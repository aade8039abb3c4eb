package conversation

import (
	"context"
	"errors"
	"testing"
	"time"
)

func servedConversation(t *testing.T, s *Service) Conversation {
	t.Helper()
	c, _ := start(t, s)
	if _, err := s.Accept(context.Background(), zhang, c.ID); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSendAttachmentLine(t *testing.T) {
	s, rec := newService(t)
	ctx := context.Background()
	c := servedConversation(t, s)

	cases := []struct {
		name     string
		kind     MessageKind
		att      Attachment
		wantText string
	}{
		{"image", KindImage, Attachment{ID: "img1", Name: "宗地图.png", Type: "image/png"}, "[图片] 宗地图.png"},
		{"file", KindFile, Attachment{ID: "f1", Name: "申请表.pdf", Type: "application/pdf"}, "[文件] 申请表.pdf"},
		{"voice", KindVoice, Attachment{ID: "v1", Name: "voice.webm", DurationMS: 4600}, "[语音] 5 秒"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg, dup, err := s.SendAttachment(ctx, AttachmentRequest{
				ConversationID: c.ID, From: SenderCitizen, ClientID: "cid-" + tc.att.ID, Kind: tc.kind, Attachment: tc.att,
			})
			if err != nil || dup {
				t.Fatalf("got dup %v, error %v; want a new line", dup, err)
			}
			if msg.Text != tc.wantText || msg.Kind != tc.kind || msg.Attachment == nil || msg.Attachment.ID != tc.att.ID {
				t.Errorf("got text %q kind %s attachment %+v, want %q %s %s", msg.Text, msg.Kind, msg.Attachment, tc.wantText, tc.kind, tc.att.ID)
			}

			again, dup, err := s.SendAttachment(ctx, AttachmentRequest{
				ConversationID: c.ID, From: SenderCitizen, ClientID: "cid-" + tc.att.ID, Kind: tc.kind, Attachment: tc.att,
			})
			if err != nil || !dup || again.Seq != msg.Seq {
				t.Errorf("retry: got seq %d dup %v error %v, want seq %d as a duplicate", again.Seq, dup, err, msg.Seq)
			}

			line, err := s.AttachmentLine(ctx, c.ID, tc.att.ID)
			if err != nil || line.Seq != msg.Seq {
				t.Errorf("AttachmentLine: got seq %d, %v, want %d", line.Seq, err, msg.Seq)
			}
		})
	}
	if kinds := rec.kinds(); kinds[len(kinds)-1] != EventMessage {
		t.Errorf("last event: got %v, want EventMessage", kinds[len(kinds)-1])
	}
	if hits, _ := s.Search(ctx, "宗地图", 5); len(hits) != 1 {
		t.Errorf("search by image name: got %d hits, want 1", len(hits))
	}
	if _, err := s.AttachmentLine(ctx, c.ID, "other"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown attachment: got %v, want ErrNotFound", err)
	}
}

func TestSendAttachmentChecksSender(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	c := servedConversation(t, s)
	att := Attachment{ID: "x", Name: "a.pdf"}

	if _, _, err := s.SendAttachment(ctx, AttachmentRequest{ConversationID: c.ID, From: SenderAgent, AuthorID: li.ID, Kind: KindFile, Attachment: att}); !errors.Is(err, ErrNotOwner) {
		t.Errorf("another agent: got %v, want ErrNotOwner", err)
	}
	if err := s.CanSend(ctx, c.ID, SenderAgent, li.ID); !errors.Is(err, ErrNotOwner) {
		t.Errorf("CanSend for another agent: got %v, want ErrNotOwner", err)
	}
	if err := s.CanSend(ctx, c.ID, SenderAgent, zhang.ID); err != nil {
		t.Errorf("CanSend for the owner: got %v, want nil", err)
	}
	if _, _, err := s.SendAttachment(ctx, AttachmentRequest{ConversationID: c.ID, From: SenderCitizen, Kind: KindText, Attachment: att}); !isInput(err) {
		t.Errorf("text kind: got %v, want an input error", err)
	}
}

func TestRecallAttachmentKeepsAudit(t *testing.T) {
	now := time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)
	db := openDB(t, t.TempDir())
	s, err := NewService(db, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); db.Close() })
	ctx := context.Background()
	c := servedConversation(t, s)

	sent, _, err := s.SendAttachment(ctx, AttachmentRequest{
		ConversationID: c.ID, From: SenderAgent, AuthorID: zhang.ID, Author: zhang.Name,
		Kind: KindFile, Attachment: Attachment{ID: "f9", Name: "错误的文件.pdf"},
	})
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(30 * time.Second)
	if _, err := s.Recall(ctx, c.ID, sent.Seq, zhang); err != nil {
		t.Fatal(err)
	}

	msgs, _ := s.Messages(ctx, c.ID, sent.Seq-1)
	if msgs[0].Attachment != nil || msgs[0].Text != "" || !msgs[0].Recalled {
		t.Errorf("recalled line as pages see it: got %+v, want no attachment and no text", msgs[0])
	}
	audit, err := s.RecalledLines(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 1 {
		t.Fatalf("got %d recalled lines, want 1", len(audit))
	}
	got := audit[0]
	if got.Attachment == nil || got.Attachment.ID != "f9" || got.Text != "[文件] 错误的文件.pdf" {
		t.Errorf("audit line: got %+v, want the original attachment and text", got)
	}
	if got.RecalledBy != zhang.ID || !got.RecalledAt.Equal(now) {
		t.Errorf("audit line: recalled by %q at %v, want %q at %v", got.RecalledBy, got.RecalledAt, zhang.ID, now)
	}
	line, err := s.AttachmentLine(ctx, c.ID, "f9")
	if err != nil || !line.Recalled {
		t.Errorf("AttachmentLine after recall: got recalled=%v, %v; want recalled", line.Recalled, err)
	}
}
