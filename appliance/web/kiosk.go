package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"wenban/appliance/conversation"
	"wenban/appliance/kioskhub"
	"wenban/kiosk/control"
	"wenban/kiosk/input"
)

// Errors of KioskSeat. The handlers map each to a status and a message
// for the staff member.
var (
	// ErrNotKiosk means no kiosk terminal started the conversation.
	ErrNotKiosk = errors.New("web: conversation was not started at a kiosk")
	// ErrKioskOffline means the conversation's kiosk terminal is not
	// connected to the hub.
	ErrKioskOffline = errors.New("web: kiosk terminal is offline")
	// ErrNoKioskCall means the request needs a running call, because the
	// kiosk shares its screen through the call's media endpoints.
	ErrNoKioskCall = errors.New("web: kiosk conversation has no running call")
	// ErrNoControl means the staff member holds no consented control of
	// the kiosk screen: the citizen has not confirmed yet, declined, or
	// control ended.
	ErrNoControl = errors.New("web: no consented remote control of the kiosk")
)

// Control states of KioskStatus.Control.
const (
	KioskControlNone      = ""
	KioskControlRequested = "requested"
	KioskControlActive    = "active"
	KioskControlDeclined  = "declined"
	KioskControlEnded     = "ended"
)

// KioskStatus is the state of a kiosk conversation that the seat page shows.
type KioskStatus struct {
	Window  string          `json:"window"`
	Online  bool            `json:"online"`
	Devices control.Devices `json:"devices"`
	// Call is set while the kiosk publishes into the conversation's call.
	Call bool `json:"call"`
	// Control is one of the KioskControl states. Declined and ended stay
	// until the next request, so the seat page can show the outcome.
	Control string `json:"control"`
	// ViewOnly is set while the staff member only watches the screen, so
	// the hub relays no input.
	ViewOnly       bool      `json:"view_only"`
	ControlStarted time.Time `json:"control_started,omitzero"`
	// ScreenURL and ScreenToken are the WHEP endpoint and play token of
	// the kiosk's shared screen, set while control is active.
	ScreenURL   string `json:"screen_url,omitempty"`
	ScreenToken string `json:"screen_token,omitempty"`
}

// KioskSeat is the seat's side of the kiosk terminals: document-camera
// stills, the consent flow of screen view and control, and the input
// relay. Every method takes the ID of the staff account that serves the
// conversation, which the handlers check before the call.
type KioskSeat interface {
	KioskStatus(ctx context.Context, agentID string, id conversation.ID) (KioskStatus, error)
	RequestKioskStill(ctx context.Context, agentID string, id conversation.ID) error
	// RequestKioskControl shows the citizen the consent question. With
	// viewOnly the hub relays no input once the citizen consents. While
	// control is active, it only switches between watching and
	// controlling, because the citizen already consented to control.
	RequestKioskControl(ctx context.Context, agentID string, id conversation.ID, viewOnly bool) error
	KioskInput(ctx context.Context, agentID string, id conversation.ID, cmd input.Command) error
	EndKioskControl(ctx context.Context, agentID string, id conversation.ID) error
	KioskControlLog(ctx context.Context) ([]kioskhub.ControlRecord, error)
}

// Messages of the kiosk routes.
const (
	msgNotKiosk     = "该会话不是自助终端发起的会话。"
	msgKioskOffline = "自助终端当前离线，请稍后再试。"
	msgNoKioskCall  = "请先发起视频通话，再查看或控制自助终端屏幕。"
	msgNoControl    = "市民尚未同意远程控制，或控制已结束，操作未发送。"
	msgNotYourChat  = "该会话不由您服务。"
)

func (s *Server) kioskRoutes(mux *http.ServeMux) {
	mux.Handle("GET /seat/api/kiosk/{id}", s.staffAPI(s.api(s.kioskStatus)))
	mux.Handle("POST /seat/api/kiosk/{id}/still", s.staffAPI(s.api(s.kioskStill)))
	mux.Handle("POST /seat/api/kiosk/{id}/control", s.staffAPI(s.api(s.kioskControl)))
	mux.Handle("POST /seat/api/kiosk/{id}/input", s.staffAPI(s.api(s.kioskInput)))
	mux.Handle("POST /seat/api/kiosk/{id}/end-control", s.staffAPI(s.api(s.kioskEndControl)))
	mux.Handle("GET /seat/admin/kiosk-control", s.adminPage(s.kioskControlLog))
	mux.Handle("/kiosk/whip/", orNotFound(s.deps.KioskMedia))
}

