package server

import (
	"errors"
	"net/http"
	"path/filepath"
	"time"

	"wenban/appliance/kioskhub"
	"wenban/appliance/media/token"
	"wenban/kiosk/control"
)

// kioskService is the hub's end of the kiosk control channels.
type kioskService struct {
	hub *kioskhub.Hub
}

// openKiosks builds the control-channel hub. Terminal keys live in the
// kiosks folder of the data folder, one file per window, made with
// `wenban kiosk key`.
func (s *Server) openKiosks() error {
	hub, err := kioskhub.New(kioskhub.Options{
		Keys:    kioskhub.DirKeys{Dir: filepath.Join(s.cfg.Data, "kiosks")},
		Audit:   kioskhub.StoreAudit{DB: s.db},
		OnFrame: s.kioskFrame,
		Logger:  s.log.With("component", "kioskhub"),
	})
	if err != nil {
		return err
	}

	s.kiosks.hub = hub
	return nil
}

// handler serves GET /ws/kiosk, or nil before openKiosks.
func (k kioskService) handler() http.Handler {
	if k.hub == nil {
		return nil
	}

	return k.hub
}

// Kiosks returns the control-channel hub, for the call and seat code that
// starts calls on a window and relays remote control.
func (s *Server) Kiosks() *kioskhub.Hub { return s.kiosks.hub }

// kioskTokenTTL is the lifetime of the WHIP and WHEP tokens of a kiosk
// call. The terminal publishes again with the same token after a device
// change, so the token must outlast the longest call.
const kioskTokenTTL = 8 * time.Hour

// StartKioskCall sends the call in room to the kiosk terminal whose
// citizen started conversation with 转人工, with tokens to publish the
// camera, microphone and screen and to play the room. It returns false
// when no kiosk started the conversation. An offline terminal gets the
// call when it reconnects. The screen share goes to a room of its own,
// kioskScreenRoom(room). The WHEP session of the play token receives
// staff members only (see kioskPlaySources), so the kiosk screen never
// plays the kiosk's own camera.
func (s *Server) StartKioskCall(conversation, room string) (bool, error) {
	window, ok := s.kiosks.hub.WindowOf(conversation)
	if !ok {
		return false, nil
	}

	now := time.Now()
	publish, err := s.tokens.Issue(room, token.PermissionPublish, kioskTokenTTL, now)
	if err != nil {
		return true, err
	}
	play, err := s.tokens.IssuePlay(room, token.SourcesStaff, kioskTokenTTL, now)
	if err != nil {
		return true, err
	}
	screenRoom := kioskScreenRoom(room)
	screen, err := s.tokens.Issue(screenRoom, token.PermissionPublish, kioskTokenTTL, now)
	if err != nil {
		return true, err
	}

	err = s.kiosks.hub.StartCall(window, control.Call{
		Room:         room,
		PublishURL:   kioskWHIPPath + room,
		PublishToken: publish,
		PlayURL:      "/whep/" + room,
		PlayToken:    play,
		ScreenURL:    "/whip/" + screenRoom,
		ScreenToken:  screen,
	})
	if errors.Is(err, kioskhub.ErrOffline) {
		s.log.Warn("kiosk offline at call start; it joins when it reconnects",
			"window", window, "conversation", conversation, "room", room)
		return true, nil
	}
	return true, err
}

// EndKioskCall hangs up the kiosk call of conversation, if a kiosk
// started it.
func (s *Server) EndKioskCall(conversation string) error {
	window, ok := s.kiosks.hub.WindowOf(conversation)
	if !ok {
		return nil
	}

	err := s.kiosks.hub.EndCall(window)
	if errors.Is(err, kioskhub.ErrOffline) {
		return nil
	}
	return err
}
