package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"wenban/appliance/conversation"
	"wenban/appliance/kioskhub"
	"wenban/appliance/media/token"
	"wenban/appliance/web"
	"wenban/kiosk/control"
	"wenban/kiosk/input"
)

// kioskScreenTokenTTL is the lifetime of the seat's WHEP token for a
// kiosk screen. The token is only checked when the player connects, and
// the seat page fetches a new one with every status poll.
const kioskScreenTokenTTL = 5 * time.Minute

// kioskRemote is the hub's record of remote control of one window. The
// terminal enforces consent itself as well. The hub keeps its own copy so
// that it rejects input without consent, or after 结束控制, before
// anything reaches the kiosk.
type kioskRemote struct {
	operator string
	state    string // one of web.KioskControl*
	viewOnly bool
	started  time.Time
}

// kioskSeat holds kioskRemote by window.
type kioskSeat struct {
	mu      sync.Mutex
	windows map[string]kioskRemote
}

func (k *kioskSeat) get(window string) kioskRemote {
	k.mu.Lock()
	defer k.mu.Unlock()

	return k.windows[window]
}

func (k *kioskSeat) set(window string, r kioskRemote) {
	k.mu.Lock()
	defer k.mu.Unlock()

	if k.windows == nil {
		k.windows = map[string]kioskRemote{}
	}
	k.windows[window] = r
}

// apply updates the window's state from a terminal's control frame.
func (k *kioskSeat) apply(window string, f control.Frame, now time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()

	if k.windows == nil {
		k.windows = map[string]kioskRemote{}
	}
	r := k.windows[window]
	switch f.Type {
	case control.TypeControlStarted:
		// A hub restarted after the request has no pending state, so the
		// terminal's consent for f.Operator is then the whole record.
		if r.state != web.KioskControlRequested || r.operator != f.Operator {
			r = kioskRemote{operator: f.Operator}
		}
		r.state, r.started = web.KioskControlActive, now
	case control.TypeControlDeclined:
		r = kioskRemote{operator: f.Operator, state: web.KioskControlDeclined}
	case control.TypeControlEnded:
		r = kioskRemote{operator: f.Operator, state: web.KioskControlEnded}
	default:
		return
	}
	k.windows[window] = r
}

// kioskFrame is kioskhub.Options.OnFrame.
func (s *Server) kioskFrame(window string, f control.Frame) {
	s.kioskSeat.apply(window, f, time.Now())
}

// callEnded ends remote control of the conversation's window, because
// the kiosk shares its screen through the call's endpoints.
func (k *kioskSeat) callEnded(s *Server, id conversation.ID) {
	window, ok := s.kiosks.hub.WindowOf(string(id))
	if !ok {
		return
	}
	r := k.get(window)
	if r.state != web.KioskControlActive && r.state != web.KioskControlRequested {
		return
	}

	k.set(window, kioskRemote{operator: r.operator, state: web.KioskControlEnded})
	if err := s.kiosks.hub.EndControl(window); err != nil && !errors.Is(err, kioskhub.ErrOffline) {
		s.log.Warn("ending remote control at call end failed", "window", window, "error", err)
	}
}

// kioskSeatAPI implements web.KioskSeat on the kiosk hub.
type kioskSeatAPI struct{ s *Server }

var _ web.KioskSeat = kioskSeatAPI{}

func (a kioskSeatAPI) window(id conversation.ID) (string, error) {
	if a.s.kiosks.hub == nil {
		return "", web.ErrNotKiosk
	}
	window, ok := a.s.kiosks.hub.WindowOf(string(id))
	if !ok {
		return "", fmt.Errorf("%w: conversation %s", web.ErrNotKiosk, id)
	}
	return window, nil
}

// onlineWindow returns the conversation's window when its terminal is
// connected.
func (a kioskSeatAPI) onlineWindow(id conversation.ID) (string, error) {
	window, err := a.window(id)
	if err != nil {
		return "", err
	}
	if !a.s.kiosks.hub.Online(window) {
		return "", fmt.Errorf("%w: window %s", web.ErrKioskOffline, window)
	}
	return window, nil
}

