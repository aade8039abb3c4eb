package learn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"wenban/appliance/bot"
	"wenban/appliance/conversation"
	"wenban/appliance/kb"
	"wenban/appliance/store"
)

// Transcripts is the part of the conversation service the learning loop
// reads. *conversation.Service implements it.
type Transcripts interface {
	Messages(ctx context.Context, id conversation.ID, after uint64) ([]conversation.Message, error)
	Questions(ctx context.Context) ([]conversation.QuestionRecord, error)
}

// Options configure a Service.
type Options struct {
	// DB holds the knowledge base, its versions and the proposals. Required.
	DB *store.DB
	// Transcripts supplies closed conversations and recorded bot
	// questions. Nil disables proposals and clusters.
	Transcripts Transcripts
	// Bot configures every engine the service trains. Its Logger is used
	// as given.
	Bot bot.Options
	// Live returns the engine that serves citizens now. Nil, or a nil
	// engine, makes each gate train one on the live knowledge base.
	Live func() *bot.Engine
	// Swap installs a newly published engine. Nil closes the engine
	// after the gate, for tools that only store the knowledge base.
	Swap func(*bot.Engine)
	// Logger receives lifecycle and error logs. Nil discards them.
	Logger *slog.Logger
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
}

// Service runs the learning loop and publishes the knowledge base.
type Service struct {
	opts Options
	log  *slog.Logger

	// mu serialises retrains, so two publishes never gate against the same
	// live engine and then both swap.
	mu sync.Mutex
	// background counts the proposal jobs started by closed conversations.
	background sync.WaitGroup
}

