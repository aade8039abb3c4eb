package learn

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"wenban/appliance/bot"
	"wenban/appliance/conversation"
	"wenban/appliance/kb"
	"wenban/appliance/seal"
	"wenban/appliance/store"
)

var (
	t0    = time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	admin = kb.Staff{ID: "acc-admin", Name: "王敏"}
	zhang = conversation.Agent{ID: "acc-zhang", Name: "张敏"}
)

// env is a learning loop over real bbolt, the shipped knowledge base and a
// real conversation service.
type env struct {
	db     *store.DB
	conv   *conversation.Service
	learn  *Service
	engine atomic.Pointer[bot.Engine]
}

func openTestDB(t testing.TB) *store.DB {
	t.Helper()
	key, err := seal.NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	master, err := seal.NewMasterKey(key)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "wenban.db"), master)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newEnv seeds entries (the shipped knowledge base when nil) and trains
// the live engine on them.
func newEnv(t testing.TB, entries []kb.Entry) *env {
	t.Helper()
	e := &env{db: openTestDB(t)}
	if entries == nil {
		if _, _, err := kb.Seed(e.db, t0); err != nil {
			t.Fatal(err)
		}
	} else if _, err := kb.Save(e.db, entries, true, "test", t0); err != nil {
		t.Fatal(err)
	}
	live, _, err := kb.Load(e.db)
	if err != nil {
		t.Fatal(err)
	}
	engine, err := bot.New(live, bot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.engine.Store(engine)

	e.conv, err = conversation.NewService(e.db, conversation.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.learn, err = New(Options{
		DB:          e.db,
		Transcripts: e.conv,
		Live:        e.engine.Load,
		Swap: func(next *bot.Engine) {
			if old := e.engine.Swap(next); old != nil {
				old.Close()
			}
		},
		Now: func() time.Time { return t0 },
	})
	if err != nil {
		t.Fatal(err)
	}
	e.conv.SetPublisher(e.learn.Observer())
	t.Cleanup(func() {
		e.learn.Wait()
		e.conv.Close()
		e.engine.Load().Close()
	})
	return e
}

// serve runs one conversation: the citizen's bot exchange, a seat that
// accepts it, the agent lines (an entry id with each, or "") and the end
// by the seat.
func (e *env) serve(t testing.TB, citizen []string, agent [][2]string) conversation.ID {
	t.Helper()
	return e.serveAfterBot(t, nil, citizen, agent)
}

// serveAfterBot is serve with a bot exchange before the handoff: each
// line of botQuestions is asked of the bot, the citizen lines are then
// written to staff, and the agent answers.
func (e *env) serveAfterBot(t testing.TB, botQuestions, citizen []string, agent [][2]string) conversation.ID {
	t.Helper()
	ctx := context.Background()
	var lines []conversation.Line
	for _, q := range botQuestions {
		lines = append(lines, conversation.Line{From: conversation.SenderCitizen, Text: q},
			conversation.Line{From: conversation.SenderBot, Text: "智能客服的答复。"})
	}
	c, _, err := e.conv.Start(ctx, conversation.StartRequest{Channel: "web", Transcript: lines})
	if err != nil {
		t.Fatal(err)
	}

	for _, q := range citizen {
		_, _, err := e.conv.Send(ctx, conversation.SendRequest{ConversationID: c.ID, From: conversation.SenderCitizen, Text: q})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.conv.Accept(ctx, zhang, c.ID); err != nil {
		t.Fatal(err)
	}

	for _, a := range agent {
		_, _, err := e.conv.Send(ctx, conversation.SendRequest{
			ConversationID: c.ID, From: conversation.SenderAgent,
			AuthorID: zhang.ID, Author: zhang.Name, Text: a[0], FAQID: a[1],
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.conv.End(ctx, c.ID, conversation.Closer{AgentID: zhang.ID, Name: zhang.Name}); err != nil {
		t.Fatal(err)
	}
	e.learn.Wait()
	return c.ID
}

func pendingProposals(t testing.TB, s *Service) []Proposal {
	t.Helper()
	ps, err := s.Proposals(context.Background(), StatusPending)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// damage edits the draft entries ids so that their phrasings no longer
// describe their matter, the kind of edit the retrain gate exists to
// catch: the frozen set's questions for them then go wrong.
func (e *env) damage(t testing.TB, ids ...string) {
	t.Helper()
	d, err := kb.LoadDraft(e.db)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		it, ok := d.Item(id)
		if !ok {
			t.Fatalf("draft has no entry %s", id)
		}
		en := it.Entry
		en.Question = "测试用条目，请勿发布（" + id + "）"
		en.Similar = nil
		if _, err := e.learn.UpdateEntry(context.Background(), admin, en); err != nil {
			t.Fatalf("damaging %s: %v", id, err)
		}
	}
}
