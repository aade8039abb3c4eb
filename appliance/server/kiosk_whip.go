package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/pion/webrtc/v4"

	"wenban/appliance/call"
	"wenban/appliance/logvalue"
	"wenban/appliance/media/sfu"
	"wenban/appliance/media/token"
)

// kioskWHIPPath is the WHIP endpoint of a kiosk's camera and microphone:
//
//	POST   /kiosk/whip/{room}            SDP offer in, 201 with the answer and a Location
//	DELETE /kiosk/whip/{room}/{session}  ends the publication
//
// Unlike the hub's /whip/ endpoint, it joins the kiosk as the citizen
// participant of the call's conversation, not as an anonymous "whip-"
// participant. The seat's call view shows only a participant whose ID
// starts with "citizen-" in its remote video.
const kioskWHIPPath = "/kiosk/whip/"

// Limits of the kiosk WHIP endpoint, the same as the hub's /whip/.
const (
	kioskOfferMax      = 64 << 10
	kioskAnswerTimeout = 10 * time.Second
)

type kioskPublication struct {
	room sfu.RoomID
	part *sfu.Participant
}

// kioskWHIPHandler serves kioskWHIPPath, or nil before the calls' SFU.
func (s *Server) kioskWHIPHandler() http.Handler {
	if s.callSFU == nil {
		return nil
	}

	mux := http.NewServeMux()
	mux.HandleFunc("POST "+kioskWHIPPath+"{room}", s.kioskPublish)
	mux.HandleFunc("DELETE "+kioskWHIPPath+"{room}/{session}", s.kioskUnpublish)
	return mux
}

func kioskMediaError(w http.ResponseWriter, status int, message string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="wenban"`)
	}
	http.Error(w, message, status)
}

func (s *Server) authorizeKioskMedia(r *http.Request, room string) error {
	text, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || text == "" {
		return fmt.Errorf("missing bearer token for room %s", room)
	}
	_, err := s.tokens.Authorize(strings.TrimSpace(text), room, token.PermissionPublish, time.Now())
	return err
}

func (s *Server) kioskPublish(w http.ResponseWriter, r *http.Request) {
	room := sfu.RoomID(r.PathValue("room"))
	if err := s.authorizeKioskMedia(r, string(room)); err != nil {
		s.log.Info("kiosk media token rejected", "room", logvalue.Clip(string(room)), "error", logvalue.Clip(err.Error()))
		kioskMediaError(w, http.StatusUnauthorized, "访问令牌无效或已过期。")
		return
	}
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/sdp" {
		kioskMediaError(w, http.StatusUnsupportedMediaType, "请求内容类型须为 application/sdp。")
		return
	}
	offer, err := io.ReadAll(io.LimitReader(r.Body, kioskOfferMax+1))
	if err != nil || len(offer) == 0 || len(offer) > kioskOfferMax {
		kioskMediaError(w, http.StatusBadRequest, "请求正文须为不超过 64 KiB 的 SDP offer。")
		return
	}

	id, answer, err := s.startKioskPublication(r.Context(), room, string(offer))
	if err != nil {
		s.log.Warn("kiosk publication rejected", "room", room, "error", err)
		kioskMediaError(w, http.StatusBadRequest, "无法处理该 SDP offer。")
		return
	}

	w.Header().Set("Content-Type", "application/sdp")
	w.Header().Set("Location", kioskWHIPPath+string(room)+"/"+id)
	w.WriteHeader(http.StatusCreated)
	io.WriteString(w, answer)
}

// startKioskPublication joins the room as the citizen of the room's call
// and returns the session ID and the SDP answer to offer.
// A new publication of the same participant replaces the old one in the
// SFU, so a kiosk that publishes again after a device change leaves no
// second camera behind.
func (s *Server) startKioskPublication(ctx context.Context, room sfu.RoomID, offer string) (string, string, error) {
	raw := make([]byte, 12)
	if _, err := rand.Read(raw); err != nil {
		return "", "", fmt.Errorf("creating session id: %w", err)
	}
	id := hex.EncodeToString(raw)

	// A room without a conversation's call, such as one a technician
	// names with `wenban media token`, gets an anonymous participant.
	participant := sfu.ParticipantID("kiosk-" + id)
	if conv := s.calls.RoomConversation(room); conv != "" {
		participant = call.CitizenParticipant(conv)
	}

	part, err := s.callSFU.Join(room, participant, sfu.JoinOptions{
		CanPublish: true,
		OnState: func(state webrtc.PeerConnectionState) {
			if state == webrtc.PeerConnectionStateFailed || state == webrtc.PeerConnectionStateClosed {
				s.endKioskPublication(id)
			}
		},
	})
	if err != nil {
		return "", "", fmt.Errorf("joining room %s: %w", room, err)
	}

	ctx, cancel := context.WithTimeout(ctx, kioskAnswerTimeout)
	defer cancel()
	answer, err := part.Answer(ctx, offer)
	if err != nil {
		part.Close()
		return "", "", err
	}

	s.kioskCalls.mu.Lock()
	if s.kioskCalls.publications == nil {
		s.kioskCalls.publications = map[string]kioskPublication{}
	}
	s.kioskCalls.publications[id] = kioskPublication{room: room, part: part}
	s.kioskCalls.mu.Unlock()
	s.log.Info("kiosk publication started", "room", room, "participant", participant, "session", id)
	return id, answer, nil
}

func (s *Server) endKioskPublication(id string) bool {
	s.kioskCalls.mu.Lock()
	pub, ok := s.kioskCalls.publications[id]
	delete(s.kioskCalls.publications, id)
	s.kioskCalls.mu.Unlock()
	if !ok {
		return false
	}

	if err := pub.part.Close(); err != nil {
		s.log.Warn("closing the kiosk publication failed", "session", id, "error", err)
	}
	s.log.Info("kiosk publication ended", "room", pub.room, "session", id)
	return true
}

func (s *Server) kioskUnpublish(w http.ResponseWriter, r *http.Request) {
	room := r.PathValue("room")
	if err := s.authorizeKioskMedia(r, room); err != nil {
		kioskMediaError(w, http.StatusUnauthorized, "访问令牌无效或已过期。")
		return
	}
	id := r.PathValue("session")

	s.kioskCalls.mu.Lock()
	pub, ok := s.kioskCalls.publications[id]
	s.kioskCalls.mu.Unlock()
	if !ok || string(pub.room) != room {
		kioskMediaError(w, http.StatusNotFound, "会话不存在或已结束。")
		return
	}
	s.endKioskPublication(id)
	w.WriteHeader(http.StatusOK)
}
