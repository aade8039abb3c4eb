package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wenban/appliance/conversation"
	"wenban/appliance/seal"
	"wenban/appliance/store"
)

// testHub is a hub on a real HTTP server with a real store. Seats
// authenticate with an X-Agent header of "id:name".
type testHub struct {
	hub  *Hub
	conv *conversation.Service
	srv  *httptest.Server
	// revoked lists agent ids whose login has ended.
	revoked sync.Map
}

func newTestHub(t *testing.T) *testHub {
	t.Helper()
	return newTestHubWith(t, Options{})
}

func newTestHubWith(t *testing.T, extra Options) *testHub {
	t.Helper()
	dir := t.TempDir()
	master, err := seal.LoadMasterKey(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(dir, "wenban.db"), master)
	if err != nil {
		t.Fatal(err)
	}
	conv, err := conversation.NewService(db, conversation.Options{})
	if err != nil {
		t.Fatal(err)
	}
	th := &testHub{}
	hub := NewHub(Options{
		Conversations: conv,
		AuthenticateSeat: func(r *http.Request) (conversation.Agent, error) {
			id, name, ok := strings.Cut(r.Header.Get("X-Agent"), ":")
			if !ok {
				return conversation.Agent{}, errors.New("no agent")
			}
			if _, gone := th.revoked.Load(id); gone {
				return conversation.Agent{}, errors.New("logged out")
			}
			return conversation.Agent{ID: id, Name: name}, nil
		},
		Suggest: func(text string) []Suggestion {
			return []Suggestion{{FAQID: "faq-1", Question: "标准问题", Answer: "标准答案"}}
		},
		AbandonAfter:  extra.AbandonAfter,
		SeatGoneAfter: extra.SeatGoneAfter,
	})
	conv.SetPublisher(hub)
	conv.SetOnlineSeats(hub.OnlineSeats)

	mux := http.NewServeMux()
	mux.Handle("/ws/citizen", hub.CitizenHandler())
	mux.Handle("/ws/seat", hub.SeatHandler())
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hub.Shutdown(ctx)
		srv.Close()
		conv.Close()
		db.Close()
	})
	th.hub, th.conv, th.srv = hub, conv, srv
	return th
}

// page is a test WebSocket client that keeps every frame it received.
type page struct {
	t      *testing.T
	ws     *websocket.Conn
	frames chan map[string]any
}

func (th *testHub) dial(t *testing.T, path string, header http.Header) *page {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(th.srv.URL, "http") + path
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: header})
	if err != nil {
		t.Fatalf("dialing %s: %v", path, err)
	}
	p := &page{t: t, ws: ws, frames: make(chan map[string]any, 512)}
	go func() {
		for {
			_, raw, err := ws.Read(context.Background())
			if err != nil {
				close(p.frames)
				return
			}
			var f map[string]any
			if json.Unmarshal(raw, &f) == nil {
				p.frames <- f
			}
		}
	}()
	t.Cleanup(func() { ws.CloseNow() })
	return p
}

func (th *testHub) citizen(t *testing.T, id conversation.ID, token string, after uint64) *page {
	h := http.Header{}
	h.Set("Cookie", "wenban_citizen="+conversation.CookieValue(id, token))
	return th.dial(t, fmt.Sprintf("/ws/citizen?after=%d", after), h)
}

func (th *testHub) seat(t *testing.T, a conversation.Agent) *page {
	h := http.Header{}
	h.Set("X-Agent", a.ID+":"+a.Name)
	return th.dial(t, "/ws/seat", h)
}

func (p *page) send(f map[string]any) {
	p.t.Helper()
	raw, _ := json.Marshal(f)
	if err := p.ws.Write(context.Background(), websocket.MessageText, raw); err != nil {
		p.t.Fatalf("sending %v: %v", f["type"], err)
	}
}

