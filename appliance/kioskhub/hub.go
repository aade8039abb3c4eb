// Package kioskhub is the hub's end of the kiosk control channel (see
// wenban/kiosk/control for the frames). Each virtual-window terminal keeps
// one WebSocket open at GET /ws/kiosk?window=ID, authenticated with its
// key. The call and seat code starts and ends calls on a window, requests
// document-camera stills and relays remote-control requests and input
// through the Hub. The Hub keeps each terminal's device states and stores
// the audit record of every remote-control session.
package kioskhub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"wenban/appliance/logvalue"
	"wenban/kiosk/control"
)

// ErrOffline means the window's terminal has no control channel open.
var ErrOffline = errors.New("kioskhub: kiosk terminal is offline")

// writeTimeout bounds one frame write to a terminal.
const writeTimeout = 5 * time.Second

// KeyStore checks a terminal's key. DirKeys implements it.
type KeyStore interface {
	Verify(window, key string) bool
}

// AuditLog stores remote-control records. StoreAudit implements it.
type AuditLog interface {
	Append(ctx context.Context, rec ControlRecord) error
}

// Options configures a Hub.
type Options struct {
	// Keys authenticates terminals. Required.
	Keys KeyStore
	// Audit stores every remote-control session. Nil keeps them in the
	// log only.
	Audit AuditLog
	// OnFrame, when set, receives every valid frame a terminal sends, for
	// example so the seat page can show that the citizen consented. It is
	// called from the terminal's read loop and must not block for long.
	OnFrame func(window string, f control.Frame)
	// Logger receives connection logs. Nil discards them.
	Logger *slog.Logger
}

// Hub tracks the connected terminals.
type Hub struct {
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	kiosks  map[string]*kiosk
	calls   map[string]control.Call // running calls, resent after a reconnect
	devices map[string]control.Devices
	// conversations maps a conversation ID to the window whose citizen
	// started it, and windowConversation is the reverse.
	conversations      map[string]string
	windowConversation map[string]string
	closing            bool
	wg                 sync.WaitGroup
}

type kiosk struct {
	window string
	conn   *websocket.Conn
	writeM sync.Mutex
}

// New builds a hub.
func New(opts Options) (*Hub, error) {
	if opts.Keys == nil {
		return nil, errors.New("kioskhub: key store is missing")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}

	return &Hub{
		opts:    opts,
		log:     opts.Logger,
		kiosks:  map[string]*kiosk{},
		calls:   map[string]control.Call{},
		devices: map[string]control.Devices{},

		conversations:      map[string]string{},
		windowConversation: map[string]string{},
	}, nil
}

// ServeHTTP serves the control channel. The terminal is not a browser, so
// the WebSocket accepts any Origin and relies on the bearer key alone.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	window := r.URL.Query().Get("window")
	key, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if ValidateWindow(window) != nil || !h.opts.Keys.Verify(window, key) {
		h.log.Warn("kiosk control channel rejected", "window", logvalue.Clip(window), "remote", r.RemoteAddr)
		http.Error(w, "kiosk key rejected", http.StatusUnauthorized)
		return
	}

	h.mu.Lock()
	closing := h.closing
	if !closing {
		h.wg.Add(1)
	}
	h.mu.Unlock()
	if closing {
		http.Error(w, "hub is shutting down", http.StatusServiceUnavailable)
		return
	}
	defer h.wg.Done()

	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		h.log.Debug("kiosk websocket upgrade failed", "window", window, "error", err)
		return
	}
	conn.SetReadLimit(control.MaxFrameSize)

	k := &kiosk{window: window, conn: conn}
	h.register(k)
	defer h.unregister(k)

	h.readLoop(r.Context(), k)
}

// register makes k the window's terminal, closing an older connection of
// the same window, and resends a running call.
func (h *Hub) register(k *kiosk) {
	h.mu.Lock()
	old := h.kiosks[k.window]
	h.kiosks[k.window] = k
	call, inCall := h.calls[k.window]
	h.mu.Unlock()

	if old != nil {
		old.conn.Close(websocket.StatusPolicyViolation, "replaced by a newer connection")
	}
	h.log.Info("kiosk terminal connected", "window", k.window)

	if inCall {
		if err := h.write(k, control.Frame{Type: control.TypeCall, Call: &call}); err != nil {
			h.log.Warn("resending the running call failed", "window", k.window, "error", err)
		}
	}
}

func (h *Hub) unregister(k *kiosk) {
	h.mu.Lock()
	current := h.kiosks[k.window] == k
	if current {
		delete(h.kiosks, k.window)
	}
	h.mu.Unlock()

	k.conn.CloseNow()
	if current {
		h.log.Info("kiosk terminal disconnected", "window", k.window)
	}
}

func (h *Hub) readLoop(ctx context.Context, k *kiosk) {
	for {
		_, data, err := k.conn.Read(ctx)
		if err != nil {
			return
		}

		f, err := control.Parse(data)
		if err != nil {
			h.log.Warn("dropping an invalid kiosk frame", "window", k.window, "error", err)
			continue
		}
		h.handle(ctx, k.window, f)
	}
}

