package terminal

import (
	"encoding/json"
	"errors"

	"wenban/kiosk/control"
	"wenban/kiosk/input"
)

// ErrNoControlRequest means Consent was called with no request pending.
var ErrNoControlRequest = errors.New("terminal: no remote-control request is pending")

// requestControl shows the consent question on the screen. Without an
// injector the terminal declines at once.
func (t *Terminal) requestControl(operator string) {
	if t.session == nil {
		t.log.Info("declining remote control: input injection is unavailable", "operator", operator)
		t.sendFrame(control.Frame{Type: control.TypeControlDeclined, Operator: operator})
		return
	}

	t.mu.Lock()
	t.operator = operator
	t.mu.Unlock()
	t.update(func(s *State) { s.ControlRequest = true })
}

// Consent applies the citizen's on-screen choice to the pending
// remote-control request.
func (t *Terminal) Consent(accept bool) error {
	t.mu.Lock()
	operator := t.operator
	t.operator = ""
	t.mu.Unlock()

	if operator == "" {
		return ErrNoControlRequest
	}
	t.update(func(s *State) { s.ControlRequest = false })

	if !accept {
		t.log.Info("citizen declined remote control", "operator", operator)
		t.sendFrame(control.Frame{Type: control.TypeControlDeclined, Operator: operator})
		return nil
	}

	if err := t.session.Start(operator); err != nil {
		return err
	}
	t.update(func(s *State) { s.ControlActive = true })
	t.sendFrame(control.Frame{Type: control.TypeControlStarted, Operator: operator})
	return nil
}

// StopControl ends remote control from the screen's stop button.
func (t *Terminal) StopControl() { t.stopControl(input.StopCitizen) }

// stopControl ends remote control, withdraws a pending request, and sends
// the session's audit record, or keeps it until the channel is back.
func (t *Terminal) stopControl(reason input.StopReason) {
	t.mu.Lock()
	t.operator = ""
	t.mu.Unlock()
	t.update(func(s *State) {
		s.ControlRequest = false
		s.ControlActive = false
	})

	if t.session == nil {
		return
	}
	rec, err := t.session.Stop(reason)
	if errors.Is(err, input.ErrNotActive) {
		return
	}
	if err != nil {
		t.log.Error("ending remote control failed", "error", err)
	}

	t.mu.Lock()
	t.unsent = append(t.unsent, recordFrame(rec))
	t.mu.Unlock()
	t.flushRecords()
}

func recordFrame(rec input.Record) control.Record {
	return control.Record{
		Operator:       rec.Operator,
		Started:        rec.Started.UTC(),
		Ended:          rec.Ended.UTC(),
		DurationMillis: rec.Duration.Milliseconds(),
		Reason:         string(rec.Reason),
		Commands:       rec.Commands,
	}
}

// flushRecords sends the audit records kept while the channel was down.
func (t *Terminal) flushRecords() {
	t.sendMu.Lock()
	up := t.send != nil
	t.sendMu.Unlock()
	if !up {
		return
	}

	t.mu.Lock()
	records := t.unsent
	t.unsent = nil
	t.mu.Unlock()

	for i := range records {
		t.sendFrame(control.Frame{Type: control.TypeControlEnded, Record: &records[i]})
	}
}

// applyInput injects one command from the hub. Commands outside a
// consented session are dropped by the session.
func (t *Terminal) applyInput(raw json.RawMessage) {
	if t.session == nil {
		return
	}

	cmd, err := input.ParseCommand(raw)
	if err != nil {
		t.log.Debug("dropping an invalid remote-control command", "error", err)
		return
	}
	if err := t.session.Apply(cmd); err != nil {
		t.log.Debug("remote-control command not applied", "type", string(cmd.Type), "error", err)
	}
}
