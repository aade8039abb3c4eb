package server

import (
	"fmt"
	"strings"
	"time"

	"wenban/appliance/call"
	"wenban/appliance/media/sfu"
	"wenban/appliance/media/token"
)

// staffPrefix starts the SFU participant ID of every staff member in a
// call.
var staffPrefix = string(call.StaffParticipant(""))

// isStaffParticipant is the source filter of a kiosk's WHEP player. It
// admits staff members only, so the kiosk screen never plays the kiosk's
// own camera, whatever order the room's tracks were published in.
func isStaffParticipant(id sfu.ParticipantID) bool {
	return strings.HasPrefix(string(id), staffPrefix)
}

// rememberKioskPlayer records the play token that StartKioskCall hands a
// kiosk until the token expires, so kioskPlaySources recognises the
// kiosk's WHEP sessions. It also deletes the records of expired tokens.
// NOTE: the record lives in memory only, so after a hub restart a kiosk
// that plays again with its old token receives every publisher of the
// room, its own camera included, until the next call issues a new token.
func (s *Server) rememberKioskPlayer(playToken string) error {
	claims, err := s.tokens.Parse(playToken)
	if err != nil {
		return fmt.Errorf("reading the kiosk's play token: %w", err)
	}

	now := time.Now()
	s.kioskCalls.mu.Lock()
	defer s.kioskCalls.mu.Unlock()
	for id, expires := range s.kioskCalls.players {
		if !expires.After(now) {
			delete(s.kioskCalls.players, id)
		}
	}
	if s.kioskCalls.players == nil {
		s.kioskCalls.players = map[string]time.Time{}
	}
	s.kioskCalls.players[claims.ID] = claims.Expires

	return nil
}

// kioskPlaySources is the WHEP endpoint's whip.Options.PlaySources: a
// session with a kiosk call's play token receives staff members only,
// and any other session receives the whole room.
func (s *Server) kioskPlaySources(claims token.Claims) func(sfu.ParticipantID) bool {
	s.kioskCalls.mu.Lock()
	_, ok := s.kioskCalls.players[claims.ID]
	s.kioskCalls.mu.Unlock()
	if !ok {
		return nil
	}

	return isStaffParticipant
}