// kioskConversation returns the kiosk service and the conversation of the
// request after checking that the signed-in staff member serves it.
func (s *Server) kioskConversation(r *http.Request) (KioskSeat, string, conversation.ID, error) {
	k := s.deps.Kiosk
	if k == nil {
		return nil, "", "", &appError{Status: http.StatusNotFound, Message: msgNotKiosk}
	}
	_, acct := account(r)
	id := conversation.ID(r.PathValue("id"))

	c, err := s.deps.Conversations.Get(r.Context(), id)
	if errors.Is(err, conversation.ErrNotFound) {
		return nil, "", "", &appError{Status: http.StatusNotFound, Message: msgNotKiosk, Cause: err}
	}
	if err != nil {
		return nil, "", "", internalError(err)
	}
	if c.AgentID != acct.ID || c.State == conversation.StateClosed {
		return nil, "", "", &appError{Status: http.StatusForbidden, Message: msgNotYourChat}
	}

	return k, acct.ID, id, nil
}

// kioskError maps a KioskSeat error to the staff member's message.
func kioskError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotKiosk):
		return &appError{Status: http.StatusNotFound, Message: msgNotKiosk, Cause: err}
	case errors.Is(err, ErrKioskOffline):
		return &appError{Status: http.StatusConflict, Message: msgKioskOffline, Cause: err}
	case errors.Is(err, ErrNoKioskCall):
		return &appError{Status: http.StatusConflict, Message: msgNoKioskCall, Cause: err}
	case errors.Is(err, ErrNoControl):
		return &appError{Status: http.StatusForbidden, Message: msgNoControl, Cause: err}
	}

	return internalError(err)
}

// kioskStatus serves GET /seat/api/kiosk/{id}, which the seat page polls
// while a kiosk conversation is open.
func (s *Server) kioskStatus(w http.ResponseWriter, r *http.Request) error {
	k, agent, id, err := s.kioskConversation(r)
	if err != nil {
		return err
	}
	st, err := k.KioskStatus(r.Context(), agent, id)
	if err != nil {
		return kioskError(err)
	}

	s.writeJSON(w, r, http.StatusOK, st)
	return nil
}

func (s *Server) kioskStill(w http.ResponseWriter, r *http.Request) error {
	k, agent, id, err := s.kioskConversation(r)
	if err != nil {
		return err
	}
	if err := k.RequestKioskStill(r.Context(), agent, id); err != nil {
		return kioskError(err)
	}

	w.WriteHeader(http.StatusNoContent)
	return nil
}

type kioskControlRequest struct {
	// Mode is "view" to watch the screen or "control" to operate it.
	Mode string `json:"mode"`
}

func (s *Server) kioskControl(w http.ResponseWriter, r *http.Request) error {
	k, agent, id, err := s.kioskConversation(r)
	if err != nil {
		return err
	}
	var req kioskControlRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Mode != "view" && req.Mode != "control" {
		return badRequest(msgBadJSON, errors.New("control mode is neither view nor control"))
	}

	if err := k.RequestKioskControl(r.Context(), agent, id, req.Mode == "view"); err != nil {
		return kioskError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) kioskInput(w http.ResponseWriter, r *http.Request) error {
	k, agent, id, err := s.kioskConversation(r)
	if err != nil {
		return err
	}
	var req seatInput
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	cmd, err := req.command()
	if err != nil {
		return badRequest(msgBadJSON, err)
	}

	if err := k.KioskInput(r.Context(), agent, id, cmd); err != nil {
		return kioskError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) kioskEndControl(w http.ResponseWriter, r *http.Request) error {
	k, agent, id, err := s.kioskConversation(r)
	if err != nil {
		return err
	}
	if err := k.EndKioskControl(r.Context(), agent, id); err != nil {
		return kioskError(err)
	}

	w.WriteHeader(http.StatusNoContent)
	return nil
}
