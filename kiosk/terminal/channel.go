package terminal

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/coder/websocket"

	"wenban/kiosk/control"
	"wenban/kiosk/input"
)

// writeTimeout bounds one frame write on the control channel.
const writeTimeout = 5 * time.Second

// connect opens the control channel, serves it until it closes and
// returns the reason.
func (t *Terminal) connect(ctx context.Context) error {
	endpoint := t.channelURL()
	conn, resp, err := websocket.Dial(ctx, endpoint, &websocket.DialOptions{
		HTTPClient: &http.Client{Transport: t.hubTransport},
		HTTPHeader: http.Header{"Authorization": []string{"Bearer " + t.opts.Key}},
	})
	if err != nil {
		if resp != nil {
			return fmt.Errorf("opening control channel %s: HTTP %d: %w", endpoint, resp.StatusCode, err)
		}
		return fmt.Errorf("opening control channel %s: %w", endpoint, err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(control.MaxFrameSize)

	t.log.Info("control channel to the hub open", "url", endpoint)
	t.attach(ctx, conn)
	defer t.detach()

	d := t.devicesSnapshot()
	t.sendFrame(control.Frame{Type: control.TypeDevices, Devices: &d})
	t.mu.Lock()
	conversation := t.conversation
	t.mu.Unlock()
	if conversation != "" {
		t.sendFrame(control.Frame{Type: control.TypeConversation, Conversation: conversation})
	}
	t.flushRecords()

	return t.readLoop(ctx, conn)
}

func (t *Terminal) channelURL() string {
	u := *t.opts.Hub
	switch u.Scheme {
	case "https":
		u.Scheme = "wss"
	default:
		u.Scheme = "ws"
	}
	u.Path = control.Path
	u.RawQuery = url.Values{"window": {t.opts.Window}}.Encode()

	return u.String()
}

func (t *Terminal) attach(ctx context.Context, conn *websocket.Conn) {
	send := func(f control.Frame) error {
		data, err := json.Marshal(f)
		if err != nil {
			return fmt.Errorf("encoding %s frame: %w", f.Type, err)
		}

		writeCtx, cancel := context.WithTimeout(ctx, writeTimeout)
		defer cancel()
		return conn.Write(writeCtx, websocket.MessageText, data)
	}

	t.sendMu.Lock()
	t.send = send
	t.sendMu.Unlock()
	t.update(func(s *State) { s.Connected = true })
}

// detach marks the channel down. A remote-control session cannot outlive
// the channel that carries its input, so it ends here.
func (t *Terminal) detach() {
	t.sendMu.Lock()
	t.send = nil
	t.sendMu.Unlock()

	t.update(func(s *State) {
		s.Connected = false
		s.ControlRequest = false
	})
	t.stopControl(input.StopDisconnected)
}

func (t *Terminal) readLoop(ctx context.Context, conn *websocket.Conn) error {
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			return fmt.Errorf("reading control channel: %w", err)
		}

		f, err := control.Parse(data)
		if err != nil {
			t.log.Warn("dropping an invalid control frame", "error", err)
			continue
		}
		t.handle(f)
	}
}