// New returns a Service over opts.
func New(opts Options) (*Service, error) {
	if opts.DB == nil {
		return nil, errors.New("learn: Options.DB is required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{opts: opts, log: opts.Logger}, nil
}

// Wait blocks until the proposal jobs started so far have finished.
func (s *Service) Wait() { s.background.Wait() }

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

// Outcome is the result of a publish that passed the gate or was forced.
type Outcome struct {
	Version kb.Version
	Gate    GateResult
	// Forced is set when the gate failed and the caller published anyway.
	Forced bool
	// Took is the time spent training the candidate engine.
	Took time.Duration
}

// PublishDraft trains an engine on the draft, gates it against the live
// engine and, when it passes or force is set, publishes the draft as
// version name and installs the engine.
func (s *Service) PublishDraft(ctx context.Context, by kb.Staff, name string, force bool) (Outcome, error) {
	return s.PublishDraftAt(ctx, by, name, anyRev, force)
}

// anyRev is the draft revision argument that accepts the current draft.
const anyRev = ^uint64(0)

// PublishDraftAt is PublishDraft for the draft at revision rev, the one
// the administrator reviewed. A draft another member of staff changed
// since is rejected with kb.ErrDraftChanged and nothing is published.
func (s *Service) PublishDraftAt(ctx context.Context, by kb.Staff, name string, rev uint64, force bool) (Outcome, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	d, err := loadDraftAt(s.opts.DB, rev)
	if err != nil {
		return Outcome{}, err
	}
	return s.retrain(ctx, by, d.Items, force, func() (kb.Version, error) {
		return kb.Publish(s.opts.DB, kb.PublishRequest{By: by, Name: name, Rev: d.State.Rev, Now: s.now()})
	})
}

// Rollback gates the items of version number like a publish and, when
// they pass or force is set, republishes them as a new version.
func (s *Service) Rollback(ctx context.Context, by kb.Staff, number int, force bool) (Outcome, error) {
	return s.RollbackAt(ctx, by, number, anyRev, force)
}

// RollbackAt is Rollback for the draft at revision rev. A rollback
// discards unpublished draft changes, so a draft another member of staff
// changed since is rejected with kb.ErrDraftChanged.
func (s *Service) RollbackAt(ctx context.Context, by kb.Staff, number int, rev uint64, force bool) (Outcome, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	d, err := loadDraftAt(s.opts.DB, rev)
	if err != nil {
		return Outcome{}, err
	}
	v, err := kb.LoadVersion(s.opts.DB, number)
	if err != nil {
		return Outcome{}, err
	}
	return s.retrain(ctx, by, v.Items, force, func() (kb.Version, error) {
		return kb.Rollback(s.opts.DB, by, number, d.State.Rev, s.now())
	})
}

// loadDraftAt loads the draft and checks that it is at revision rev,
// unless rev is anyRev. kb.Publish and kb.Rollback check the revision
// again in their transaction.
func loadDraftAt(db *store.DB, rev uint64) (kb.Draft, error) {
	d, err := kb.LoadDraft(db)
	if err != nil {
		return kb.Draft{}, err
	}
	if rev != anyRev && d.State.Rev != rev {
		return kb.Draft{}, fmt.Errorf("publishing draft revision %d, now at %d: %w", rev, d.State.Rev, kb.ErrDraftChanged)
	}
	return d, nil
}

// Train trains an engine on the draft and gates it without publishing.
// The outcome has no version.
func (s *Service) Train(context.Context) (Outcome, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	d, err := kb.LoadDraft(s.opts.DB)
	if err != nil {
		return Outcome{}, err
	}
	start := time.Now()
	engine, err := s.build(kb.Active(d.Items))
	if err != nil {
		return Outcome{}, err
	}
	defer engine.Close()
	took := time.Since(start)
	g, err := s.gate(d.Items, engine)
	return Outcome{Gate: g, Took: took}, err
}

// ImportAndPublish gates the draft as an import of entries would leave it
// and, when it passes or force is set, imports them and publishes the
// draft as version source. A rejected import leaves the draft unchanged.
func (s *Service) ImportAndPublish(ctx context.Context, by kb.Staff, entries []kb.Entry, replace bool, source string, force bool) (kb.ImportResult, Outcome, error) {
	if err := kb.ValidateAll(entries); err != nil {
		return kb.ImportResult{}, Outcome{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	d, err := kb.LoadDraft(s.opts.DB)
	if err != nil {
		return kb.ImportResult{}, Outcome{}, err
	}
	var res kb.ImportResult
	candidate := kb.PreviewImport(d, entries, replace)
	out, err := s.retrain(ctx, by, candidate, force, func() (kb.Version, error) {
		var err error
		if res, err = kb.ImportDraft(s.opts.DB, by, entries, replace, source, s.now()); err != nil {
			return kb.Version{}, err
		}
		return kb.Publish(s.opts.DB, kb.PublishRequest{By: by, Name: source, Rev: d.State.Rev + 1, Now: s.now()})
	})
	return res, out, err
}

// retrain trains on the active candidate items, gates them and runs
// commit when they pass or force is set; then it installs the engine. The
// engine is closed on every path that does not install it.
func (s *Service) retrain(_ context.Context, by kb.Staff, candidate []kb.Item, force bool, commit func() (kb.Version, error)) (Outcome, error) {
	start := time.Now()
	engine, err := s.build(kb.Active(candidate))
	if err != nil {
		return Outcome{}, err
	}
	took := time.Since(start)

	g, err := s.gate(candidate, engine)
	if err != nil {
		engine.Close()
		return Outcome{}, err
	}
	if !g.Passed && !force {
		engine.Close()
		s.log.Info("retrain rejected by gate", "method", g.Method, "live_correct", g.Live.Correct,
			"candidate_correct", g.Candidate.Correct, "in_scope", g.InScope, "staff_id", by.ID)
		return Outcome{Gate: g}, &GateError{Gate: g}
	}

	v, err := commit()
	if err != nil {
		engine.Close()
		return Outcome{Gate: g}, err
	}
	out := Outcome{Version: v, Gate: g, Forced: !g.Passed, Took: took}
	if out.Forced {
		s.log.Warn("retrain gate overridden", "method", g.Method, "live_correct", g.Live.Correct,
			"candidate_correct", g.Candidate.Correct, "in_scope", g.InScope, "staff_id", by.ID, "kb_version", v.Number)
	}
	s.install(engine)
	s.log.Info("knowledge base published", "kb_version", v.Number, "entries", engine.Size(),
		"staff_id", by.ID, "gate", g.Method, "took", time.Since(start).Round(time.Millisecond))
	return out, nil
}

func (s *Service) install(engine *bot.Engine) {
	if s.opts.Swap == nil {
		engine.Close()
		return
	}
	s.opts.Swap(engine)
}

func (s *Service) build(entries []kb.Entry) (*bot.Engine, error) {
	engine, err := bot.New(entries, s.opts.Bot)
	if err != nil {
		return nil, fmt.Errorf("training bot on %d entries: %w", len(entries), err)
	}
	return engine, nil
}

// gate compares candidate with the live engine, training one on the live
// knowledge base when Options.Live has none.
func (s *Service) gate(candidate []kb.Item, candidateEngine *bot.Engine) (GateResult, error) {
	live, _, err := kb.Load(s.opts.DB)
	if errors.Is(err, kb.ErrEmpty) {
		return GateResult{Method: GateNone, Passed: true}, nil
	}
	if err != nil {
		return GateResult{}, err
	}

	var liveEngine *bot.Engine
	if s.opts.Live != nil {
		liveEngine = s.opts.Live()
	}
	if liveEngine == nil {
		if liveEngine, err = s.build(live); err != nil {
			return GateResult{}, err
		}
		defer liveEngine.Close()
	}
	return RunGate(live, candidate, liveEngine, candidateEngine, s.build)
}
