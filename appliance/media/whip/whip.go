// Package whip serves WHIP (RFC 9725) ingest and WHEP playback into the
// hub's SFU rooms, so standard clients such as OBS and GStreamer can
// publish into or play a room:
//
//	POST   /whip/{room}            SDP offer in, 201 with the SDP answer and a Location
//	POST   /whep/{room}            the same for playback
//	DELETE /whip/{room}/{session}  ends the session (likewise under /whep)
//	PATCH  /whip/{room}/{session}  405: the hub's answer already holds all its candidates
//
// Every request carries "Authorization: Bearer TOKEN" with a token from
// the token package that grants publish (WHIP) or play (WHEP) in the
// room. Errors are plain Chinese text for the technician.
package whip

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"wenban/appliance/media/sfu"
	"wenban/appliance/media/token"
)

// maxOfferSize bounds the SDP body; a browser offer with every codec is
// under 16 KiB.
const maxOfferSize = 64 << 10

// Session limits. A client that reconnects opens a new session while
// the old one waits for its ICE timeout, so one token may hold a few.
const (
	maxSessionsPerToken = 8
	maxSessions         = 256
)

// answerTimeout bounds ICE gathering for one answer. Host candidates
// gather in milliseconds, so only a misconfigured host reaches it.
const answerTimeout = 10 * time.Second

// Options configures New.
type Options struct {
	SFU    *sfu.SFU
	Tokens *token.Signer
	// Logger receives session starts, stops and failures. Nil means
	// slog.Default().
	Logger *slog.Logger
	// Now returns the current time for token expiry. Nil means time.Now.
	Now func() time.Time
	// PlaySources, when set, returns the publishers a WHEP player with
	// the given token receives, as sfu.JoinOptions.Sources. A nil func or
	// a nil result lets the player receive every publisher of the room.
	// The kiosk's player uses it to play only the staff member.
	PlaySources func(token.Claims) func(sfu.ParticipantID) bool
}

// Handler serves the WHIP and WHEP endpoints.
type Handler struct {
	opts Options
	mux  *http.ServeMux

	mu       sync.Mutex
	sessions map[string]*session
	// perToken counts started and starting sessions by token ID, and
	// pending the sessions still starting.
	perToken map[string]int
	pending  int
}

type session struct {
	room sfu.RoomID
	kind string // "whip" or "whep"
	part *sfu.Participant
	// tokenID is the ID claim of the token that created the session.
	// Only a request with the same token may delete it.
	tokenID string
}

// New returns the handler. Mount it for the /whip/ and /whep/ paths.
func New(opts Options) *Handler {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &Handler{opts: opts, mux: http.NewServeMux(), sessions: make(map[string]*session), perToken: make(map[string]int)}
	for _, kind := range []string{"whip", "whep"} {
		h.mux.HandleFunc("POST /"+kind+"/{room}", h.create(kind))
		h.mux.HandleFunc("DELETE /"+kind+"/{room}/{session}", h.remove(kind))
		h.mux.HandleFunc("PATCH /"+kind+"/{room}/{session}", h.patch)
		h.mux.HandleFunc("OPTIONS /"+kind+"/{room}", h.options)
	}

	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mux.ServeHTTP(w, r)
}