// await returns the first frame for which match is true, failing after a
// deadline.
func (p *page) await(what string, match func(map[string]any) bool) map[string]any {
	p.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case f, ok := <-p.frames:
			if !ok {
				p.t.Fatalf("connection closed while waiting for %s", what)
			}
			if match(f) {
				return f
			}
		case <-deadline:
			p.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func typed(typ string) func(map[string]any) bool {
	return func(f map[string]any) bool { return f["type"] == typ }
}

func messageWith(text string) func(map[string]any) bool {
	return func(f map[string]any) bool {
		m, _ := f["message"].(map[string]any)
		return f["type"] == "message" && m != nil && strings.Contains(fmt.Sprint(m["text"]), text)
	}
}

var (
	zhang = conversation.Agent{ID: "a1", Name: "张敏"}
	li    = conversation.Agent{ID: "a2", Name: "李华"}
)

func TestCitizenSeatFlow(t *testing.T) {
	th := newTestHub(t)
	ctx := context.Background()
	c, token, err := th.conv.Start(ctx, conversation.StartRequest{
		Transcript: []conversation.Line{{From: conversation.SenderCitizen, Text: "宅基地怎么申请"}},
	})
	if err != nil {
		t.Fatal(err)
	}

	cit := th.citizen(t, c.ID, token, 0)
	pos := cit.await("queue position", typed("queue_position"))
	if pos["position"] != float64(1) {
		t.Errorf("position: got %v, want 1", pos["position"])
	}

	s1 := th.seat(t, zhang)
	s1.await("queue", func(f map[string]any) bool {
		items, _ := f["items"].([]any)
		return f["type"] == "queue" && len(items) == 1
	})

	s1.send(map[string]any{"type": "accept"})
	errFrame := s1.await("not-online error", typed("error"))
	if errFrame["code"] != "not_online" {
		t.Errorf("accept while offline: got code %v, want not_online", errFrame["code"])
	}

	s1.send(map[string]any{"type": "status", "status": "online"})
	s1.await("status online", func(f map[string]any) bool { return f["type"] == "status" && f["status"] == "online" })
	s1.send(map[string]any{"type": "accept"})
	assigned := s1.await("assigned", typed("assigned"))
	if msgs, _ := assigned["messages"].([]any); len(msgs) < 2 {
		t.Errorf("assigned transcript: got %d lines, want the bot exchange and system lines", len(msgs))
	}
	s1.await("suggestions", typed("suggestions"))
	cit.await("accept line", messageWith("客服张敏已接入"))

	cit.send(map[string]any{"type": "send", "client_id": "c1", "text": "请问需要什么材料"})
	ack := cit.await("ack", typed("ack"))
	s1.await("citizen message", messageWith("需要什么材料"))

	// A retry with the same client id is acknowledged with the same seq
	// and reaches nobody twice.
	cit.send(map[string]any{"type": "send", "client_id": "c1", "text": "请问需要什么材料"})
	again := cit.await("second ack", typed("ack"))
	if again["seq"] != ack["seq"] {
		t.Errorf("retry ack seq: got %v, want %v", again["seq"], ack["seq"])
	}

	s1.send(map[string]any{"type": "send", "conversation_id": string(c.ID), "client_id": "s1", "text": "请带身份证和户口簿"})
	cit.await("agent reply", messageWith("户口簿"))

	s2 := th.seat(t, li)
	s2.send(map[string]any{"type": "status", "status": "online"})
	s2.await("status online", func(f map[string]any) bool { return f["type"] == "status" && f["status"] == "online" })
	s1.send(map[string]any{"type": "transfer", "conversation_id": string(c.ID), "to": li.ID})
	s1.await("released", func(f map[string]any) bool { return f["type"] == "released" && f["reason"] == "transferred" })
	moved := s2.await("assigned to li", typed("assigned"))
	var texts []string
	for _, m := range moved["messages"].([]any) {
		texts = append(texts, fmt.Sprint(m.(map[string]any)["text"]))
	}
	if joined := strings.Join(texts, "|"); !strings.Contains(joined, "户口簿") || !strings.Contains(joined, "转接给客服李华") {
		t.Errorf("transferred transcript lacks history or system line: %q", joined)
	}
	cit.await("transfer line", messageWith("转接给客服李华"))

	s2.send(map[string]any{"type": "end", "conversation_id": string(c.ID)})
	cit.await("closed state", func(f map[string]any) bool {
		cv, _ := f["conversation"].(map[string]any)
		return f["type"] == "state" && cv != nil && cv["state"] == "closed"
	})
	s2.await("released closed", func(f map[string]any) bool { return f["type"] == "released" && f["reason"] == "closed" })
}

func TestCitizenResyncAfterReconnect(t *testing.T) {
	th := newTestHub(t)
	ctx := context.Background()
	c, token, err := th.conv.Start(ctx, conversation.StartRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := th.conv.Accept(ctx, zhang, c.ID); err != nil {
		t.Fatal(err)
	}
	msgs, _ := th.conv.Messages(ctx, c.ID, 0)
	last := msgs[len(msgs)-1].Seq

	// Lines written while the page was away arrive on reconnect, and only
	// those after the seq the page saw.
	for _, text := range []string{"第一条", "第二条"} {
		if _, _, err := th.conv.Send(ctx, conversation.SendRequest{
			ConversationID: c.ID, From: conversation.SenderAgent, AuthorID: zhang.ID, Text: text,
		}); err != nil {
			t.Fatal(err)
		}
	}
	cit := th.citizen(t, c.ID, token, last)
	first := cit.await("first replayed", typed("message"))
	if got := first["message"].(map[string]any)["text"]; got != "第一条" {
		t.Errorf("first replayed line: got %v, want 第一条", got)
	}
	cit.await("second replayed", messageWith("第二条"))
}

func TestSeatResync(t *testing.T) {
	th := newTestHub(t)
	ctx := context.Background()
	c, _, err := th.conv.Start(ctx, conversation.StartRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := th.conv.Accept(ctx, zhang, c.ID); err != nil {
		t.Fatal(err)
	}

	s := th.seat(t, zhang)
	s.send(map[string]any{"type": "resync", "conversations": map[string]any{}})
	a := s.await("assigned on resync", typed("assigned"))
	if a["conversation"].(map[string]any)["id"] != string(c.ID) {
		t.Errorf("resync assigned: got %v, want %s", a["conversation"], c.ID)
	}

	msgs, _ := th.conv.Messages(ctx, c.ID, 0)
	if _, _, err := th.conv.Send(ctx, conversation.SendRequest{ConversationID: c.ID, From: conversation.SenderCitizen, Text: "补一句"}); err != nil {
		t.Fatal(err)
	}
	s2 := th.seat(t, zhang)
	s2.send(map[string]any{"type": "resync", "conversations": map[string]any{string(c.ID): msgs[len(msgs)-1].Seq}})
	s2.await("missing line", messageWith("补一句"))
}

func TestRejectsBadFramesAndStrangers(t *testing.T) {
	th := newTestHub(t)
	resp, err := http.Get(th.srv.URL + "/ws/seat")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("seat without login: got %d, want 401", resp.StatusCode)
	}

	s := th.seat(t, zhang)
	if err := s.ws.Write(context.Background(), websocket.MessageText, []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	f := s.await("error", typed("error"))
	if f["code"] != "invalid" {
		t.Errorf("bad JSON: got code %v, want invalid", f["code"])
	}
	s.send(map[string]any{"type": "fly"})
	if f := s.await("error", typed("error")); f["code"] != "invalid" {
		t.Errorf("unknown command: got code %v, want invalid", f["code"])
	}
}

func TestShutdownClosesPages(t *testing.T) {
	th := newTestHub(t)
	s := th.seat(t, zhang)
	s.await("hello", typed("hello"))

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := th.hub.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	for range s.frames {
	}
	if n := th.hub.Connections(); n != 0 {
		t.Errorf("connections after shutdown: got %d, want 0", n)
	}
}

func TestSeatResyncReleasesLostConversations(t *testing.T) {
	th := newTestHub(t)
	ctx := context.Background()
	c, _, err := th.conv.Start(ctx, conversation.StartRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := th.conv.Accept(ctx, zhang, c.ID); err != nil {
		t.Fatal(err)
	}
	msgs, _ := th.conv.Messages(ctx, c.ID, 0)
	last := msgs[len(msgs)-1].Seq

	// The conversation is ended while zhang's page is away.
	if _, err := th.conv.End(ctx, c.ID, conversation.Closer{}); err != nil {
		t.Fatal(err)
	}
	s := th.seat(t, zhang)
	s.send(map[string]any{"type": "resync", "conversations": map[string]any{string(c.ID): last}})
	s.await("closing line", messageWith("结束本次服务"))
	f := s.await("released", typed("released"))
	if f["conversation_id"] != string(c.ID) || f["reason"] != "closed" {
		t.Errorf("released: got %v, want %s closed", f, c.ID)
	}
}

func TestLongBacklogReplaysWhole(t *testing.T) {
	th := newTestHub(t)
	ctx := context.Background()
	c, token, err := th.conv.Start(ctx, conversation.StartRequest{})
	if err != nil {
		t.Fatal(err)
	}
	const lines = 600
	for i := range lines {
		if _, _, err := th.conv.Send(ctx, conversation.SendRequest{
			ConversationID: c.ID, From: conversation.SenderCitizen, Text: fmt.Sprintf("第%d条", i),
		}); err != nil {
			t.Fatal(err)
		}
	}

	// More lines than the send queue holds must still arrive in full.
	cit := th.citizen(t, c.ID, token, 0)
	cit.await("last line", messageWith(fmt.Sprintf("第%d条", lines-1)))
}

func TestSeatClosedWhenLoginEnds(t *testing.T) {
	th := newTestHub(t)
	s := th.seat(t, zhang)
	s.await("hello", typed("hello"))

	th.revoked.Store(zhang.ID, true)
	s.send(map[string]any{"type": "status", "status": "online"})
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-s.frames:
			if !ok {
				_, _, err := s.ws.Read(context.Background())
				if got := websocket.CloseStatus(err); got != statusSessionEnded && got != -1 {
					t.Errorf("close status: got %v, want %v", got, statusSessionEnded)
				}
				if st := th.hub.status(zhang.ID); st == StatusOnline {
					t.Error("status changed by a page whose login ended")
				}
				return
			}
		case <-deadline:
			t.Fatal("page stayed open after its login ended")
		}
	}
}

// TestRecheckSeatClosesIdlePage revokes a login while its page sends
// nothing, as when an administrator disables an account, and checks
// that RecheckSeat closes the page well before the periodic check.
func TestRecheckSeatClosesIdlePage(t *testing.T) {
	th := newTestHub(t)
	s := th.seat(t, zhang)
	s.await("hello", typed("hello"))
	other := th.seat(t, li)
	other.await("hello", typed("hello"))

	th.revoked.Store(zhang.ID, true)
	th.hub.RecheckSeat(zhang.ID)
	deadline := time.After(sessionCheckInterval / 3)
	for {
		select {
		case _, ok := <-s.frames:
			if ok {
				continue
			}
			if len(th.hub.agentConns(li.ID)) != 1 {
				t.Error("another account's page was closed too")
			}
			return
		case <-deadline:
			t.Fatal("idle page stayed open after RecheckSeat")
		}
	}
}

func TestCitizenRateLimited(t *testing.T) {
	th := newTestHub(t)
	c, token, err := th.conv.Start(context.Background(), conversation.StartRequest{})
	if err != nil {
		t.Fatal(err)
	}
	cit := th.citizen(t, c.ID, token, 0)
	for i := range citizenBurst + 5 {
		cit.send(map[string]any{"type": "send", "client_id": fmt.Sprintf("c%d", i), "text": "在吗"})
	}
	f := cit.await("rate limit error", typed("error"))
	if f["code"] != "rate_limited" {
		t.Errorf("flood: got code %v, want rate_limited", f["code"])
	}
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestQueuedCitizenWhoLeavesIsDropped(t *testing.T) {
	th := newTestHubWith(t, Options{AbandonAfter: 50 * time.Millisecond})
	ctx := context.Background()
	c, token, err := th.conv.Start(ctx, conversation.StartRequest{})
	if err != nil {
		t.Fatal(err)
	}
	cit := th.citizen(t, c.ID, token, 0)
	cit.await("hello", typed("hello"))
	cit.ws.Close(websocket.StatusNormalClosure, "")

	eventually(t, "abandoned conversation to close", func() bool {
		got, err := th.conv.Get(ctx, c.ID)
		return err == nil && got.State == conversation.StateClosed && got.ClosedBy == "system"
	})
}

func TestQueuedCitizenWhoNeverConnectsIsDropped(t *testing.T) {
	th := newTestHubWith(t, Options{AbandonAfter: 50 * time.Millisecond})
	ctx := context.Background()
	c, _, err := th.conv.Start(ctx, conversation.StartRequest{})
	if err != nil {
		t.Fatal(err)
	}

	eventually(t, "unconnected conversation to close", func() bool {
		got, err := th.conv.Get(ctx, c.ID)
		return err == nil && got.State == conversation.StateClosed && got.ClosedBy == "system"
	})
	queue, err := th.conv.Queue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(queue) != 0 {
		t.Errorf("queue after the absence check: got %d places, want 0", len(queue))
	}
}

func TestReloadKeepsCitizenQueued(t *testing.T) {
	th := newTestHubWith(t, Options{AbandonAfter: time.Minute})
	ctx := context.Background()
	c, token, err := th.conv.Start(ctx, conversation.StartRequest{})
	if err != nil {
		t.Fatal(err)
	}
	first := th.citizen(t, c.ID, token, 0)
	first.await("hello", typed("hello"))
	first.ws.Close(websocket.StatusNormalClosure, "")
	second := th.citizen(t, c.ID, token, 0)
	second.await("hello", typed("hello"))

	// The reconnect cancels the pending absence check.
	eventually(t, "absence check cancelled", func() bool {
		th.hub.mu.Lock()
		defer th.hub.mu.Unlock()
		return th.hub.timers["c:"+string(c.ID)] == nil
	})
	if got, _ := th.conv.Get(ctx, c.ID); got.State != conversation.StateQueued {
		t.Errorf("after a reload: got state %v, want queued", got.State)
	}
}

func TestDepartedSeatConversationsRequeued(t *testing.T) {
	th := newTestHubWith(t, Options{SeatGoneAfter: 50 * time.Millisecond})
	ctx := context.Background()
	c, token, err := th.conv.Start(ctx, conversation.StartRequest{})
	if err != nil {
		t.Fatal(err)
	}
	cit := th.citizen(t, c.ID, token, 0)
	s := th.seat(t, zhang)
	s.send(map[string]any{"type": "status", "status": "online"})
	s.await("online", func(f map[string]any) bool { return f["type"] == "status" && f["status"] == "online" })
	s.send(map[string]any{"type": "accept"})
	s.await("assigned", typed("assigned"))

	s.ws.Close(websocket.StatusNormalClosure, "")
	cit.await("requeue line", messageWith("正在为您转接其他客服"))
	got, err := th.conv.Get(ctx, c.ID)
	if err != nil || got.State != conversation.StateQueued {
		t.Fatalf("after the seat left: got %v, %v; want queued", got.State, err)
	}
}

// servedConversation starts a conversation that zhang serves and opens
// the citizen's and zhang's pages on it.
func servedConversation(t *testing.T, th *testHub) (conversation.Conversation, *page, *page) {
	t.Helper()
	ctx := context.Background()
	c, token, err := th.conv.Start(ctx, conversation.StartRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := th.conv.Accept(ctx, zhang, c.ID); err != nil {
		t.Fatal(err)
	}
	cit := th.citizen(t, c.ID, token, 0)
	cit.await("hello", typed("hello"))
	s := th.seat(t, zhang)
	s.await("hello", typed("hello"))
	return c, cit, s
}

func TestTypingRelayedBothWays(t *testing.T) {
	th := newTestHub(t)
	c, cit, s := servedConversation(t, th)
	other := th.seat(t, li)
	other.await("hello", typed("hello"))

	cit.send(map[string]any{"type": "typing"})
	f := s.await("citizen typing", typed("typing"))
	if f["conversation_id"] != string(c.ID) {
		t.Errorf("typing frame: got %v, want conversation %s", f["conversation_id"], c.ID)
	}

	// A seat that does not own the conversation cannot send typing notices
	// to its citizen; the owner can.
	other.send(map[string]any{"type": "typing", "conversation_id": string(c.ID)})
	s.send(map[string]any{"type": "typing", "conversation_id": string(c.ID)})
	cit.await("agent typing", typed("typing"))
	s.send(map[string]any{"type": "send", "conversation_id": string(c.ID), "client_id": "after", "text": "马上为您查询"})
	cit.await("agent reply", messageWith("马上为您查询"))
	for _, f := range drain(cit) {
		if f["type"] == "typing" {
			t.Error("citizen got a second typing notice, from the seat that does not own the conversation")
		}
	}
}

// drain returns the frames a page has received so far without waiting.
func drain(p *page) []map[string]any {
	var out []map[string]any
	for {
		select {
		case f := <-p.frames:
			out = append(out, f)
		default:
			return out
		}
	}
}

func TestReadReceiptsRelayed(t *testing.T) {
	th := newTestHub(t)
	ctx := context.Background()
	c, cit, s := servedConversation(t, th)

	got, _ := th.conv.Get(ctx, c.ID)
	cit.send(map[string]any{"type": "read", "seq": got.LastSeq + 5})
	cit.send(map[string]any{"type": "read", "seq": got.LastSeq})
	f := s.await("citizen read", typed("read"))
	if f["seq"] != float64(got.LastSeq) {
		t.Errorf("read receipt: got seq %v, want %d (a seq beyond the transcript is dropped)", f["seq"], got.LastSeq)
	}

	s.send(map[string]any{"type": "read", "conversation_id": string(c.ID), "seq": got.LastSeq})
	if f := cit.await("seat read", typed("read")); f["seq"] != float64(got.LastSeq) {
		t.Errorf("seat read receipt: got seq %v, want %d", f["seq"], got.LastSeq)
	}
}
