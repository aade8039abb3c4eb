package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wenban/appliance/call"
	"wenban/appliance/conversation"
	"wenban/appliance/kioskhub"
	"wenban/appliance/web"
	"wenban/kiosk/control"
	"wenban/kiosk/input"
)

type oneKey struct{}

func (oneKey) Verify(window, key string) bool { return window == "hall-1" && key == "key-1" }

// fakeTerminal is the kiosk end of a control channel in a test.
type fakeTerminal struct {
	t    *testing.T
	conn *websocket.Conn
}

func (f fakeTerminal) send(frame control.Frame) {
	f.t.Helper()
	data, err := json.Marshal(frame)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.conn.Write(context.Background(), websocket.MessageText, data); err != nil {
		f.t.Fatalf("terminal write: %v", err)
	}
}

func (f fakeTerminal) read() control.Frame {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, data, err := f.conn.Read(ctx)
	if err != nil {
		f.t.Fatalf("terminal read: %v", err)
	}
	frame, err := control.Parse(data)
	if err != nil {
		f.t.Fatalf("terminal got an invalid frame %s: %v", data, err)
	}
	return frame
}

// newKioskSeatServer returns a Server with only the kiosk hub, a
// terminal of window hall-1 connected to it whose citizen started
// conversation c1, and a running call in c1.
func newKioskSeatServer(t *testing.T) (*Server, fakeTerminal) {
	t.Helper()

	s := &Server{log: slog.New(slog.DiscardHandler)}
	hub, err := kioskhub.New(kioskhub.Options{Keys: oneKey{}, OnFrame: s.kioskFrame})
	if err != nil {
		t.Fatal(err)
	}
	s.kiosks.hub = hub
	s.kioskCallEvents(func(call.Event) {})
	s.kioskCalls.joined["c1"] = call.Call{ID: "call-1", Conversation: "c1", Room: "room-1", State: call.StateLive}

	srv := httptest.NewServer(hub)
	t.Cleanup(srv.Close)
	conn, _, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http")+control.Path+"?window=hall-1",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer key-1"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })

	term := fakeTerminal{t: t, conn: conn}
	term.send(control.Frame{Type: control.TypeConversation, Conversation: "c1"})
	waitKiosk(t, "window of c1", func() bool {
		w, ok := hub.WindowOf("c1")
		return ok && w == "hall-1"
	})
	return s, term
}

func waitKiosk(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("%s: not reached within 5s", what)
		}
	}
}

func controlState(s *Server) string { return s.kioskSeat.get("hall-1").state }

var tap = input.Command{Type: input.CommandKey, Key: "a"}

func TestKioskInputNeedsConsent(t *testing.T) {
	s, term := newKioskSeatServer(t)
	api := kioskSeatAPI{s: s}
	ctx := context.Background()

	if err := api.KioskInput(ctx, "agent-1", "c1", tap); !errors.Is(err, web.ErrNoControl) {
		t.Fatalf("input before any request: got %v, want ErrNoControl", err)
	}

	if err := api.RequestKioskControl(ctx, "agent-1", "c1", false); err != nil {
		t.Fatalf("RequestKioskControl: %v", err)
	}
	if f := term.read(); f.Type != control.TypeControlRequest || f.Operator != "agent-1" {
		t.Fatalf("terminal got %s for %q, want control_request for agent-1", f.Type, f.Operator)
	}
	if err := api.KioskInput(ctx, "agent-1", "c1", tap); !errors.Is(err, web.ErrNoControl) {
		t.Fatalf("input before the citizen confirms: got %v, want ErrNoControl", err)
	}

	term.send(control.Frame{Type: control.TypeControlDeclined, Operator: "agent-1"})
	waitKiosk(t, "declined state", func() bool { return controlState(s) == web.KioskControlDeclined })
	if err := api.KioskInput(ctx, "agent-1", "c1", tap); !errors.Is(err, web.ErrNoControl) {
		t.Fatalf("input after the citizen declined: got %v, want ErrNoControl", err)
	}
}