func (a kioskSeatAPI) KioskStatus(_ context.Context, agentID string, id conversation.ID) (web.KioskStatus, error) {
	window, err := a.window(id)
	if err != nil {
		return web.KioskStatus{}, err
	}
	st := web.KioskStatus{Window: window, Online: a.s.kiosks.hub.Online(window)}
	st.Devices, _ = a.s.kiosks.hub.Devices(window)
	c, inCall := a.s.kioskCall(id)
	st.Call = inCall

	r := a.s.kioskSeat.get(window)
	if r.operator != agentID {
		return st, nil
	}
	st.Control, st.ViewOnly, st.ControlStarted = r.state, r.viewOnly, r.started
	if r.state != web.KioskControlActive || !inCall {
		return st, nil
	}

	screen := kioskScreenRoom(string(c.Room))
	tok, err := a.screenToken(screen)
	if err != nil {
		return web.KioskStatus{}, err
	}
	st.ScreenURL, st.ScreenToken = "/whep/"+screen, tok
	return st, nil
}

func (a kioskSeatAPI) screenToken(room string) (string, error) {
	return a.s.tokens.Issue(room, token.PermissionPlay, kioskScreenTokenTTL, time.Now())
}

func (a kioskSeatAPI) RequestKioskStill(_ context.Context, _ string, id conversation.ID) error {
	window, err := a.onlineWindow(id)
	if err != nil {
		return err
	}
	return a.sendErr(a.s.kiosks.hub.RequestStill(window))
}

func (a kioskSeatAPI) RequestKioskControl(_ context.Context, agentID string, id conversation.ID, viewOnly bool) error {
	window, err := a.onlineWindow(id)
	if err != nil {
		return err
	}
	if _, inCall := a.s.kioskCall(id); !inCall {
		return fmt.Errorf("%w: window %s", web.ErrNoKioskCall, window)
	}

	r := a.s.kioskSeat.get(window)
	if r.state == web.KioskControlActive && r.operator == agentID {
		r.viewOnly = viewOnly
		a.s.kioskSeat.set(window, r)
		return nil
	}

	a.s.kioskSeat.set(window, kioskRemote{operator: agentID, state: web.KioskControlRequested, viewOnly: viewOnly})
	return a.sendErr(a.s.kiosks.hub.RequestControl(window, agentID))
}

// KioskInput relays cmd only while agentID holds consented control that
// is not view-only.
func (a kioskSeatAPI) KioskInput(_ context.Context, agentID string, id conversation.ID, cmd input.Command) error {
	window, err := a.window(id)
	if err != nil {
		return err
	}
	r := a.s.kioskSeat.get(window)
	if r.state != web.KioskControlActive || r.operator != agentID || r.viewOnly {
		return fmt.Errorf("%w: window %s", web.ErrNoControl, window)
	}

	raw, err := json.Marshal(cmd)
	if err != nil {
		return fmt.Errorf("encoding the %s command for window %s: %w", cmd.Type, window, err)
	}
	return a.sendErr(a.s.kiosks.hub.Input(window, raw))
}

// EndKioskControl ends control at the hub at once, so input sent after
// 结束控制 is rejected even before the terminal confirms.
func (a kioskSeatAPI) EndKioskControl(_ context.Context, agentID string, id conversation.ID) error {
	window, err := a.window(id)
	if err != nil {
		return err
	}
	a.s.kioskSeat.set(window, kioskRemote{operator: agentID, state: web.KioskControlEnded})

	err = a.s.kiosks.hub.EndControl(window)
	if errors.Is(err, kioskhub.ErrOffline) {
		return nil
	}
	return err
}

func (a kioskSeatAPI) KioskControlLog(ctx context.Context) ([]kioskhub.ControlRecord, error) {
	return kioskhub.StoreAudit{DB: a.s.db}.List(ctx)
}

func (a kioskSeatAPI) sendErr(err error) error {
	if errors.Is(err, kioskhub.ErrOffline) {
		return fmt.Errorf("%w: %w", web.ErrKioskOffline, err)
	}
	return err
}

// kioskScreenRoom is the SFU room of a call's kiosk screen share. It is
// apart from the call room so that the seat's call view and the kiosk's
// WHEP player never take the screen for a camera, and the seat page
// plays it over WHEP.
func kioskScreenRoom(room string) string {
	return room + "-screen"
}

// kioskSeatDeps returns the web layer's kiosk service.
func (s *Server) kioskSeatDeps() web.KioskSeat {
	if s.kiosks.hub == nil {
		return nil
	}
	return kioskSeatAPI{s: s}
}
