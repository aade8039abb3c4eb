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

	"wenban/appliance/announce"
	"wenban/appliance/audit"
	"wenban/appliance/auth"
	"wenban/appliance/bot"
	"wenban/appliance/calendar"
	"wenban/appliance/call"
	"wenban/appliance/config"
	"wenban/appliance/conversation"
	"wenban/appliance/kb"
	"wenban/appliance/learn"
	"wenban/appliance/media/sfu"
	"wenban/appliance/media/token"
	"wenban/appliance/policy"
	"wenban/appliance/realtime"
	"wenban/appliance/store"
	"wenban/appliance/web"
)

// Server is one running hub.
type Server struct {
	cfg config.Config
	log *slog.Logger

	db     *store.DB
	tokens *token.Signer // media tokens, keyed from the master key
	conv   *conversation.Service
	auth   *auth.Service
	audit  *audit.Log
	cal    *calendar.Calendar
	hub    *realtime.Hub
	web    *web.Server
	engine atomic.Pointer[bot.Engine]
	learn  *learn.Service
	files  *fileService
	kbMeta kb.Meta

	policy     *policy.Library
	policyJob  *policy.Job
	kiosks     kioskService
	kioskCalls kioskCalls
	kioskSeat  kioskSeat
	calls      *call.Manager
	groupRecs  *call.GroupStore
	callSFU    *sfu.SFU
	media      mediaPlane
	tls        tlsState

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
// administrator, whose password it returns for printing once. When a
// later step fails, Open still returns the created administrator with the
// error, so the caller can show the password that no later start shows.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*Server, Admin, error) {
	s := &Server{cfg: cfg, log: log}
	admin, err := s.open(ctx)
	if err != nil {
		s.Close()
		return nil, admin, err
	}
	return s, admin, nil
}

func (s *Server) open(ctx context.Context) (Admin, error) {
	master, err := s.cfg.OpenMasterKey()
	if err != nil {
		return Admin{}, err
	}
	s.log.Info("master key loaded", "source", master.Source)

	s.tokens, err = token.FromMaster(master)
	if err != nil {
		return Admin{}, err
	}

	s.db, err = store.Open(s.cfg.DatabasePath(), master)
	if err != nil {
		return Admin{}, err
	}

	if err := s.loadBot(); err != nil {
		return Admin{}, err
	}

	if err := s.openPolicy(ctx); err != nil {
		return Admin{}, err
	}
	// TLS comes before the first administrator, so that a bad certificate
	// file stops the start before a password is created and shown.
	if err := s.openTLS(); err != nil {
		return Admin{}, err
	}

	s.cal, err = s.cfg.Hours.Calendar()
	if err != nil {
		return Admin{}, err
	}

	s.audit = audit.New(s.db, audit.Options{})
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
	admin := Admin{Login: login, Password: password, Created: created}
	if err := s.openAfterAdmin(ctx); err != nil {
		return admin, err
	}
	return admin, nil
}

// openAfterAdmin runs the steps after the first administrator exists.
func (s *Server) openAfterAdmin(ctx context.Context) error {

	s.hub = realtime.NewHub(realtime.Options{
		Conversations:    s.conv,
		AuthenticateSeat: s.seatAgent,
		Suggest:          s.suggest,
		Logger:           s.log.With("component", "realtime"),
	})
	if err := s.openLearn(); err != nil {
		return err
	}
	s.conv.SetPublisher(s.publishers())
	s.conv.SetOnlineSeats(s.hub.OnlineSeats)
	if err := s.hub.Start(ctx); err != nil {
		return fmt.Errorf("starting realtime hub: %w", err)
	}

	files, err := s.openAttachments()
	if err != nil {
		return err
	}
	if err := s.openKiosks(); err != nil {
		return err
	}
	if err := s.openCalls(); err != nil {
		return err
	}
	if err := s.openMedia(); err != nil {
		return err
	}
	s.web = web.New(web.Deps{
		Bot:           s.engine.Load,
		KB:            s.learn,
		Policy:        s.policy,
		GroupWindows:  s.groupRecs,
		PolicyJob:     s.policyJob,
		Conversations: s.conv,
		Auth:          s.auth,
		Attachments:   files,
		Calendar:      s.cal,
		CitizenSocket: s.hub.CitizenHandler(),
		SeatSocket:    s.hub.SeatHandler(),
		KioskSocket:   s.kiosks.handler(),
		Kiosk:         s.kioskSeatDeps(),
		KioskMedia:    s.kioskWHIPHandler(),
		SeatStatus:    s.hub.SeatStatus,
		StaffedSeats:  s.hub.StaffedSeats,
		RecheckSeat:   s.hub.RecheckSeat,
		Audit:         s.audit,
		Announcements: announce.New(s.db, s.cal.Location(), nil),
		Health:        s.Health,
		Firmware:      s.firmwareHandler(),
		Media:         s.mediaHandler(),
		Logger:        s.log,
		Secure:        s.secureCookies(),
		MaxChats:      s.cfg.Seat.MaxChats,
	})
	return nil
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
		Handler:           withBodyDeadline(s.withHSTS(s.web.Handler())),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	sd := notifier{log: s.log}
	ln = s.wrapTLS(ln)
	stopRedirect, err := s.startRedirect()
	if err != nil {
		return err
	}
	defer stopRedirect()
	stopControl, err := s.startControl()
	if err != nil {
		return err
	}
	defer stopControl()

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
	errs = append(errs, s.closePolicy(), s.closeMedia(), s.closeCalls())
	s.files.close()
	if s.learn != nil {
		s.learn.Wait()
	}
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