func TestKioskInputRelayedUntilEndControl(t *testing.T) {
	s, term := newKioskSeatServer(t)
	api := kioskSeatAPI{s: s}
	ctx := context.Background()

	if err := api.RequestKioskControl(ctx, "agent-1", "c1", false); err != nil {
		t.Fatal(err)
	}
	term.read()
	term.send(control.Frame{Type: control.TypeControlStarted, Operator: "agent-1"})
	waitKiosk(t, "active state", func() bool { return controlState(s) == web.KioskControlActive })

	if err := api.KioskInput(ctx, "agent-2", "c1", tap); !errors.Is(err, web.ErrNoControl) {
		t.Errorf("input from another staff member: got %v, want ErrNoControl", err)
	}

	move := input.Command{Type: input.CommandPointer, X: 0.25, Y: 0.75}
	if err := api.KioskInput(ctx, "agent-1", "c1", move); err != nil {
		t.Fatalf("input with consent: %v", err)
	}
	f := term.read()
	if f.Type != control.TypeInput {
		t.Fatalf("terminal got %s, want input", f.Type)
	}
	got, err := input.ParseCommand(f.Command)
	if err != nil {
		t.Fatalf("relayed command %s: %v", f.Command, err)
	}
	if got != move {
		t.Errorf("relayed command: got %+v, want %+v", got, move)
	}

	if err := api.RequestKioskControl(ctx, "agent-1", "c1", true); err != nil {
		t.Fatalf("switching to view only: %v", err)
	}
	if err := api.KioskInput(ctx, "agent-1", "c1", tap); !errors.Is(err, web.ErrNoControl) {
		t.Errorf("input in view-only mode: got %v, want ErrNoControl", err)
	}
	if err := api.RequestKioskControl(ctx, "agent-1", "c1", false); err != nil {
		t.Fatalf("switching back to control: %v", err)
	}

	if err := api.EndKioskControl(ctx, "agent-1", "c1"); err != nil {
		t.Fatalf("EndKioskControl: %v", err)
	}
	if err := api.KioskInput(ctx, "agent-1", "c1", tap); !errors.Is(err, web.ErrNoControl) {
		t.Errorf("input after 结束控制: got %v, want ErrNoControl", err)
	}
	if f := term.read(); f.Type != control.TypeControlEnd {
		t.Errorf("terminal got %s after 结束控制, want control_end", f.Type)
	}
}

func TestKioskControlEndedByCitizen(t *testing.T) {
	s, term := newKioskSeatServer(t)
	api := kioskSeatAPI{s: s}
	ctx := context.Background()

	if err := api.RequestKioskControl(ctx, "agent-1", "c1", false); err != nil {
		t.Fatal(err)
	}
	term.read()
	term.send(control.Frame{Type: control.TypeControlStarted, Operator: "agent-1"})
	waitKiosk(t, "active state", func() bool { return controlState(s) == web.KioskControlActive })

	term.send(control.Frame{Type: control.TypeControlEnded, Record: &control.Record{Operator: "agent-1", Reason: "citizen"}})
	waitKiosk(t, "ended state", func() bool { return controlState(s) == web.KioskControlEnded })
	if err := api.KioskInput(ctx, "agent-1", "c1", tap); !errors.Is(err, web.ErrNoControl) {
		t.Errorf("input after the citizen ended control: got %v, want ErrNoControl", err)
	}
}

func TestKioskSeatErrors(t *testing.T) {
	s, _ := newKioskSeatServer(t)
	api := kioskSeatAPI{s: s}
	ctx := context.Background()

	if _, err := api.KioskStatus(ctx, "agent-1", "no-such"); !errors.Is(err, web.ErrNotKiosk) {
		t.Errorf("status of a web conversation: got %v, want ErrNotKiosk", err)
	}

	s.forgetKioskCall(call.Call{ID: "call-1", Conversation: conversation.ID("c1")})
	if err := api.RequestKioskControl(ctx, "agent-1", "c1", false); !errors.Is(err, web.ErrNoKioskCall) {
		t.Errorf("control without a call: got %v, want ErrNoKioskCall", err)
	}
}