func httpError(w http.ResponseWriter, status int, message string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="wenban"`)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintln(w, message)
}

// authorize checks the bearer token and writes the error response when
// it fails.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request, room string, perm token.Permission) (token.Claims, bool) {
	// HTTP authentication scheme names are case-insensitive (RFC 9110).
	scheme, text, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	text = strings.TrimSpace(text)
	if !ok || !strings.EqualFold(scheme, "Bearer") || text == "" {
		httpError(w, http.StatusUnauthorized, "缺少访问令牌，请在 Authorization 头中提供 Bearer 令牌（可用 wenban media token 生成）。")

		return token.Claims{}, false
	}
	claims, err := h.opts.Tokens.Authorize(text, room, perm, h.opts.Now())
	switch {
	case err == nil:
		return claims, true
	case errors.Is(err, token.ErrExpired):
		httpError(w, http.StatusUnauthorized, "访问令牌已过期，请重新生成。")
	case errors.Is(err, token.ErrWrongRoom):
		httpError(w, http.StatusForbidden, "访问令牌不适用于该房间。")
	case errors.Is(err, token.ErrWrongPermission):
		httpError(w, http.StatusForbidden, "访问令牌无此权限：推流需 --publish 令牌，拉流需 --play 令牌。")
	default:
		httpError(w, http.StatusUnauthorized, "访问令牌无效。")
	}
	h.opts.Logger.Info("media token rejected", "room", room, "permission", perm.String(), "error", err)

	return token.Claims{}, false
}

// permissionFor returns the token permission an endpoint needs: play for
// WHEP, publish for WHIP.
func permissionFor(kind string) token.Permission {
	if kind == "whep" {
		return token.PermissionPlay
	}
	return token.PermissionPublish
}

func (h *Handler) create(kind string) http.HandlerFunc {
	perm := permissionFor(kind)

	return func(w http.ResponseWriter, r *http.Request) {
		room := r.PathValue("room")
		claims, ok := h.authorize(w, r, room, perm)
		if !ok {
			return
		}
		mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mediaType != "application/sdp" {
			httpError(w, http.StatusUnsupportedMediaType, "请求内容类型须为 application/sdp。")

			return
		}
		offer, err := io.ReadAll(io.LimitReader(r.Body, maxOfferSize+1))
		if err != nil || len(offer) == 0 || len(offer) > maxOfferSize {
			httpError(w, http.StatusBadRequest, "请求正文须为不超过 64 KiB 的 SDP offer。")

			return
		}

		if !h.reserve(claims.ID) {
			httpError(w, http.StatusTooManyRequests, fmt.Sprintf(
				"会话数已达上限（每个令牌 %d 个，全部 %d 个），请先结束不用的推流或拉流会话后再试。", maxSessionsPerToken, maxSessions))

			return
		}
		id, answer, err := h.start(r.Context(), kind, sfu.RoomID(room), string(offer), claims)
		if err != nil {
			h.opts.Logger.Warn("media session rejected", "kind", kind, "room", room, "error", err)
			if errors.Is(err, sfu.ErrLimit) {
				httpError(w, http.StatusBadRequest, fmt.Sprintf(
					"SDP offer 的媒体段或候选地址过多：最多 %d 个音视频媒体段、%d 个候选地址。", sfu.MaxClientSections, sfu.MaxSDPCandidates))

				return
			}
			httpError(w, http.StatusBadRequest, "无法处理该 SDP offer，请检查推流或拉流客户端的设置。")

			return
		}

		w.Header().Set("Content-Type", "application/sdp")
		w.Header().Set("Location", "/"+kind+"/"+url.PathEscape(room)+"/"+id)
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, answer)
	}
}

// reserve counts a session about to start against the limits, or
// returns false when a limit is reached. start releases the reservation
// when the session fails.
func (h *Handler) reserve(tokenID string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()

	if h.pending+len(h.sessions) >= maxSessions || h.perToken[tokenID] >= maxSessionsPerToken {
		return false
	}
	h.pending++
	h.perToken[tokenID]++

	return true
}

func (h *Handler) unreserve(tokenID string, started bool) {
	h.mu.Lock()
	defer h.mu.Unlock()

	h.pending--
	if started {
		return
	}
	h.perToken[tokenID]--
	if h.perToken[tokenID] <= 0 {
		delete(h.perToken, tokenID)
	}
}

// start joins a participant without signalling and answers its offer.
func (h *Handler) start(ctx context.Context, kind string, room sfu.RoomID, offer string, claims token.Claims) (id, answer string, err error) {
	tokenID := claims.ID
	started := false
	defer func() { h.unreserve(tokenID, started) }()

	id, err = newSessionID()
	if err != nil {
		return "", "", err
	}
	var sources func(sfu.ParticipantID) bool
	if kind == "whep" && h.opts.PlaySources != nil {
		sources = h.opts.PlaySources(claims)
	}
	var part *sfu.Participant
	part, err = h.opts.SFU.Join(room, sfu.ParticipantID(kind+"-"+id), sfu.JoinOptions{
		CanPublish:   kind == "whip",
		CanSubscribe: kind == "whep",
		Sources:      sources,
		OnState: func(state webrtc.PeerConnectionState) {
			if state == webrtc.PeerConnectionStateFailed || state == webrtc.PeerConnectionStateClosed {
				h.end(id, "connection "+state.String())
			}
		},
	})
	if err != nil {
		return "", "", fmt.Errorf("joining room %s: %w", room, err)
	}

	ctx, cancel := context.WithTimeout(ctx, answerTimeout)
	defer cancel()
	answer, err = part.Answer(ctx, offer)
	if err != nil {
		_ = part.Close()

		return "", "", err
	}

	h.mu.Lock()
	h.sessions[id] = &session{room: room, kind: kind, part: part, tokenID: tokenID}
	started = true
	h.mu.Unlock()
	h.opts.Logger.Info("media session started", "kind", kind, "room", room, "session", id)

	return id, answer, nil
}

func newSessionID() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("creating session id: %w", err)
	}

	return hex.EncodeToString(b), nil
}

// end removes a session and closes its participant. A second call for
// the same id does nothing and returns false.
func (h *Handler) end(id, reason string) bool {
	h.mu.Lock()
	s := h.sessions[id]
	delete(h.sessions, id)
	if s != nil {
		h.perToken[s.tokenID]--
		if h.perToken[s.tokenID] <= 0 {
			delete(h.perToken, s.tokenID)
		}
	}
	h.mu.Unlock()
	if s == nil {
		return false
	}
	if err := s.part.Close(); err != nil {
		h.opts.Logger.Warn("closing media session failed", "session", id, "error", err)
	}
	h.opts.Logger.Info("media session ended", "kind", s.kind, "room", s.room, "session", id, "reason", reason)

	return true
}

func (h *Handler) remove(kind string) http.HandlerFunc {
	perm := permissionFor(kind)

	return func(w http.ResponseWriter, r *http.Request) {
		room := r.PathValue("room")
		claims, ok := h.authorize(w, r, room, perm)
		if !ok {
			return
		}
		id := r.PathValue("session")
		h.mu.Lock()
		s := h.sessions[id]
		h.mu.Unlock()
		// Another token's session gets the same 404 as a missing one, so a
		// token holder learns nothing about other sessions of the room.
		if s == nil || s.kind != kind || string(s.room) != room || s.tokenID != claims.ID {
			httpError(w, http.StatusNotFound, "会话不存在或已结束。")

			return
		}
		h.end(id, "deleted by client")
		w.WriteHeader(http.StatusOK)
	}
}

func (h *Handler) patch(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Allow", "DELETE")
	httpError(w, http.StatusMethodNotAllowed, "本服务不支持 trickle ICE，应答中已包含全部候选地址。")
}

func (h *Handler) options(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Allow", "OPTIONS, POST")
	w.Header().Set("Accept-Post", "application/sdp")
	w.WriteHeader(http.StatusNoContent)
}

// Close ends every session.
func (h *Handler) Close() {
	h.mu.Lock()
	ids := make([]string, 0, len(h.sessions))
	for id := range h.sessions {
		ids = append(ids, id)
	}
	h.mu.Unlock()
	for _, id := range ids {
		h.end(id, "hub stopping")
	}
}
