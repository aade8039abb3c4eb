// Package server wires the hub: it opens the keys, the store, the
// knowledge base and the bot, builds the conversation, auth and realtime
// services, and serves the web layer until its context ends.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"wenban/appliance/auth"
	"wenban/appliance/bot"
	"wenban/appliance/calendar"
	"wenban/appliance/config"
	"wenban/appliance/conversation"
	"wenban/appliance/kb"
	"wenban/appliance/realtime"
	"wenban/appliance/store"
	"wenban/appliance/web"
)

// Server is one running hub.
type Server struct {
	cfg config.Config
	log *slog.Logger

	db     *store.DB
	conv   *conversation.Service
	auth   *auth.Service
	cal    *calendar.Calendar
	hub    *realtime.Hub
	web    *web.Server
	engine atomic.Pointer[bot.Engine]
	kbMeta kb.Meta

	// serving is set while the listener accepts requests.
	serving atomic.Bool
}

// Admin is the first-run administrator's login, reported once.
type Admin struct {
	Login    string
	Password string
	// Created is false when accounts existed already; Password is then empty.
	Created bool
}

// Open builds a hub from cfg. On a new data folder it creates the master
// key, the database, the shipped knowledge base and the first
// administrator, whose password it returns for printing once.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*Server, Admin, error) {
	s := &Server{cfg: cfg, log: log}
	admin, err := s.open(ctx)
	if err != nil {
		s.Close()
		return nil, Admin{}, err
	}
	return s, admin, nil
}

func (s *Server) open(ctx context.Context) (Admin, error) {
	master, err := s.cfg.OpenMasterKey()
	if err != nil {
		return Admin{}, err
	}
	s.log.Info("master key loaded", "source", master.Source)

	s.db, err = store.Open(s.cfg.DatabasePath(), master)
	if err != nil {
		return Admin{}, err
	}

	if err := s.loadBot(); err != nil {
		return Admin{}, err
	}

	s.cal, err = s.cfg.Hours.Calendar()
	if err != nil {
		return Admin{}, err
	}

	s.conv, err = conversation.NewService(s.db, conversation.Options{
		MaxChats: s.cfg.Seat.MaxChats,
		Logger:   s.log.With("component", "conversation"),
	})
	if err != nil {
		return Admin{}, err
	}

	s.auth = auth.NewService(s.db, auth.Options{
		SessionTTL:  s.cfg.Seat.SessionTTL,
		IdleTimeout: s.cfg.Seat.IdleTimeout,
		Logger:      s.log,
	})
	login, password, created, err := s.auth.EnsureAdmin(ctx)
	if err != nil {
		return Admin{}, fmt.Errorf("creating first administrator: %w", err)
	}

	s.hub = realtime.NewHub(realtime.Options{
		Conversations:    s.conv,
		AuthenticateSeat: s.seatAgent,
		Suggest:          s.suggest,
		Logger:           s.log.With("component", "realtime"),
	})
	s.conv.SetPublisher(s.hub)
	s.conv.SetOnlineSeats(s.hub.OnlineSeats)
	if err := s.hub.Start(ctx); err != nil {
		return Admin{}, fmt.Errorf("starting realtime hub: %w", err)
	}

	s.web = web.New(web.Deps{
		Bot:           s.engine.Load,
		Conversations: s.conv,
		Auth:          s.auth,
		Calendar:      s.cal,
		CitizenSocket: s.hub.CitizenHandler(),
		SeatSocket:    s.hub.SeatHandler(),
		SeatStatus:    s.hub.SeatStatus,
		StaffedSeats:  s.hub.StaffedSeats,
		Health:        s.Health,
		Logger:        s.log,
		Secure:        s.cfg.Security.SecureCookies,
		MaxChats:      s.cfg.Seat.MaxChats,
	})
	return Admin{Login: login, Password: password, Created: created}, nil
}

