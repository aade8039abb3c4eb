package terminal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"wenban/kiosk/ime"
	"wenban/kiosk/media"
)

// ScreenOptions configures Handler.
type ScreenOptions struct {
	// Page renders the touch screen's HTML page. Required.
	Page http.Handler
	// Static is served under /static/. Required.
	Static fs.FS
	// CitizenCookie is the hub's citizen cookie, which a reset expires.
	// Empty means "wenban_citizen".
	CitizenCookie string
}

// csrfHeader must be on every POST to the terminal. A cross-origin page
// cannot add a custom header without a CORS preflight, which the terminal
// never grants.
const csrfHeader = "X-Wenban-Kiosk"

// hubPaths are the hub routes the screen reaches through the terminal:
// the citizen API, the citizen WebSocket, WHEP playback of the staff
// member and WHIP publishing of the screen itself during remote control.
var hubPaths = []string{"/api/v1/", "/ws/citizen", "/whep/", "/whip/"}

// Handler serves the touch screen to the local kiosk browser: the page,
// its assets and the terminal's own endpoints under /kiosk/. It also
// forwards the citizen routes to the hub, so the page, the hub's cookie
// and the terminal share one origin.
func (t *Terminal) Handler(opts ScreenOptions) http.Handler {
	if opts.CitizenCookie == "" {
		opts.CitizenCookie = "wenban_citizen"
	}

	mux := http.NewServeMux()
	mux.Handle("GET /{$}", opts.Page)
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(opts.Static)))
	mux.HandleFunc("GET /kiosk/state", t.serveState)
	mux.HandleFunc("GET /kiosk/ime", serveIME)
	mux.HandleFunc("POST /kiosk/consent", t.serveConsent)
	mux.HandleFunc("POST /kiosk/stop-control", t.serveStopControl)
	mux.HandleFunc("POST /kiosk/still", t.serveStill)
	mux.HandleFunc("POST /kiosk/reset", t.resetHandler(opts.CitizenCookie))

	proxy := t.hubProxy()
	for _, p := range hubPaths {
		mux.Handle(p, proxy)
	}

	return requireCSRFHeader(mux)
}

func requireCSRFHeader(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.Header.Get(csrfHeader) != "1" {
			writeError(w, http.StatusForbidden, "请求来源无效，请刷新页面后重试。")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// hubProxy forwards to the hub. The hub's WebSocket checks that Origin
// matches its own host, so a request whose Origin is this screen gets the
// hub's origin instead. Requests from any other origin are rejected.
func (t *Terminal) hubProxy() http.Handler {
	hub := t.opts.Hub
	hubOrigin := hub.Scheme + "://" + hub.Host

	proxy := &httputil.ReverseProxy{
		Transport: t.hubTransport,
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(hub)
			if pr.In.Header.Get("Origin") != "" {
				pr.Out.Header.Set("Origin", hubOrigin)
			}
		},
		ModifyResponse: t.watchHandoff,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			t.log.Warn("forwarding to the hub failed", "path", r.URL.Path, "error", err)
			writeError(w, http.StatusBadGateway, "暂时无法连接服务中心，请稍后重试。")
		},
	}

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); origin != "" && !sameOrigin(origin, r.Host) {
			writeError(w, http.StatusForbidden, "请求来源无效，请刷新页面后重试。")
			return
		}
		proxy.ServeHTTP(w, r)
	})
}

func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host == host
}

// serveState streams the terminal state as server-sent events, one
// "state" event per change.
func (t *Terminal) serveState(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeError(w, http.StatusInternalServerError, "页面状态服务不可用。")
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")

	for {
		state, changed := t.Watch()
		data, err := json.Marshal(state)
		if err != nil {
			t.log.Error("encoding the screen state failed", "error", err)
			return
		}
		if _, err := fmt.Fprintf(w, "event: state\ndata: %s\n\n", data); err != nil {
			return
		}
		flusher.Flush()

		select {
		case <-changed:
		case <-r.Context().Done():
			return
		}
	}
}

