// Package terminal is the kiosk process of a virtual-window terminal. It
// keeps the control channel to the hub open and publishes the camera and
// microphone while a call lasts, recovering devices that come and go. It
// also takes document-camera stills, gates remote control on the
// citizen's consent, and serves the touch screen to the local browser.
package terminal

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/pion/mediadevices"
	"github.com/pion/webrtc/v4"

	"wenban/kiosk/control"
	"wenban/kiosk/hubtls"
	"wenban/kiosk/input"
	"wenban/kiosk/media"
)

// Options configures a Terminal.
type Options struct {
	// Hub is the hub's base URL. Required.
	Hub *url.URL
	// Window is the ID of the virtual window the terminal serves. Required.
	Window string
	// Key authenticates the control channel. Required.
	Key string
	// HubTLS verifies an https hub, such as hubtls.LoadConfig of the
	// provisioned hub.pem. Nil means the system roots.
	HubTLS *tls.Config

	Camera         media.VideoOptions
	DocumentCamera media.VideoOptions
	Microphone     media.AudioOptions
	Encoder        media.EncoderOptions

	// RetryInterval is how often missing devices and a lost control
	// channel are tried again. Zero means 2 s.
	RetryInterval time.Duration

	// Rediscover refreshes the registered cameras before devices are
	// opened, such as media.RediscoverCameras. Nil means the set of
	// drivers registered at start, which tests use.
	Rediscover func()

	// Input injects remote-control input. Nil means remote control is
	// unavailable and every request is declined.
	Input input.Injector

	// SettingEngine tunes pion. Nil means media.DefaultSettingEngine().
	SettingEngine *webrtc.SettingEngine

	// Logger receives the terminal's logs. Nil discards them.
	Logger *slog.Logger
}

// Terminal is the kiosk process's state. Run drives it and Handler serves
// its screen.
type Terminal struct {
	opts     Options
	log      *slog.Logger
	selector *mediadevices.CodecSelector
	session  *input.Session // nil without Options.Input
	// hubTransport carries every request to the hub: the control channel,
	// WHIP and the screen's forwarded routes.
	hubTransport http.RoundTripper

	sendMu sync.Mutex
	send   func(control.Frame) error // nil while the channel is down

	mu       sync.Mutex
	state    State
	changed  chan struct{} // closed and replaced on every state change
	operator string        // operator of the pending control request
	unsent   []control.Record
	// conversation is the conversation the screen's citizen started, or
	// empty, sent to the hub again after every reconnect.
	conversation string
	callStop     context.CancelFunc
	callDone     chan struct{}
	callRoom     string
}

// New checks opts and builds a terminal.
func New(opts Options) (*Terminal, error) {
	switch {
	case opts.Hub == nil:
		return nil, errors.New("terminal: hub URL is missing")
	case opts.Window == "":
		return nil, errors.New("terminal: window ID is empty")
	case opts.Key == "":
		return nil, errors.New("terminal: key is empty")
	}
	if opts.RetryInterval <= 0 {
		opts.RetryInterval = 2 * time.Second
	}
	if opts.SettingEngine == nil {
		opts.SettingEngine = media.DefaultSettingEngine()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}

	selector, err := media.NewCodecSelector(opts.Encoder)
	if err != nil {
		return nil, fmt.Errorf("terminal: %w", err)
	}

	t := &Terminal{
		opts:     opts,
		log:      opts.Logger.With("window", opts.Window),
		selector: selector,
		changed:  make(chan struct{}),

		hubTransport: hubtls.Transport(opts.HubTLS),
	}
	if opts.Input != nil {
		t.session = input.NewSession(opts.Input, t.log)
	}
	t.state.Devices = t.initialDevices()

	return t, nil
}

func (t *Terminal) initialDevices() control.Devices {
	d := control.Devices{
		Camera:         control.DeviceOK,
		Microphone:     control.DeviceOK,
		DocumentCamera: control.DeviceOK,
		Input:          control.DeviceOK,
	}
	// Until the first call opens them, a registered driver counts as ok.
	t.rediscover()
	if !media.CameraPresent(t.opts.Camera) {
		d.Camera = control.DeviceMissing
	}
	if !media.MicrophonePresent(t.opts.Microphone) {
		d.Microphone = control.DeviceMissing
	}
	if t.opts.Camera.Device == media.DeviceOff {
		d.Camera = control.DeviceOff
	}
	if t.opts.Microphone.Device == media.DeviceOff {
		d.Microphone = control.DeviceOff
	}
	if t.opts.DocumentCamera.Device == media.DeviceOff {
		d.DocumentCamera = control.DeviceOff
	}
	if t.opts.Input == nil {
		d.Input = control.DeviceOff
	}

	return d
}