// loadBot seeds the shipped knowledge base into a new store and trains
// the engine on the stored one.
func (s *Server) loadBot() error {
	entries, meta, err := kb.Seed(s.db, time.Now())
	if err != nil {
		return err
	}
	start := time.Now()
	engine, err := bot.New(entries, bot.Options{
		Threshold:  s.cfg.Bot.Threshold,
		LexiconDir: s.cfg.Bot.LexiconDir,
		Logger:     s.log.With("component", "bot"),
	})
	if err != nil {
		return fmt.Errorf("training bot on knowledge base version %d: %w", meta.Version, err)
	}
	s.engine.Store(engine)
	s.kbMeta = meta
	s.log.Info("bot trained", "entries", engine.Size(), "kb_version", meta.Version,
		"took", time.Since(start).Round(time.Millisecond))
	return nil
}

// seatAgent resolves the staff member behind a seat WebSocket request.
func (s *Server) seatAgent(r *http.Request) (conversation.Agent, error) {
	_, acct, err := s.auth.FromRequest(r)
	if err != nil {
		return conversation.Agent{}, err
	}
	if acct.MustChangePassword {
		return conversation.Agent{}, errMustChangePassword
	}
	limit := acct.MaxChats
	if limit <= 0 {
		limit = s.cfg.Seat.MaxChats
	}
	return conversation.Agent{ID: acct.ID, Name: acct.DisplayName, MaxChats: limit}, nil
}

// errMustChangePassword keeps a seat with a handed-over password from
// serving citizens until its owner sets their own.
var errMustChangePassword = errors.New("account must change its password before serving")

// bodyTimeout bounds reading a request body, so a client that sends
// headers and then stalls does not hold a connection for ever. WebSocket
// upgrades are exempt: the library hijacks them and manages its own
// deadlines.
const bodyTimeout = 15 * time.Second

func withBodyDeadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") == "" {
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(bodyTimeout))
		}
		next.ServeHTTP(w, r)
	})
}

// maxSuggestions is the number of knowledge-base entries offered to the seat.
const maxSuggestions = 3

func (s *Server) suggest(text string) []realtime.Suggestion {
	engine := s.engine.Load()
	if engine == nil {
		return nil
	}
	var out []realtime.Suggestion
	for _, sg := range engine.Suggest(text, maxSuggestions) {
		e, ok := engine.Entry(sg.FAQID)
		if !ok {
			continue
		}
		out = append(out, realtime.Suggestion{FAQID: e.ID, Question: e.Question, Answer: e.Answer})
	}
	return out
}

// Health reports whether the store and the indexes are open and the
// listener is serving.
func (s *Server) Health() error {
	if s.db == nil || s.conv == nil {
		return errors.New("hub is not open")
	}
	if err := s.db.Ping(); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := s.conv.Ready(); err != nil {
		return err
	}
	if s.engine.Load() == nil {
		return errors.New("bot engine is not loaded")
	}
	if !s.serving.Load() {
		return errors.New("hub is not serving")
	}
	return nil
}

// Serve handles requests on ln until ctx ends, then drains open pages and
// requests within the configured timeout.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           withBodyDeadline(s.web.Handler()),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	sd := notifier{log: s.log}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.serving.Store(true)
	s.log.Info("hub serving", "addr", ln.Addr().String(), "url", s.cfg.BaseURL())
	sd.ready()

	wdCtx, stopWatchdog := context.WithCancel(ctx)
	defer stopWatchdog()
	go sd.watchdog(wdCtx, s.Health)

	select {
	case err := <-errc:
		s.serving.Store(false)
		return fmt.Errorf("serving HTTP on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}

	s.log.Info("hub stopping", "timeout", s.cfg.ShutdownTimeout)
	sd.stopping()
	s.serving.Store(false)
	drainCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()

	hubErr := s.hub.Shutdown(drainCtx)
	httpErr := srv.Shutdown(drainCtx)
	if err := errors.Join(hubErr, httpErr); err != nil {
		return fmt.Errorf("draining connections: %w", err)
	}
	s.log.Info("hub stopped")
	return nil
}

// Close releases the indexes and closes the store. It is safe after a
// failed Open.
func (s *Server) Close() error {
	var errs []error
	if e := s.engine.Load(); e != nil {
		errs = append(errs, e.Close())
	}
	if s.conv != nil {
		errs = append(errs, s.conv.Close())
	}
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	return errors.Join(errs...)
}

// Conversations returns the conversation service, for tools and tests.
func (s *Server) Conversations() *conversation.Service { return s.conv }

// Auth returns the account service, for tools and tests.
func (s *Server) Auth() *auth.Service { return s.auth }
