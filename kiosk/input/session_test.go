package input

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock returns times one second apart, starting at a fixed instant.
type fakeClock struct {
	mu   sync.Mutex
	next time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{next: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()

	t := c.next
	c.next = c.next.Add(time.Second)
	return t
}

func newTestSession(t *testing.T) (*Session, *recorder, *bytes.Buffer) {
	t.Helper()

	var logs bytes.Buffer
	rec := newRecorder()
	s := NewSession(rec, slog.New(slog.NewJSONHandler(&logs, nil)))
	s.now = newFakeClock().now

	return s, rec, &logs
}

var wheelUp = Command{Type: CommandWheel, Delta: 1}

func TestSessionRejectsBeforeStart(t *testing.T) {
	s, rec, _ := newTestSession(t)

	if err := s.Apply(wheelUp); !errors.Is(err, ErrNotActive) {
		t.Errorf("Apply before Start error = %v, want ErrNotActive", err)
	}
	if s.Active() {
		t.Error("Active() = true before Start, want false")
	}
	if got := rec.recorded(); len(got) != 0 {
		t.Errorf("calls = %q, want none", got)
	}
}

func TestSessionAppliesWhileActive(t *testing.T) {
	s, rec, _ := newTestSession(t)
	if err := s.Start("agent-7"); err != nil {
		t.Fatalf("Start: %v", err)
	}

	if !s.Active() {
		t.Error("Active() = false after Start, want true")
	}
	if err := s.Apply(wheelUp); err != nil {
		t.Errorf("Apply: %v", err)
	}
	if err := s.Apply(Command{Type: CommandText, Text: "ab"}); err != nil {
		t.Errorf("Apply text: %v", err)
	}

	want := []string{"scroll 1", `type "a"`, `type "b"`}
	if got := rec.recorded(); !equalStrings(got, want) {
		t.Errorf("calls = %q, want %q", got, want)
	}
}

func TestSessionStopReleasesAndRecords(t *testing.T) {
	s, rec, _ := newTestSession(t)
	if err := s.Start("agent-7"); err != nil {
		t.Fatalf("Start: %v", err)
	}
	press := Command{Type: CommandButton, Button: ButtonLeft, Action: ActionDown}
	if err := s.Apply(press); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if err := s.Apply(Command{Type: CommandWheel, Delta: 99}); err == nil {
		t.Fatal("Apply of an invalid command succeeded, want error")
	}

	got, err := s.Stop(StopCitizen)
	if err != nil {
		t.Fatalf("Stop: %v", err)
	}

	started := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	want := Record{
		Operator: "agent-7",
		Started:  started,
		Ended:    started.Add(time.Second),
		Duration: time.Second,
		Reason:   StopCitizen,
		Commands: 2,
	}
	if got != want {
		t.Errorf("Stop record = %+v, want %+v", got, want)
	}
	if calls := rec.recorded(); !equalStrings(calls, []string{"press left", "release-all"}) {
		t.Errorf("calls = %q, want press then release-all", calls)
	}
}

func TestSessionRejectsAfterStop(t *testing.T) {
	s, rec, _ := newTestSession(t)
	if err := s.Start("agent-7"); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if _, err := s.Stop(StopOperator); err != nil {
		t.Fatalf("Stop: %v", err)
	}

	if err := s.Apply(wheelUp); !errors.Is(err, ErrNotActive) {
		t.Errorf("Apply after Stop error = %v, want ErrNotActive", err)
	}
	if _, err := s.Stop(StopOperator); !errors.Is(err, ErrNotActive) {
		t.Errorf("second Stop error = %v, want ErrNotActive", err)
	}
	if calls := rec.recorded(); !equalStrings(calls, []string{"release-all"}) {
		t.Errorf("calls = %q, want only release-all", calls)
	}
}

func TestSessionStartTwice(t *testing.T) {
	s, _, _ := newTestSession(t)
	if err := s.Start("agent-7"); err != nil {
		t.Fatalf("Start: %v", err)
	}

	if err := s.Start("agent-8"); !errors.Is(err, ErrAlreadyActive) {
		t.Errorf("second Start error = %v, want ErrAlreadyActive", err)
	}

	rec, err := s.Stop(StopOperator)
	if err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if rec.Operator != "agent-7" {
		t.Errorf("Operator = %q, want the first operator agent-7", rec.Operator)
	}
}

func TestSessionRestartCountsAfresh(t *testing.T) {
	s, _, _ := newTestSession(t)
	for round := 1; round <= 2; round++ {
		if err := s.Start("agent-7"); err != nil {
			t.Fatalf("Start round %d: %v", round, err)
		}
		for range round {
			if err := s.Apply(wheelUp); err != nil {
				t.Fatalf("Apply round %d: %v", round, err)
			}
		}

		rec, err := s.Stop(StopOperator)
		if err != nil {
			t.Fatalf("Stop round %d: %v", round, err)
		}
		if rec.Commands != round {
			t.Errorf("round %d Commands = %d, want %d", round, rec.Commands, round)
		}
	}
}

func TestSessionStartValidatesOperator(t *testing.T) {
	tests := []struct {
		name     string
		operator string
	}{
		{"empty", ""},
		{"too long", strings.Repeat("a", maxOperatorLength+1)},
		{"newline", "agent\n7"},
		{"escape", "agent\x1b[2J"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, _ := newTestSession(t)
			if err := s.Start(tt.operator); !errors.Is(err, ErrInvalidOperator) {
				t.Errorf("Start(%q) error = %v, want ErrInvalidOperator", tt.operator, err)
			}
			if s.Active() {
				t.Error("Active() = true after a rejected Start, want false")
			}
		})
	}
}

