package terminal

import (
	"context"
	"encoding/json"
	"image"
	"io"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pion/mediadevices/pkg/driver"
	_ "github.com/pion/mediadevices/pkg/driver/audiotest"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"

	"wenban/kiosk/control"
	"wenban/kiosk/input"
	"wenban/kiosk/media"
)

// pluggableCamera is a camera driver that a test can unplug and plug in
// again. Unplugging fails reads with ENODEV and removes the driver from
// mediadevices' manager, as the V4L2 driver's rediscovery does.
type pluggableCamera struct {
	label string

	mu        sync.Mutex
	unplugged bool
	closed    chan struct{}
}

func (c *pluggableCamera) Open() error {
	c.mu.Lock()
	defer c.mu.Unlock()

	if c.unplugged {
		return syscall.ENODEV
	}
	c.closed = make(chan struct{})
	return nil
}

func (c *pluggableCamera) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()

	if c.closed != nil {
		close(c.closed)
		c.closed = nil
	}
	return nil
}

func (c *pluggableCamera) Properties() []prop.Media {
	return []prop.Media{{Video: prop.Video{Width: 320, Height: 240, FrameRate: 25}}}
}

func (c *pluggableCamera) VideoRecord(p prop.Media) (video.Reader, error) {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()

	tick := time.NewTicker(40 * time.Millisecond)
	frame := image.NewYCbCr(image.Rect(0, 0, 320, 240), image.YCbCrSubsampleRatio420)
	n := 0

	return video.ReaderFunc(func() (image.Image, func(), error) {
		select {
		case <-closed:
			tick.Stop()
			return nil, func() {}, io.EOF
		case <-tick.C:
		}

		c.mu.Lock()
		unplugged := c.unplugged
		c.mu.Unlock()
		if unplugged {
			return nil, func() {}, syscall.ENODEV
		}

		n++
		for i := range frame.Y {
			frame.Y[i] = byte(n + i)
		}
		return frame, func() {}, nil
	}), nil
}

func (c *pluggableCamera) plugIn(t *testing.T) {
	t.Helper()

	c.mu.Lock()
	c.unplugged = false
	c.mu.Unlock()

	if err := driver.GetManager().Register(c, driver.Info{Label: c.label, DeviceType: driver.Camera}); err != nil {
		t.Fatalf("registering %s: %v", c.label, err)
	}
}

func (c *pluggableCamera) unplug() {
	c.mu.Lock()
	c.unplugged = true
	c.mu.Unlock()

	for _, d := range driver.GetManager().Query(driver.FilterVideoRecorder()) {
		if d.Info().Label == c.label {
			driver.GetManager().Delete(d.ID())
		}
	}
}

// recordingInjector records pointer moves and clicks.
type recordingInjector struct {
	mu     sync.Mutex
	moves  [][2]int
	clicks int
}

func (r *recordingInjector) ScreenSize() (int, int) { return 1000, 500 }

func (r *recordingInjector) MoveTo(x, y int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.moves = append(r.moves, [2]int{x, y})
	return nil
}

func (r *recordingInjector) Press(input.Button) error   { return nil }
func (r *recordingInjector) Release(input.Button) error { return nil }

func (r *recordingInjector) Click(input.Button) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clicks++
	return nil
}

func (r *recordingInjector) Scroll(int) error       { return nil }
func (r *recordingInjector) KeyTap(input.Key) error { return nil }
func (r *recordingInjector) TypeText(string) error  { return nil }
func (r *recordingInjector) ReleaseAll() error      { return nil }

func (r *recordingInjector) moveCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.moves)
}

func startTerminal(t *testing.T, hub *fakeHub, opts Options) *Terminal {
	t.Helper()

	opts.Hub = hub.url()
	opts.Window = testWindow
	opts.Key = testKey
	opts.RetryInterval = 50 * time.Millisecond
	opts.SettingEngine = loopbackSettings()

	term, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		term.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})

	return term
}

func testCall() control.Frame {
	return control.Frame{Type: control.TypeCall, Call: &control.Call{
		Room: "room-1", PublishURL: "/whip/room-1", PublishToken: testToken,
		PlayURL: "/whep/room-1", PlayToken: "play-token",
	}}
}

func TestCallPublishesCameraAndMicrophone(t *testing.T) {
	hub := newFakeHub(t)
	cam := &pluggableCamera{label: "CallCam"}
	cam.plugIn(t)
	term := startTerminal(t, hub, Options{
		Camera:     media.VideoOptions{Device: "CallCam", Width: 320, Height: 240},
		Microphone: media.AudioOptions{Device: "AudioTest"},
	})

	hub.send(testCall())
	devices := hub.next(control.TypeDevices)
	for devices.Devices.Camera != control.DeviceOK {
		devices = hub.next(control.TypeDevices)
	}
	if devices.Devices.Microphone != control.DeviceOK {
		t.Errorf("microphone: got %q, want ok", devices.Devices.Microphone)
	}

	waitFor(t, "video and audio packets at the hub", func() bool {
		return hub.videoPackets.Load() >= 20 && hub.audioPackets.Load() >= 20
	})
	state, _ := term.Watch()
	if state.Call == nil || state.Call.PlayURL != "/whep/room-1" {
		t.Errorf("screen call: got %+v, want play URL /whep/room-1", state.Call)
	}

	hub.send(control.Frame{Type: control.TypeHangup})
	waitFor(t, "WHIP DELETE after hangup", func() bool { return hub.deleteCount() == 1 })
	waitFor(t, "call cleared from the screen", func() bool {
		s, _ := term.Watch()
		return s.Call == nil
	})
}

