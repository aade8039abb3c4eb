package conversation

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"wenban/appliance/seal"
	"wenban/appliance/store"
)

type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) Publish(ev Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

func (r *recorder) kinds() []EventKind {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]EventKind, len(r.events))
	for i, ev := range r.events {
		out[i] = ev.Kind
	}
	return out
}

func openDB(t *testing.T, dir string) *store.DB {
	t.Helper()
	master, err := seal.LoadMasterKey(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(dir, "wenban.db"), master)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func newService(t *testing.T) (*Service, *recorder) {
	t.Helper()
	db := openDB(t, t.TempDir())
	rec := &recorder{}
	s, err := NewService(db, Options{Publisher: rec, MaxChats: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		db.Close()
	})
	return s, rec
}

var (
	zhang = Agent{ID: "a1", Name: "张敏"}
	li    = Agent{ID: "a2", Name: "李华"}
)

func start(t *testing.T, s *Service) (Conversation, string) {
	t.Helper()
	c, token, err := s.Start(context.Background(), StartRequest{
		Channel: "web",
		Topic:   "二手房过户要带什么",
		Transcript: []Line{
			{From: SenderCitizen, Text: "二手房过户要带什么"},
			{From: SenderBot, Text: "请携带身份证、不动产权证书和买卖合同。"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, token
}

func TestStartQueuesWithTranscript(t *testing.T) {
	s, rec := newService(t)
	ctx := context.Background()
	c, token := start(t, s)

	if c.State != StateQueued {
		t.Errorf("state: got %v, want queued", c.State)
	}
	msgs, err := s.Messages(ctx, c.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 {
		t.Fatalf("transcript: got %d lines, want 3 (question, answer, system)", len(msgs))
	}
	if msgs[0].From != SenderCitizen || msgs[1].From != SenderBot || msgs[2].From != SenderSystem {
		t.Errorf("senders: got %v %v %v", msgs[0].From, msgs[1].From, msgs[2].From)
	}
	if got, err := s.Authenticate(ctx, CookieValue(c.ID, token)); err != nil || got.ID != c.ID {
		t.Errorf("authenticate with token: got %v, %v", got.ID, err)
	}
	if _, err := s.Authenticate(ctx, CookieValue(c.ID, "wrong")); !errors.Is(err, ErrBadToken) {
		t.Errorf("authenticate with wrong token: got %v, want ErrBadToken", err)
	}
	if pos, _, _ := s.Position(ctx, c.ID); pos != 1 {
		t.Errorf("position: got %d, want 1", pos)
	}
	if k := rec.kinds(); len(k) != 1 || k[0] != EventQueued {
		t.Errorf("events: got %v, want [queued]", k)
	}
}

func TestAcceptTransferEndRate(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	c, _ := start(t, s)

	got, err := s.Accept(ctx, zhang, "")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != c.ID || got.State != StateServing || got.AgentID != zhang.ID {
		t.Fatalf("accept: got %+v", got)
	}
	if items, _ := s.Queue(ctx); len(items) != 0 {
		t.Errorf("queue after accept: got %d items, want 0", len(items))
	}

	if _, _, err := s.Send(ctx, SendRequest{ConversationID: c.ID, From: SenderAgent, AuthorID: li.ID, Text: "你好"}); !errors.Is(err, ErrNotOwner) {
		t.Errorf("send by non-owner: got %v, want ErrNotOwner", err)
	}
	if _, err := s.Transfer(ctx, zhang, c.ID, li); err != nil {
		t.Fatal(err)
	}
	active, _ := s.Active(ctx, li.ID)
	if len(active) != 1 || active[0].ID != c.ID {
		t.Errorf("li active after transfer: got %d", len(active))
	}
	if active, _ := s.Active(ctx, zhang.ID); len(active) != 0 {
		t.Errorf("zhang active after transfer: got %d, want 0", len(active))
	}

	if err := s.Rate(ctx, c.ID, 5, ""); !errors.Is(err, ErrNotClosed) {
		t.Errorf("rate before end: got %v, want ErrNotClosed", err)
	}
	if _, err := s.End(ctx, c.ID, Closer{AgentID: li.ID, Name: li.Name}); err != nil {
		t.Fatal(err)
	}
	if err := s.Rate(ctx, c.ID, 6, ""); err == nil {
		t.Error("rate 6: got nil error, want invalid score")
	}
	if err := s.Rate(ctx, c.ID, 5, "很满意"); err != nil {
		t.Fatal(err)
	}
	if err := s.Rate(ctx, c.ID, 4, ""); !errors.Is(err, ErrAlreadyRated) {
		t.Errorf("second rating: got %v, want ErrAlreadyRated", err)
	}

	msgs, _ := s.Messages(ctx, c.ID, 0)
	var system []string
	for _, m := range msgs {
		if m.From == SenderSystem {
			system = append(system, m.Text)
		}
	}
	want := []string{"排队", "客服张敏已接入", "转接给客服李华", "客服李华已结束"}
	if len(system) != len(want) {
		t.Fatalf("system lines: got %q, want %d lines", system, len(want))
	}
	for i, w := range want {
		if !strings.Contains(system[i], w) {
			t.Errorf("system line %d: got %q, want it to contain %q", i, system[i], w)
		}
	}
}

func TestSendDeduplicatesClientID(t *testing.T) {
	s, rec := newService(t)
	ctx := context.Background()
	c, _ := start(t, s)

	first, dup, err := s.Send(ctx, SendRequest{ConversationID: c.ID, From: SenderCitizen, ClientID: "c-1", Text: "还在吗"})
	if err != nil || dup {
		t.Fatalf("first send: dup=%v err=%v", dup, err)
	}
	again, dup, err := s.Send(ctx, SendRequest{ConversationID: c.ID, From: SenderCitizen, ClientID: "c-1", Text: "还在吗"})
	if err != nil || !dup {
		t.Fatalf("retry: dup=%v err=%v, want dup", dup, err)
	}
	if again.Seq != first.Seq {
		t.Errorf("retry seq: got %d, want %d", again.Seq, first.Seq)
	}
	msgs, _ := s.Messages(ctx, c.ID, first.Seq-1)
	if len(msgs) != 1 {
		t.Errorf("messages after retry: got %d, want 1", len(msgs))
	}
	n := 0
	for _, k := range rec.kinds() {
		if k == EventMessage {
			n++
		}
	}
	if n != 1 {
		t.Errorf("message events: got %d, want 1", n)
	}
}

func TestSendValidation(t *testing.T) {
	s, _ := newService(t)
	c, _ := start(t, s)
	cases := []struct {
		name string
		text string
	}{
		{"empty", "   "},
		{"too long", strings.Repeat("长", 2001)},
		{"invalid utf8", "\xff\xfe"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := s.Send(context.Background(), SendRequest{ConversationID: c.ID, From: SenderCitizen, Text: tc.text})
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Errorf("got %v, want *InputError", err)
			}
		})
	}
}

func TestAcceptCapacityAndEmptyQueue(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	if _, err := s.Accept(ctx, zhang, ""); !errors.Is(err, ErrQueueEmpty) {
		t.Errorf("empty queue: got %v, want ErrQueueEmpty", err)
	}
	for range 3 {
		start(t, s)
	}
	for i := range 2 {
		if _, err := s.Accept(ctx, zhang, ""); err != nil {
			t.Fatalf("accept %d: %v", i, err)
		}
	}
	if _, err := s.Accept(ctx, zhang, ""); !errors.Is(err, ErrAtCapacity) {
		t.Errorf("third accept with limit 2: got %v, want ErrAtCapacity", err)
	}
}

func TestConcurrentAcceptExactlyOneWins(t *testing.T) {
	s, _ := newService(t)
	c, _ := start(t, s)

	const n = 50
	var (
		wg             sync.WaitGroup
		mu             sync.Mutex
		winners, taken int
		other          []error
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			agent := Agent{ID: fmt.Sprintf("agent-%02d", i), Name: fmt.Sprintf("客服%02d", i)}
			_, err := s.Accept(context.Background(), agent, c.ID)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				winners++
			case errors.Is(err, ErrTaken):
				taken++
			default:
				other = append(other, err)
			}
		}()
	}
	wg.Wait()

	if winners != 1 {
		t.Errorf("winners: got %d, want 1", winners)
	}
	if taken != n-1 {
		t.Errorf("told taken: got %d, want %d", taken, n-1)
	}
	if len(other) > 0 {
		t.Errorf("unexpected errors: %v", other)
	}
	got, _ := s.Get(context.Background(), c.ID)
	if len(got.Agents) != 1 {
		t.Errorf("agents on record: got %v, want one", got.Agents)
	}
}

func TestHistorySearchRebuiltAfterRestart(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, dir)
	s, err := NewService(db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, _, err := s.Start(ctx, StartRequest{Transcript: []Line{{From: SenderCitizen, Text: "我想提交不动产登记申请"}}})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db.Close()

	db = openDB(t, dir)
	defer db.Close()
	s, err = NewService(db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	hits, err := s.Search(ctx, "登记", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].Conversation.ID != c.ID {
		t.Fatalf("search 登记: got %d hits, want conversation %s", len(hits), c.ID)
	}
	if !strings.Contains(hits[0].Snippets[0], "<mark>") {
		t.Errorf("snippet %q has no highlight", hits[0].Snippets[0])
	}
	if hits, _ := s.Search(ctx, "采矿权", 10); len(hits) != 0 {
		t.Errorf("search 采矿权: got %d hits, want 0", len(hits))
	}
}

func TestLeaveMessageValidation(t *testing.T) {
	s, _ := newService(t)
	cases := []struct {
		name  string
		msg   LeftMessage
		field string
	}{
		{"ok mobile", LeftMessage{Name: "王芳", Phone: "13800138000", Text: "想咨询宅基地"}, ""},
		{"ok landline", LeftMessage{Name: "王芳", Phone: "0731-88888888", Text: "想咨询宅基地"}, ""},
		{"no name", LeftMessage{Phone: "13800138000", Text: "x"}, "name"},
		{"bad phone", LeftMessage{Name: "王芳", Phone: "12345", Text: "x"}, "phone"},
		{"no text", LeftMessage{Name: "王芳", Phone: "13800138000"}, "text"},
		{"long text", LeftMessage{Name: "王芳", Phone: "13800138000", Text: strings.Repeat("字", 1001)}, "text"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.LeaveMessage(context.Background(), tc.msg)
			var ie *InputError
			switch {
			case tc.field == "" && err != nil:
				t.Errorf("got %v, want success", err)
			case tc.field != "" && (!errors.As(err, &ie) || ie.Field != tc.field):
				t.Errorf("got %v, want input error on %s", err, tc.field)
			}
		})
	}
	list, _ := s.LeftMessages(context.Background())
	if len(list) != 2 {
		t.Errorf("stored: got %d, want 2", len(list))
	}
}

func TestEstimateSpreadsOverSeats(t *testing.T) {
	s, _ := newService(t)
	s.SetOnlineSeats(func() int { return 2 })
	cases := []struct {
		position int
		want     time.Duration
	}{
		{1, 0},
		{2, defaultServiceTime},
		{3, defaultServiceTime},
		{4, 2 * defaultServiceTime},
	}
	for _, c := range cases {
		if got := s.Estimate(c.position); got != c.want {
			t.Errorf("position %d with 2 seats: got %v, want %v", c.position, got, c.want)
		}
	}
	s.noteServiceTime(time.Minute)
	if got := s.Estimate(2); got >= defaultServiceTime {
		t.Errorf("after a 1-minute service: got %v, want below %v", got, defaultServiceTime)
	}
}

func TestSendCleansControlCharacters(t *testing.T) {
	s, _ := newService(t)
	c, _ := start(t, s)
	msg, _, err := s.Send(context.Background(), SendRequest{
		ConversationID: c.ID, From: SenderCitizen, Text: "你好\x00\x1b[31m\u202e反向\n第二行",
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "你好[31m反向\n第二行"; msg.Text != want {
		t.Errorf("stored text: got %q, want %q", msg.Text, want)
	}
}

func TestClientIDScopedToSender(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	c, _ := start(t, s)
	if _, err := s.Accept(ctx, zhang, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Send(ctx, SendRequest{ConversationID: c.ID, From: SenderAgent, AuthorID: zhang.ID, ClientID: "x1", Text: "您好"}); err != nil {
		t.Fatal(err)
	}
	// Another agent reusing the id is refused as a non-owner, not
	// acknowledged as a retry of zhang's line.
	_, dup, err := s.Send(ctx, SendRequest{ConversationID: c.ID, From: SenderAgent, AuthorID: li.ID, ClientID: "x1", Text: "冒充"})
	if !errors.Is(err, ErrNotOwner) || dup {
		t.Errorf("reused id by li: got dup=%v err=%v, want ErrNotOwner", dup, err)
	}
}

func TestTokenExpiresAfterRating(t *testing.T) {
	now := time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)
	db := openDB(t, t.TempDir())
	s, err := NewService(db, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); db.Close() })
	ctx := context.Background()

	c, token := start(t, s)
	cookie := CookieValue(c.ID, token)
	if _, err := s.End(ctx, c.ID, Closer{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, cookie); err != nil {
		t.Fatalf("within the rating window: got %v, want the conversation", err)
	}
	if err := s.Rate(ctx, c.ID, 5, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, cookie); !errors.Is(err, ErrTokenExpired) {
		t.Errorf("after rating: got %v, want ErrTokenExpired", err)
	}

	c2, token2 := start(t, s)
	if _, err := s.End(ctx, c2.ID, Closer{}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(ratingWindow + time.Minute)
	if _, err := s.Authenticate(ctx, CookieValue(c2.ID, token2)); !errors.Is(err, ErrTokenExpired) {
		t.Errorf("after the rating window: got %v, want ErrTokenExpired", err)
	}
}

func TestStartRejectsWhenQueueFull(t *testing.T) {
	db := openDB(t, t.TempDir())
	s, err := NewService(db, Options{MaxQueue: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); db.Close() })
	start(t, s)
	start(t, s)
	if _, _, err := s.Start(context.Background(), StartRequest{}); !errors.Is(err, ErrQueueFull) {
		t.Errorf("third handoff with MaxQueue 2: got %v, want ErrQueueFull", err)
	}
}

func TestRequeueReturnsToFront(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	first, _ := start(t, s)
	second, _ := start(t, s)
	if _, err := s.Accept(ctx, zhang, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Requeue(ctx, first.ID, li.ID); !errors.Is(err, ErrNotOwner) {
		t.Errorf("requeue by non-owner: got %v, want ErrNotOwner", err)
	}
	c, err := s.Requeue(ctx, first.ID, zhang.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.State != StateQueued || c.AgentID != "" {
		t.Errorf("after requeue: got state %v agent %q", c.State, c.AgentID)
	}
	items, _ := s.Queue(ctx)
	if len(items) != 2 || items[0].ConversationID != first.ID || items[1].ConversationID != second.ID {
		t.Errorf("queue order after requeue: got %+v, want first then second", items)
	}
	if active, _ := s.Active(ctx, zhang.ID); len(active) != 0 {
		t.Errorf("zhang still holds %d conversations", len(active))
	}
	if got, err := s.Accept(ctx, li, ""); err != nil || got.ID != first.ID {
		t.Errorf("next accept: got %v, %v; want the requeued conversation", got.ID, err)
	}
}

func TestEndAbandoned(t *testing.T) {
	s, _ := newService(t)
	c, _ := start(t, s)
	got, err := s.End(context.Background(), c.ID, Closer{Abandoned: true})
	if err != nil {
		t.Fatal(err)
	}
	if got.ClosedBy != "system" {
		t.Errorf("closed by: got %q, want system", got.ClosedBy)
	}
	if items, _ := s.Queue(context.Background()); len(items) != 0 {
		t.Errorf("queue after abandon: got %d items, want 0", len(items))
	}
}

func TestSearchFindsEveryConversation(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	noisy, _ := start(t, s)
	for i := range 30 {
		if _, _, err := s.Send(ctx, SendRequest{ConversationID: noisy.ID, From: SenderCitizen, Text: fmt.Sprintf("宅基地问题第%d条", i)}); err != nil {
			t.Fatal(err)
		}
	}
	quiet, _, err := s.Start(ctx, StartRequest{Transcript: []Line{{From: SenderCitizen, Text: "宅基地怎么申请"}}})
	if err != nil {
		t.Fatal(err)
	}
	hits, err := s.Search(ctx, "宅基地", 2)
	if err != nil {
		t.Fatal(err)
	}
	found := map[ID]bool{}
	for _, h := range hits {
		found[h.Conversation.ID] = true
	}
	if !found[noisy.ID] || !found[quiet.ID] {
		t.Errorf("search 宅基地 with limit 2: got %d conversations, want both", len(hits))
	}
}

func TestRecallWithinWindow(t *testing.T) {
	now := time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)
	db := openDB(t, t.TempDir())
	rec := &recorder{}
	s, err := NewService(db, Options{Now: func() time.Time { return now }, Publisher: rec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); db.Close() })
	ctx := context.Background()

	c, _ := start(t, s)
	if _, err := s.Accept(ctx, zhang, c.ID); err != nil {
		t.Fatal(err)
	}
	wrong, _, err := s.Send(ctx, SendRequest{ConversationID: c.ID, From: SenderAgent, AuthorID: zhang.ID, Author: zhang.Name, Text: "发错了的内容"})
	if err != nil {
		t.Fatal(err)
	}
	citizen, _, _ := s.Send(ctx, SendRequest{ConversationID: c.ID, From: SenderCitizen, Text: "好的"})

	if _, err := s.Recall(ctx, c.ID, citizen.Seq, zhang); !errors.Is(err, ErrNotOwner) {
		t.Errorf("recalling the citizen's line: got %v, want ErrNotOwner", err)
	}
	if _, err := s.Recall(ctx, c.ID, wrong.Seq, li); !errors.Is(err, ErrNotOwner) {
		t.Errorf("recall by another agent: got %v, want ErrNotOwner", err)
	}
	now = now.Add(time.Minute)
	if _, err := s.Recall(ctx, c.ID, wrong.Seq, zhang); err != nil {
		t.Fatalf("recall within the window: %v", err)
	}

	msgs, _ := s.Messages(ctx, c.ID, wrong.Seq-1)
	if !msgs[0].Recalled || msgs[0].Text != "" {
		t.Errorf("recalled line as pages see it: got %+v, want recalled with no text", msgs[0])
	}
	if last := msgs[len(msgs)-1]; last.From != SenderSystem || !strings.Contains(last.Text, "撤回") {
		t.Errorf("last line: got %+v, want the recall notice", last)
	}
	if hits, _ := s.Search(ctx, "发错了", 5); len(hits) != 0 {
		t.Errorf("search still finds the recalled line: %d hits", len(hits))
	}

	// The stored record keeps the text for the audit trail.
	var stored Message
	if err := db.View(func(tx *store.Tx) error {
		_, err := tx.GetSealed(bucketMessages, messageKey(c.ID, wrong.Seq), &stored)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if stored.Text != "发错了的内容" || stored.RecalledBy != zhang.ID {
		t.Errorf("audit record: got %+v, want the original text and who recalled it", stored)
	}

	late, _, _ := s.Send(ctx, SendRequest{ConversationID: c.ID, From: SenderAgent, AuthorID: zhang.ID, Text: "第二条"})
	now = now.Add(RecallWindow + time.Second)
	if _, err := s.Recall(ctx, c.ID, late.Seq, zhang); !errors.Is(err, ErrRecallExpired) {
		t.Errorf("recall after the window: got %v, want ErrRecallExpired", err)
	}
}

// TestCitizenFieldsDropControls checks that the fields staff screens show
// beside chat lines lose control characters and bidirectional overrides,
// as chat lines do, so a name cannot read backwards on a seat.
func TestCitizenFieldsDropControls(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()

	m, err := s.LeaveMessage(ctx, LeftMessage{Name: "张\x00三\u202e", Phone: "138\u20661234\u20695678", Text: "咨询\u202e宅基地\x07\n第二行"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "张三" || m.Phone != "13812345678" || m.Text != "咨询宅基地\n第二行" {
		t.Errorf("left message: got name %q phone %q text %q, want them without controls", m.Name, m.Phone, m.Text)
	}

	c, _, err := s.Start(ctx, StartRequest{Channel: "web", Topic: "过户\u202e\t材料", Transcript: []Line{{From: SenderCitizen, Text: "问\u2067题"}}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Topic != "过户 材料" {
		t.Errorf("topic: got %q, want %q", c.Topic, "过户 材料")
	}
	msgs, err := s.Messages(ctx, c.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) == 0 || msgs[0].Text != "问题" {
		t.Errorf("handoff transcript: got %+v, want the first line 问题", msgs)
	}
}