func TestSessionStopReportsReleaseFailure(t *testing.T) {
	s, rec, logs := newTestSession(t)
	rec.failOn = "release-all"
	if err := s.Start("agent-7"); err != nil {
		t.Fatalf("Start: %v", err)
	}

	got, err := s.Stop(StopShutdown)
	if !errors.Is(err, errInjected) {
		t.Errorf("Stop error = %v, want the ReleaseAll error", err)
	}
	if got.Operator != "agent-7" || got.Reason != StopShutdown {
		t.Errorf("record = %+v, want operator agent-7 and reason shutdown", got)
	}
	if s.Active() {
		t.Error("Active() = true after a failed release, want false")
	}
	if !strings.Contains(logs.String(), "releasing keys after remote control failed") {
		t.Errorf("logs = %s, want the release failure", logs)
	}
}

func TestSessionStopDuringText(t *testing.T) {
	s, rec, _ := newTestSession(t)
	if err := s.Start("agent-7"); err != nil {
		t.Fatalf("Start: %v", err)
	}

	stopped := make(chan Record, 1)
	var once sync.Once
	rec.beforeType = func(string) {
		once.Do(func() {
			go func() {
				r, _ := s.Stop(StopCitizen)
				stopped <- r
			}()
			waitFor(t, "Stop to deactivate the session", func() bool { return !s.Active() })
		})
	}

	err := s.Apply(Command{Type: CommandText, Text: "abcdef"})
	if !errors.Is(err, ErrNotActive) {
		t.Errorf("Apply error = %v, want ErrNotActive", err)
	}
	if err != nil && !strings.Contains(err.Error(), "after 1 of 6 characters") {
		t.Errorf("Apply error = %q, want it to say 1 of 6 characters", err)
	}

	select {
	case r := <-stopped:
		if r.Commands != 1 {
			t.Errorf("Commands = %d, want 1", r.Commands)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Stop did not return")
	}

	want := []string{`type "a"`, "release-all"}
	if got := rec.recorded(); !equalStrings(got, want) {
		t.Errorf("calls = %q, want %q", got, want)
	}
}

func TestSessionStoppedCommandDoesNotLeakIntoNext(t *testing.T) {
	s, rec, _ := newTestSession(t)
	if err := s.Start("agent-7"); err != nil {
		t.Fatalf("Start: %v", err)
	}

	var once sync.Once
	rec.beforeType = func(string) {
		once.Do(func() {
			// Stop and Start another session while the first text is typing.
			done := make(chan struct{})
			go func() {
				defer close(done)
				_, _ = s.Stop(StopOperator)
			}()
			waitFor(t, "Stop to deactivate the session", func() bool { return !s.Active() })
			if err := s.Start("agent-8"); err != nil {
				t.Errorf("Start of the second session: %v", err)
			}
		})
	}

	err := s.Apply(Command{Type: CommandText, Text: "xyz"})
	if !errors.Is(err, ErrNotActive) {
		t.Errorf("Apply error = %v, want ErrNotActive", err)
	}
	waitFor(t, "release-all", func() bool {
		calls := rec.recorded()
		return len(calls) > 0 && calls[len(calls)-1] == "release-all"
	})

	if got, want := rec.recorded(), []string{`type "x"`, "release-all"}; !equalStrings(got, want) {
		t.Errorf("calls = %q, want %q", got, want)
	}
}

func TestSessionLogsWithoutText(t *testing.T) {
	s, _, logs := newTestSession(t)
	if err := s.Start("agent-7"); err != nil {
		t.Fatalf("Start: %v", err)
	}
	const secret = "Passw0rd!"
	if err := s.Apply(Command{Type: CommandText, Text: secret}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if _, err := s.Stop(StopCitizen); err != nil {
		t.Fatalf("Stop: %v", err)
	}

	if strings.Contains(logs.String(), secret) {
		t.Errorf("logs contain the typed text: %s", logs)
	}

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d log lines, want 2: %s", len(lines), logs)
	}
	var ended map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &ended); err != nil {
		t.Fatalf("decoding log line %s: %v", lines[1], err)
	}

	want := map[string]any{
		"msg":      "remote control ended",
		"operator": "agent-7",
		"started":  "2026-03-02T09:00:00Z",
		"ended":    "2026-03-02T09:00:01Z",
		"duration": float64(time.Second),
		"reason":   "citizen",
		"commands": float64(1),
	}
	for key, value := range want {
		if ended[key] != value {
			t.Errorf("log field %s = %v, want %v", key, ended[key], value)
		}
	}
}

func TestNewSessionNilLogger(t *testing.T) {
	s := NewSession(newRecorder(), nil)
	if err := s.Start("agent-7"); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if _, err := s.Stop(StopOperator); err != nil {
		t.Errorf("Stop: %v", err)
	}
}