func TestCameraUnplugAndReplug(t *testing.T) {
	hub := newFakeHub(t)
	cam := &pluggableCamera{label: "ReplugCam"}
	cam.plugIn(t)
	term := startTerminal(t, hub, Options{
		Camera:     media.VideoOptions{Device: "ReplugCam", Width: 320, Height: 240},
		Microphone: media.AudioOptions{Device: "AudioTest"},
	})

	hub.send(testCall())
	waitFor(t, "first video packets", func() bool { return hub.videoPackets.Load() >= 10 })

	cam.unplug()
	for hub.next(control.TypeDevices).Devices.Camera != control.DeviceMissing {
	}
	waitFor(t, "camera notice on screen", func() bool {
		s, _ := term.Watch()
		return s.Notice == noticeNoCamera
	})
	audioBefore := hub.audioPackets.Load()
	waitFor(t, "audio going on without the camera", func() bool {
		return hub.audioPackets.Load() >= audioBefore+10
	})

	videoBefore := hub.videoPackets.Load()
	cam.plugIn(t)
	for hub.next(control.TypeDevices).Devices.Camera != control.DeviceOK {
	}
	waitFor(t, "video packets after replug", func() bool {
		return hub.videoPackets.Load() >= videoBefore+10
	})
	waitFor(t, "notice cleared", func() bool {
		s, _ := term.Watch()
		return s.Notice == ""
	})
}

func TestMissingDevicesFallBackToText(t *testing.T) {
	hub := newFakeHub(t)
	term := startTerminal(t, hub, Options{
		Camera:     media.VideoOptions{Device: "/dev/video99"},
		Microphone: media.AudioOptions{Device: "no-such-microphone"},
	})

	hub.send(testCall())
	f := hub.next(control.TypeDevices)
	for f.Devices.Camera != control.DeviceMissing {
		f = hub.next(control.TypeDevices)
	}
	if f.Devices.Microphone != control.DeviceMissing {
		t.Errorf("microphone: got %q, want missing", f.Devices.Microphone)
	}

	// The screen shows the call so text chat stays in the call view.
	waitFor(t, "screen call despite missing devices", func() bool {
		s, _ := term.Watch()
		return s.Call != nil
	})
	waitFor(t, "no-devices notice", func() bool {
		s, _ := term.Watch()
		return s.Notice == noticeNoDevices
	})
}

func TestRemoteControlNeedsConsent(t *testing.T) {
	hub := newFakeHub(t)
	inj := &recordingInjector{}
	term := startTerminal(t, hub, Options{
		Camera: media.VideoOptions{Device: media.DeviceOff}, Input: inj,
	})
	pointer := json.RawMessage(`{"type":"pointer","x":0.5,"y":0.5}`)

	hub.send(control.Frame{Type: control.TypeInput, Command: pointer})
	hub.send(control.Frame{Type: control.TypeControlRequest, Operator: "staff-7"})
	waitFor(t, "consent question on screen", func() bool {
		s, _ := term.Watch()
		return s.ControlRequest
	})
	if got := inj.moveCount(); got != 0 {
		t.Fatalf("moves before consent: got %d, want 0", got)
	}

	if err := term.Consent(true); err != nil {
		t.Fatalf("Consent: %v", err)
	}
	if f := hub.next(control.TypeControlStarted); f.Operator != "staff-7" {
		t.Errorf("started operator: got %q, want staff-7", f.Operator)
	}

	hub.send(control.Frame{Type: control.TypeInput, Command: pointer})
	waitFor(t, "pointer move injected", func() bool { return inj.moveCount() == 1 })
	if inj.moves[0] != [2]int{500, 250} {
		t.Errorf("move: got %v, want [500 250]", inj.moves[0])
	}

	term.StopControl()
	rec := hub.next(control.TypeControlEnded).Record
	if rec.Operator != "staff-7" || rec.Reason != string(input.StopCitizen) || rec.Commands != 1 {
		t.Errorf("record: got %+v, want operator staff-7, reason citizen, 1 command", rec)
	}

	// Frames are handled in order, so once the second request shows, the
	// input sent before it has been handled.
	hub.send(control.Frame{Type: control.TypeInput, Command: pointer})
	hub.send(control.Frame{Type: control.TypeControlRequest, Operator: "staff-7"})
	waitFor(t, "second consent question", func() bool {
		s, _ := term.Watch()
		return s.ControlRequest
	})
	if got := inj.moveCount(); got != 1 {
		t.Errorf("moves after stop: got %d, want 1", got)
	}
}

func TestRemoteControlDeclined(t *testing.T) {
	hub := newFakeHub(t)
	term := startTerminal(t, hub, Options{Input: &recordingInjector{}})

	hub.send(control.Frame{Type: control.TypeControlRequest, Operator: "staff-7"})
	waitFor(t, "consent question on screen", func() bool {
		s, _ := term.Watch()
		return s.ControlRequest
	})

	if err := term.Consent(false); err != nil {
		t.Fatalf("Consent: %v", err)
	}
	if f := hub.next(control.TypeControlDeclined); f.Operator != "staff-7" {
		t.Errorf("declined operator: got %q, want staff-7", f.Operator)
	}
	if err := term.Consent(true); err != ErrNoControlRequest {
		t.Errorf("second answer: got %v, want ErrNoControlRequest", err)
	}
}
