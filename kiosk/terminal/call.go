package terminal

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/pion/mediadevices"
	"github.com/pion/webrtc/v4"

	"wenban/kiosk/control"
	"wenban/kiosk/media"
)

// closeTimeout bounds the WHIP DELETE when a publication ends.
const closeTimeout = 5 * time.Second

// whipTimeout bounds one WHIP request, as media.Publish's default client
// does.
const whipTimeout = 10 * time.Second

// capture is the tracks of one publication attempt.
type capture struct {
	camera, microphone mediadevices.Track
	devices            control.Devices
	ended              chan struct{} // closed when any track fails
	endOnce            sync.Once
}

func (c *capture) tracks() []mediadevices.Track {
	var tracks []mediadevices.Track
	if c.camera != nil {
		tracks = append(tracks, c.camera)
	}
	if c.microphone != nil {
		tracks = append(tracks, c.microphone)
	}

	return tracks
}

func (c *capture) close() {
	for _, track := range c.tracks() {
		track.Close()
	}
}

func (c *capture) watch(track mediadevices.Track) {
	track.OnEnded(func(error) {
		c.endOnce.Do(func() { close(c.ended) })
	})
}

// runCall publishes the camera and microphone into call until ctx ends.
// A missing or failed device leaves the call going with what works, the
// screen shows a notice, and the device is tried again every retry
// interval, so a replugged camera rejoins the call without a restart.
func (t *Terminal) runCall(ctx context.Context, call control.Call) {
	log := t.log.With("room", call.Room)
	log.Info("call started")
	defer log.Info("call ended")

	for ctx.Err() == nil {
		cap := t.openCapture(log)
		t.reportDevices(cap.devices)

		if len(cap.tracks()) == 0 {
			t.setNotice(noticeFor(cap.devices))
			t.waitRetry(ctx)
			continue
		}

		t.publishUntilChange(ctx, log, call, cap)
	}
}

// publishUntilChange publishes cap and returns when the call ends, the
// publication fails, a track fails, or a device that was missing is back.
func (t *Terminal) publishUntilChange(ctx context.Context, log *slog.Logger, call control.Call, cap *capture) {
	// Tracks close only after the peer connection, because closing a
	// mediadevices track that a peer connection still reads can hang.
	defer cap.close()

	pub, err := media.Publish(ctx, media.PublishOptions{
		Endpoint:      t.resolve(call.PublishURL),
		Token:         call.PublishToken,
		Tracks:        cap.tracks(),
		Selector:      t.selector,
		ICEServers:    iceServers(call.ICEServers),
		SettingEngine: t.opts.SettingEngine,
		HTTPClient:    &http.Client{Transport: t.hubTransport, Timeout: whipTimeout},
		Logger:        log,
	})
	if err != nil {
		log.Error("publishing to the hub failed", "error", err)
		t.setNotice(noticeNoConnection)
		t.waitRetry(ctx)
		return
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		defer cancel()
		if err := pub.Close(closeCtx); err != nil {
			log.Warn("closing the publication failed", "error", err)
		}
	}()

	t.setNotice(noticeFor(cap.devices))
	t.waitChange(ctx, log, cap, pub)
}

func (t *Terminal) waitChange(ctx context.Context, log *slog.Logger, cap *capture, pub *media.Publication) {
	ticker := time.NewTicker(t.opts.RetryInterval)
	defer ticker.Stop()

	for {
		select {
		case <-ctx.Done():
			return
		case <-pub.Ended():
			log.Warn("publication ended; publishing again")
			return
		case <-cap.ended:
			log.Warn("a capture device stopped; opening the devices again")
			return
		case <-ticker.C:
			if t.missingDeviceBack(cap) {
				log.Info("a missing device is back; publishing again with it")
				return
			}
		}
	}
}

// missingDeviceBack reports whether a device that could not be opened
// for cap would open now. It only looks the driver up, so it does not
// disturb the devices in use.
func (t *Terminal) missingDeviceBack(cap *capture) bool {
	if cap.devices.Camera == control.DeviceOK && cap.devices.Microphone == control.DeviceOK {
		return false
	}

	t.rediscover()
	camera := cap.devices.Camera != control.DeviceOK && cap.devices.Camera != control.DeviceOff &&
		media.CameraPresent(t.opts.Camera)
	microphone := cap.devices.Microphone != control.DeviceOK && cap.devices.Microphone != control.DeviceOff &&
		media.MicrophonePresent(t.opts.Microphone)
	return camera || microphone
}

// openCapture opens every configured device and records the state of
// each. Devices that fail are logged and left out.
func (t *Terminal) openCapture(log *slog.Logger) *capture {
	t.rediscover()

	cap := &capture{ended: make(chan struct{})}
	before := t.devicesSnapshot()
	cap.devices = before

	camera, err := media.OpenCamera(t.opts.Camera, t.selector)
	cap.devices.Camera = deviceState(err)
	if err != nil {
		logDeviceError(log, "camera", t.opts.Camera.Device, before.Camera, err)
	} else {
		cap.camera = camera
		cap.watch(camera)
	}

	microphone, err := media.OpenMicrophone(t.opts.Microphone, t.selector)
	cap.devices.Microphone = deviceState(err)
	if err != nil {
		logDeviceError(log, "microphone", t.opts.Microphone.Device, before.Microphone, err)
	} else {
		cap.microphone = microphone
		cap.watch(microphone)
	}

	return cap
}

// logDeviceError logs a device that failed to open. A device that stays
// in the same state across retries is logged at debug level only, so a
// camera that is missing all day does not fill the disk.
func logDeviceError(log *slog.Logger, kind, device string, previous control.DeviceState, err error) {
	state := deviceState(err)
	if state == control.DeviceOff {
		log.Debug("capture device is switched off", "kind", kind)
		return
	}

	level := slog.LevelError
	if state == previous {
		level = slog.LevelDebug
	}
	log.Log(context.Background(), level, "capture device unavailable; the call goes on without it",
		"kind", kind, "device", device, "state", string(state), "error", err)
}

// deviceState maps an OpenCamera or OpenMicrophone error to the state the
// hub and the screen show.
func deviceState(err error) control.DeviceState {
	switch {
	case err == nil:
		return control.DeviceOK
	case errors.Is(err, media.ErrDisabled):
		return control.DeviceOff
	case errors.Is(err, media.ErrDeviceMissing):
		return control.DeviceMissing
	case errors.Is(err, media.ErrDeviceBusy):
		return control.DeviceBusy
	default:
		return control.DeviceFailed
	}
}

func (t *Terminal) rediscover() {
	if t.opts.Rediscover != nil {
		t.opts.Rediscover()
	}
}

func (t *Terminal) waitRetry(ctx context.Context) {
	timer := time.NewTimer(t.opts.RetryInterval)
	defer timer.Stop()

	select {
	case <-ctx.Done():
	case <-timer.C:
	}
}

// resolve makes a hub-relative URL absolute.
func (t *Terminal) resolve(ref string) string {
	u, err := url.Parse(ref)
	if err != nil {
		return ref
	}

	return t.opts.Hub.ResolveReference(u).String()
}

func iceServers(servers []control.ICEServer) []webrtc.ICEServer {
	out := make([]webrtc.ICEServer, 0, len(servers))
	for _, s := range servers {
		out = append(out, webrtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}

	return out
}
