package server

import (
	"context"
	"errors"
	"sync"

	"wenban/appliance/call"
	"wenban/appliance/conversation"
)

// kioskCalls tracks which calls of kiosk conversations the terminal
// already joined, because the call manager reports every mute, hold and
// transfer of a live call as a new event.
type kioskCalls struct {
	mu     sync.Mutex
	joined map[conversation.ID]call.Call
	// publications are the kiosk WHIP sessions by session ID.
	publications map[string]kioskPublication
}

// kioskCallEvents wraps the session plane's call-event sink so that the
// calls of conversations a kiosk started also reach the kiosk terminal.
// It is installed as call.Options.Notify.
func (s *Server) kioskCallEvents(next func(call.Event)) func(call.Event) {
	s.kioskCalls.joined = map[conversation.ID]call.Call{}

	return func(ev call.Event) {
		next(ev)
		if ev.Call != nil {
			s.kioskCallChanged(*ev.Call)
		}
	}
}

// kioskCallChanged runs on the call manager's goroutine after its lock is
// released, so the slow steps run in goroutines of their own.
func (s *Server) kioskCallChanged(c call.Call) {
	if s.kiosks.hub == nil {
		return
	}
	if _, ok := s.kiosks.hub.WindowOf(string(c.Conversation)); !ok {
		return
	}

	switch c.State {
	case call.StateRinging:
		// The kiosk page has no ringing dialog: the citizen chose a video
		// window with 转人工, so a staff member's call connects at once.
		if c.Caller == call.PartyStaff {
			go s.acceptKioskCall(c)
		}
	case call.StateLive, call.StateHeld:
		// NOTE: the control frame carries no call kind, so the kiosk
		// publishes its camera in a voice call too.
		if s.markKioskCallJoined(c) {
			go s.startKioskCallMedia(c)
		}
	case call.StateEnded:
		if s.forgetKioskCall(c) {
			go s.endKioskCallMedia(c)
		}
	}
}

// markKioskCallJoined records c and reports whether it is new.
func (s *Server) markKioskCallJoined(c call.Call) bool {
	s.kioskCalls.mu.Lock()
	defer s.kioskCalls.mu.Unlock()

	if old, ok := s.kioskCalls.joined[c.Conversation]; ok && old.ID == c.ID {
		s.kioskCalls.joined[c.Conversation] = c
		return false
	}
	s.kioskCalls.joined[c.Conversation] = c
	return true
}

// forgetKioskCall drops c and reports whether the terminal had joined it.
func (s *Server) forgetKioskCall(c call.Call) bool {
	s.kioskCalls.mu.Lock()
	defer s.kioskCalls.mu.Unlock()

	old, ok := s.kioskCalls.joined[c.Conversation]
	if !ok || old.ID != c.ID {
		return false
	}
	delete(s.kioskCalls.joined, c.Conversation)
	return true
}

// kioskCall returns the live call of a kiosk conversation.
func (s *Server) kioskCall(id conversation.ID) (call.Call, bool) {
	s.kioskCalls.mu.Lock()
	defer s.kioskCalls.mu.Unlock()

	c, ok := s.kioskCalls.joined[id]
	return c, ok
}

func (s *Server) acceptKioskCall(c call.Call) {
	_, err := s.calls.Accept(context.Background(), c.Conversation, call.PartyCitizen)
	if err != nil && !errors.Is(err, call.ErrWrongState) {
		s.log.Warn("accepting the call for the kiosk failed", "conversation", c.Conversation, "call", c.ID, "error", err)
	}
}

// startKioskCallMedia sends the call to the kiosk. The kiosk may publish
// before the staff member's media reaches the room, because its WHEP
// player receives staff members only (see kioskPlaySources).
func (s *Server) startKioskCallMedia(c call.Call) {
	if _, still := s.kioskCall(c.Conversation); !still {
		return
	}

	if _, err := s.StartKioskCall(string(c.Conversation), string(c.Room)); err != nil {
		s.log.Error("starting the kiosk side of a call failed", "conversation", c.Conversation, "call", c.ID, "error", err)
	}
}

func (s *Server) endKioskCallMedia(c call.Call) {
	s.kioskSeat.callEnded(s, c.Conversation)
	if err := s.EndKioskCall(string(c.Conversation)); err != nil {
		s.log.Warn("ending the kiosk side of a call failed", "conversation", c.Conversation, "call", c.ID, "error", err)
	}
}