// Run keeps the control channel open until ctx ends, then ends any call
// and remote-control session.
func (t *Terminal) Run(ctx context.Context) error {
	defer t.shutdown()

	failures := 0
	wait := t.opts.RetryInterval
	for ctx.Err() == nil {
		started := time.Now()
		err := t.connect(ctx)
		if ctx.Err() != nil {
			break
		}

		// A channel that stayed up a while was a working connection, so
		// the next attempt starts from the shortest wait again.
		if time.Since(started) > maxReconnectWait {
			failures, wait = 0, t.opts.RetryInterval
		}
		failures++
		t.logReconnect(failures, wait, err)
		sleep(ctx, wait)
		wait = min(2*wait, maxReconnectWait)
	}

	return nil
}

// maxReconnectWait bounds the backoff between control-channel attempts.
const maxReconnectWait = 30 * time.Second

// logReconnect logs the 1st, 2nd, 4th, 8th... failure in a row at warn
// level and the others at debug, so a hub that is down for hours adds a
// few lines to the terminal's small disk, not thousands.
func (t *Terminal) logReconnect(failures int, wait time.Duration, err error) {
	level := slog.LevelDebug
	if failures&(failures-1) == 0 {
		level = slog.LevelWarn
	}

	t.log.Log(context.Background(), level, "control channel to the hub closed; reconnecting",
		"error", err, "failures", failures, "retry_in", wait)
}

func sleep(ctx context.Context, d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()

	select {
	case <-ctx.Done():
	case <-timer.C:
	}
}

func (t *Terminal) shutdown() {
	t.stopControl(input.StopShutdown)
	t.endCall()
}

// handle acts on one frame from the hub.
func (t *Terminal) handle(f control.Frame) {
	switch f.Type {
	case control.TypeCall:
		t.startCall(*f.Call)
	case control.TypeHangup:
		t.stopControl(input.StopOperator)
		t.endCall()
	case control.TypeStill:
		t.update(func(s *State) { s.StillRequested = true })
	case control.TypeControlRequest:
		t.requestControl(f.Operator)
	case control.TypeInput:
		t.applyInput(f.Command)
	case control.TypeControlEnd:
		t.stopControl(input.StopOperator)
	default:
		t.log.Warn("ignoring a frame the terminal does not take", "type", string(f.Type))
	}
}

// startCall starts publishing for call, replacing a call to another room.
// A repeated call frame for the running room, which the hub sends after a
// reconnect, changes nothing.
func (t *Terminal) startCall(call control.Call) {
	t.mu.Lock()
	running := t.callStop != nil && t.callRoom == call.Room
	t.mu.Unlock()
	if running {
		return
	}

	t.endCall()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.mu.Lock()
	t.callStop, t.callDone, t.callRoom = cancel, done, call.Room
	t.mu.Unlock()

	t.update(func(s *State) {
		s.Call = &CallView{Room: call.Room, PlayURL: localPath(call.PlayURL),
			PlayToken: call.PlayToken, ScreenURL: localPath(call.ScreenURL),
			ScreenToken: call.ScreenToken, ICEServers: call.ICEServers}
	})

	go func() {
		defer close(done)
		t.runCall(ctx, call)
	}()
}

// endCall stops the running call, if any, and waits until its
// publication and tracks are closed.
func (t *Terminal) endCall() {
	t.mu.Lock()
	stop, done := t.callStop, t.callDone
	t.callStop, t.callDone, t.callRoom = nil, nil, ""
	t.mu.Unlock()

	if stop == nil {
		return
	}
	stop()
	<-done

	t.update(func(s *State) {
		s.Call = nil
		s.Notice = ""
		s.StillRequested = false
	})
}

// localPath keeps the path and query of a hub URL, because the screen
// reaches the hub through the terminal's own server.
func localPath(ref string) string {
	u, err := url.Parse(ref)
	if err != nil || u.Path == "" {
		return ""
	}

	return (&url.URL{Path: u.Path, RawQuery: u.RawQuery}).String()
}

// sendFrame sends f when the control channel is up and logs otherwise.
func (t *Terminal) sendFrame(f control.Frame) {
	t.sendMu.Lock()
	send := t.send
	t.sendMu.Unlock()

	if send == nil {
		t.log.Warn("control channel is down; frame not sent", "type", string(f.Type))
		return
	}
	if err := send(f); err != nil {
		t.log.Warn("sending on the control channel failed", "type", string(f.Type), "error", err)
	}
}

func (t *Terminal) reportDevices(d control.Devices) {
	t.update(func(s *State) { s.Devices = d })
	t.sendFrame(control.Frame{Type: control.TypeDevices, Devices: &d})
}

// setConversation records the screen's conversation and reports it.
func (t *Terminal) setConversation(id string) {
	t.mu.Lock()
	changed := t.conversation != id
	t.conversation = id
	t.mu.Unlock()

	if changed {
		t.sendFrame(control.Frame{Type: control.TypeConversation, Conversation: id})
	}
}

func (t *Terminal) devicesSnapshot() control.Devices {
	t.mu.Lock()
	defer t.mu.Unlock()

	return t.state.Devices
}
