package server

import (
	"strings"

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

// kioskPlaySources is the WHEP endpoint's whip.Options.PlaySources: a
// session with a kiosk call's play token, which StartKioskCall signs for
// staff members only, receives staff members only, and any other session
// receives the whole room. The limit is in the signed token, so it holds
// across a hub restart.
func (s *Server) kioskPlaySources(claims token.Claims) func(sfu.ParticipantID) bool {
	if claims.Sources != token.SourcesStaff {
		return nil
	}
	return isStaffParticipant
}