func (t *Terminal) serveConsent(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Accept bool `json:"accept"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1024)).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "请求格式不正确。")
		return
	}

	err := t.Consent(body.Accept)
	if errors.Is(err, ErrNoControlRequest) {
		writeError(w, http.StatusConflict, "工作人员已取消请求。")
		return
	}
	if err != nil {
		t.log.Error("starting remote control failed", "error", err)
		writeError(w, http.StatusInternalServerError, "暂时无法开启远程协助。")
		return
	}

	w.WriteHeader(http.StatusNoContent)
}

func (t *Terminal) serveStopControl(w http.ResponseWriter, _ *http.Request) {
	t.StopControl()
	w.WriteHeader(http.StatusNoContent)
}

// stillTimeout bounds one document-camera capture.
const stillTimeout = 15 * time.Second

// serveStill takes a document-camera still and returns it as JPEG for the
// citizen to confirm. The page, not the terminal, uploads a confirmed
// still to the hub, so it is sent with the citizen's own session.
func (t *Terminal) serveStill(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), stillTimeout)
	defer cancel()

	data, err := t.TakeStill(ctx)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, stillMessage(err))
		return
	}

	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(data)
}

func stillMessage(err error) string {
	switch {
	case errors.Is(err, media.ErrDisabled):
		return "本终端未配置高拍仪。"
	case errors.Is(err, media.ErrDeviceMissing):
		return "高拍仪未连接，请联系工作人员。"
	case errors.Is(err, media.ErrDeviceBusy):
		return "高拍仪正在使用中，请稍后重试。"
	default:
		return "拍照失败，请重试。"
	}
}

// TakeStill captures one document-camera still as JPEG and clears the
// staff member's request for one.
func (t *Terminal) TakeStill(ctx context.Context) ([]byte, error) {
	data, bounds, err := media.CaptureStill(ctx, media.StillOptions{VideoOptions: t.opts.DocumentCamera})
	state := deviceState(err)
	t.update(func(s *State) {
		s.Devices.DocumentCamera = state
		if err == nil {
			s.StillRequested = false
		}
	})

	if err != nil {
		t.log.Error("document-camera still failed", "device", t.opts.DocumentCamera.Device, "error", err)
		return nil, err
	}
	t.log.Info("document-camera still taken", "width", bounds.Dx(), "height", bounds.Dy(), "bytes", len(data))
	return data, nil
}

// watchHandoff reads the conversation ID from the hub's reply to the
// screen's 转人工 and reports it on the control channel, so the hub
// routes that conversation's calls to this window. Only this terminal's
// own page can produce that reply, because the page is served on
// loopback.
func (t *Terminal) watchHandoff(resp *http.Response) error {
	req := resp.Request
	ok := resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated
	if req.Method != http.MethodPost || req.URL.Path != "/api/v1/handoff" || !ok {
		return nil
	}

	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("reading the hub's handoff reply: %w", err)
	}

	var reply struct {
		ConversationID string `json:"conversation_id"`
	}
	if err := json.Unmarshal(body, &reply); err != nil || reply.ConversationID == "" {
		t.log.Warn("handoff reply without a conversation ID; the hub cannot route its calls here")
		return nil
	}
	t.setConversation(reply.ConversationID)
	return nil
}

// resetHandler ends the citizen's session on the terminal. It expires the
// hub's citizen cookie, which is HttpOnly and so out of reach of the
// page's own wipe, and reports to the hub that the window has no
// conversation.
func (t *Terminal) resetHandler(cookie string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		t.setConversation("")
		http.SetCookie(w, &http.Cookie{Name: cookie, Value: "", Path: "/", MaxAge: -1,
			HttpOnly: true, SameSite: http.SameSiteStrictMode})
		w.Header().Set("Clear-Site-Data", `"cache", "cookies", "storage"`)
		w.WriteHeader(http.StatusNoContent)
	}
}

func writeError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": message})
}

// imeLimit is the number of candidates the keyboard's row shows.
const imeLimit = 12

// serveIME returns the pinyin candidates for ?q= as JSON.
func serveIME(w http.ResponseWriter, r *http.Request) {
	candidates := ime.Candidates(r.URL.Query().Get("q"), imeLimit)
	if candidates == nil {
		candidates = []ime.Candidate{}
	}

	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "max-age=3600")
	json.NewEncoder(w).Encode(map[string]any{"candidates": candidates})
}