func (h *Hub) handle(ctx context.Context, window string, f control.Frame) {
	switch f.Type {
	case control.TypeDevices:
		h.mu.Lock()
		h.devices[window] = *f.Devices
		h.mu.Unlock()
		h.log.Info("kiosk devices", "window", window, "camera", string(f.Devices.Camera),
			"microphone", string(f.Devices.Microphone), "document_camera", string(f.Devices.DocumentCamera),
			"input", string(f.Devices.Input))
	case control.TypeConversation:
		h.setConversation(window, f.Conversation)
	case control.TypeControlStarted, control.TypeControlDeclined:
		h.log.Info("kiosk remote control answer", "window", window, "type", string(f.Type), "operator", f.Operator)
	case control.TypeControlEnded:
		h.audit(ctx, window, *f.Record)
	default:
		h.log.Warn("kiosk sent a hub-to-kiosk frame", "window", window, "type", string(f.Type))
		return
	}

	if h.opts.OnFrame != nil {
		h.opts.OnFrame(window, f)
	}
}

func (h *Hub) audit(ctx context.Context, window string, r control.Record) {
	rec := ControlRecord{
		Window:         window,
		Operator:       r.Operator,
		Started:        r.Started,
		Ended:          r.Ended,
		DurationMillis: r.DurationMillis,
		Reason:         r.Reason,
		Commands:       r.Commands,
	}
	h.log.Info("kiosk remote control ended", "window", window, "operator", rec.Operator,
		"started", rec.Started, "duration_ms", rec.DurationMillis, "reason", rec.Reason,
		"commands", rec.Commands)

	if h.opts.Audit == nil {
		return
	}
	if err := h.opts.Audit.Append(context.WithoutCancel(ctx), rec); err != nil {
		h.log.Error("storing the remote-control record failed", "window", window, "error", err)
	}
}

func (h *Hub) write(k *kiosk, f control.Frame) error {
	data, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encoding %s frame: %w", f.Type, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	k.writeM.Lock()
	defer k.writeM.Unlock()

	if err := k.conn.Write(ctx, websocket.MessageText, data); err != nil {
		return fmt.Errorf("sending %s frame to window %s: %w", f.Type, k.window, err)
	}
	return nil
}

// send writes f to window's terminal.
func (h *Hub) send(window string, f control.Frame) error {
	h.mu.Lock()
	k := h.kiosks[window]
	h.mu.Unlock()

	if k == nil {
		return fmt.Errorf("%w: window %s", ErrOffline, window)
	}
	return h.write(k, f)
}

// StartCall sends window's terminal the call to publish into. The hub keeps
// the call and sends it again when the terminal reconnects, so an offline
// terminal (ErrOffline) joins once it is back.
func (h *Hub) StartCall(window string, call control.Call) error {
	h.mu.Lock()
	h.calls[window] = call
	h.mu.Unlock()

	return h.send(window, control.Frame{Type: control.TypeCall, Call: &call})
}

// EndCall sends window's terminal a hangup, which stops its publishing.
func (h *Hub) EndCall(window string) error {
	h.mu.Lock()
	delete(h.calls, window)
	h.mu.Unlock()

	return h.send(window, control.Frame{Type: control.TypeHangup})
}

// RequestStill shows the citizen at window a request for a
// document-camera photo.
func (h *Hub) RequestStill(window string) error {
	return h.send(window, control.Frame{Type: control.TypeStill})
}

// RequestControl shows the citizen at window the consent question for
// remote control by operator, a staff account ID.
func (h *Hub) RequestControl(window, operator string) error {
	return h.send(window, control.Frame{Type: control.TypeControlRequest, Operator: operator})
}

// Input relays one remote-control command, the JSON that
// wenban/kiosk/input.ParseCommand accepts. The terminal drops it unless
// the citizen consented.
func (h *Hub) Input(window string, command json.RawMessage) error {
	return h.send(window, control.Frame{Type: control.TypeInput, Command: command})
}

// EndControl hands control of window's screen back to the citizen.
func (h *Hub) EndControl(window string) error {
	return h.send(window, control.Frame{Type: control.TypeControlEnd})
}

// setConversation records that window's citizen is in conversation, or
// in none when conversation is empty.
func (h *Hub) setConversation(window, conversation string) {
	h.mu.Lock()
	defer h.mu.Unlock()

	if old, ok := h.windowConversation[window]; ok {
		delete(h.conversations, old)
		delete(h.windowConversation, window)
	}
	if conversation != "" {
		h.conversations[conversation] = window
		h.windowConversation[window] = conversation
	}
	h.log.Info("kiosk conversation", "window", window, "conversation", conversation)
}

// WindowOf returns the window whose terminal started conversation with
// 转人工, so the call code can start the conversation's calls there.
func (h *Hub) WindowOf(conversation string) (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()

	window, ok := h.conversations[conversation]
	return window, ok
}

// Online reports whether window's terminal is connected.
func (h *Hub) Online(window string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()

	return h.kiosks[window] != nil
}

// Devices returns the device states window's terminal last reported.
func (h *Hub) Devices(window string) (control.Devices, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()

	d, ok := h.devices[window]
	return d, ok
}

// Shutdown closes every control channel with "going away", so terminals
// reconnect to the restarted hub, and waits for the handlers to return.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closing = true
	var all []*kiosk
	for _, k := range h.kiosks {
		all = append(all, k)
	}
	h.mu.Unlock()

	for _, k := range all {
		k.conn.Close(websocket.StatusGoingAway, "hub restarting")
	}

	done := make(chan struct{})
	go func() {
		h.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
