package input

import (
	"fmt"
	"log/slog"
	"sync"
	"time"
	"unicode"
)

// maxOperatorLength is the maximum length in bytes of an operator ID.
const maxOperatorLength = 128

// StopReason is the cause of the end of a remote-control session. Stop
// records any value as given, and the constants name the causes the kiosk
// handles.
type StopReason string

// Stop reasons.
const (
	StopCitizen      StopReason = "citizen"      // the citizen pressed the stop button
	StopOperator     StopReason = "operator"     // the staff member handed control back
	StopDisconnected StopReason = "disconnected" // the session WebSocket closed
	StopShutdown     StopReason = "shutdown"     // the kiosk process is stopping
)

// Record is the audit record of one remote-control session. It never
// contains typed text.
type Record struct {
	Operator string
	Started  time.Time
	Ended    time.Time
	Duration time.Duration
	Reason   StopReason
	Commands int // commands received while active, including failed ones
}

// Session gates remote control on the citizen's consent. Apply injects
// commands only between Start and Stop. A Session is safe for concurrent
// use, and it may run any number of sessions one after another.
type Session struct {
	injector Injector
	logger   *slog.Logger
	now      func() time.Time

	// applyMu serializes injector calls, so that the ReleaseAll in Stop is
	// the last write of a session.
	applyMu sync.Mutex

	mu      sync.Mutex
	current *run // nil while no session is active
}

// run is the state of one session.
type run struct {
	operator string
	started  time.Time
	commands int
}

// NewSession returns an inactive Session that injects into inj and logs to
// logger. A nil logger discards the logs.
func NewSession(inj Injector, logger *slog.Logger) *Session {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}

	return &Session{injector: inj, logger: logger, now: time.Now}
}

// Start begins remote control by operator, the staff account ID. The kiosk
// calls it only after the citizen has confirmed on screen.
func (s *Session) Start(operator string) error {
	if err := validateOperator(operator); err != nil {
		return err
	}

	s.mu.Lock()
	defer s.mu.Unlock()

	if s.current != nil {
		return fmt.Errorf("%w: operator %q has control", ErrAlreadyActive,
			s.current.operator)
	}
	s.current = &run{operator: operator, started: s.now()}

	s.logger.Info("remote control started", "operator", operator)
	return nil
}

func validateOperator(operator string) error {
	if operator == "" {
		return fmt.Errorf("%w: operator ID is empty", ErrInvalidOperator)
	}
	if len(operator) > maxOperatorLength {
		return fmt.Errorf("%w: operator ID is %d bytes, more than the maximum of %d",
			ErrInvalidOperator, len(operator), maxOperatorLength)
	}
	for _, r := range operator {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("%w: operator ID %q contains a non-printable character",
				ErrInvalidOperator, operator)
		}
	}

	return nil
}

// Active reports whether remote control is active.
func (s *Session) Active() bool {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.current != nil
}

// Apply performs cmd if remote control is active and returns ErrNotActive
// otherwise. When Stop is called during a text command, typing ends after
// the current character and Apply returns an error wrapping ErrNotActive.
func (s *Session) Apply(cmd Command) error {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()

	s.mu.Lock()
	r := s.current
	if r != nil {
		r.commands++
	}
	s.mu.Unlock()

	if r == nil {
		return ErrNotActive
	}

	return Apply(cmd, gatedInjector{session: s, run: r})
}

// Stop ends remote control and returns the session's audit record. It
// rejects further commands at once, waits for the command in flight to
// stop, then releases every key and button still down. When ReleaseAll
// fails, Stop still ends the session and returns the record with the error.
// Stop returns ErrNotActive when no session is active.
func (s *Session) Stop(reason StopReason) (Record, error) {
	s.mu.Lock()
	r := s.current
	s.current = nil
	s.mu.Unlock()

	if r == nil {
		return Record{}, ErrNotActive
	}

	s.applyMu.Lock()
	releaseErr := s.injector.ReleaseAll()
	s.applyMu.Unlock()

	ended := s.now()
	rec := Record{
		Operator: r.operator,
		Started:  r.started,
		Ended:    ended,
		Duration: ended.Sub(r.started),
		Reason:   reason,
		Commands: r.commands,
	}
	s.logRecord(rec)

	if releaseErr != nil {
		s.logger.Error("releasing keys after remote control failed",
			"operator", rec.Operator, "error", releaseErr)
		return rec, fmt.Errorf("releasing keys and buttons after remote control: %w",
			releaseErr)
	}

	return rec, nil
}

func (s *Session) logRecord(rec Record) {
	s.logger.Info("remote control ended",
		"operator", rec.Operator,
		"started", rec.Started,
		"ended", rec.Ended,
		"duration", rec.Duration,
		"reason", string(rec.Reason),
		"commands", rec.Commands)
}

// isCurrent reports whether r is still the active session. A command from a
// stopped session must not continue into the next one.
func (s *Session) isCurrent(r *run) bool {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.current == r
}

// gatedInjector checks before every injector call that its session is still
// active, so that Stop takes effect between two characters of a text.
type gatedInjector struct {
	session *Session
	run     *run
}

func (g gatedInjector) check() error {
	if !g.session.isCurrent(g.run) {
		return ErrNotActive
	}

	return nil
}

func (g gatedInjector) inner() Injector { return g.session.injector }

func (g gatedInjector) ScreenSize() (int, int) { return g.inner().ScreenSize() }

func (g gatedInjector) MoveTo(x, y int) error {
	if err := g.check(); err != nil {
		return err
	}

	return g.inner().MoveTo(x, y)
}

func (g gatedInjector) Press(b Button) error {
	if err := g.check(); err != nil {
		return err
	}

	return g.inner().Press(b)
}

func (g gatedInjector) Release(b Button) error {
	if err := g.check(); err != nil {
		return err
	}

	return g.inner().Release(b)
}

func (g gatedInjector) Click(b Button) error {
	if err := g.check(); err != nil {
		return err
	}

	return g.inner().Click(b)
}

func (g gatedInjector) Scroll(delta int) error {
	if err := g.check(); err != nil {
		return err
	}

	return g.inner().Scroll(delta)
}

func (g gatedInjector) KeyTap(k Key) error {
	if err := g.check(); err != nil {
		return err
	}

	return g.inner().KeyTap(k)
}

// TypeText passes s on one character at a time with a check before each.
func (g gatedInjector) TypeText(s string) error {
	total := len([]rune(s))
	typed := 0
	for _, r := range s {
		if err := g.check(); err != nil {
			return fmt.Errorf("%w: typing stopped after %d of %d characters",
				err, typed, total)
		}
		if err := g.inner().TypeText(string(r)); err != nil {
			return err
		}
		typed++
	}

	return nil
}

func (g gatedInjector) ReleaseAll() error { return g.inner().ReleaseAll() }
