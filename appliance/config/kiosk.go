package config

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"time"
)

// Kiosk configures `wenban kiosk`, the process on a virtual-window
// terminal. The hub ignores this section.
type Kiosk struct {
	// Hub is the hub's base URL, such as http://10.20.0.2:8080. Required
	// by `wenban kiosk`; the --hub flag sets it too. Default empty.
	Hub string `mapstructure:"hub"`
	// Window is the ID of the virtual window this terminal serves, as the
	// hub's administrator registered it. Required by `wenban kiosk`; the
	// --window flag sets it too. Default empty.
	Window string `mapstructure:"window"`
	// KeyFile holds the terminal's secret key, which authenticates its
	// control channel to the hub. Empty means "kiosk.key" in the data
	// folder.
	KeyFile string `mapstructure:"key_file"`
	// Listen is the address of the touch-screen server that the local
	// kiosk browser opens. Default "127.0.0.1:8090".
	Listen string `mapstructure:"listen"`
	// IdleTimeout ends a citizen's session after this long without a
	// touch and wipes the screen. Default 2m.
	IdleTimeout time.Duration `mapstructure:"idle_timeout"`
	// RetryInterval is how often a missing or busy device is tried again,
	// so a replugged camera comes back without a restart. Default 2s.
	RetryInterval time.Duration `mapstructure:"retry_interval"`

	Camera         KioskCamera     `mapstructure:"camera"`
	DocumentCamera KioskCamera     `mapstructure:"document_camera"`
	Microphone     KioskMicrophone `mapstructure:"microphone"`
	Input          KioskInput      `mapstructure:"input"`
}

// KioskCamera selects a V4L2 camera and its format.
type KioskCamera struct {
	// Device is a V4L2 device path such as /dev/video0 or a stable
	// /dev/v4l/by-id/ link, or "off". Empty means the first camera. The
	// camera defaults to empty, the document camera to "off".
	Device string `mapstructure:"device"`
	// Width and Height are the requested frame size in pixels; the
	// closest format the device offers is used. Default 1280x720 for the
	// camera and 2592x1944 for the document camera.
	Width  int `mapstructure:"width"`
	Height int `mapstructure:"height"`
	// FrameRate is in frames per second. Default 25 for the camera and 5
	// for the document camera.
	FrameRate float64 `mapstructure:"frame_rate"`
	// Bitrate is the VP8 target in bits per second. Default 1000000. The
	// document camera sends stills, not video, and ignores it.
	Bitrate int `mapstructure:"bitrate"`
}

// KioskMicrophone selects the PulseAudio (or PipeWire) source.
type KioskMicrophone struct {
	// Server is a PulseAudio server string such as
	// unix:/run/user/990/pulse/native. Empty means $PULSE_SERVER, or else
	// $XDG_RUNTIME_DIR/pulse/native. Default empty.
	Server string `mapstructure:"server"`
	// Source is the source name as `pactl list short sources` prints it,
	// or "off". Empty means the server's default source. Default empty.
	Source string `mapstructure:"source"`
	// Bitrate is the Opus target in bits per second. Default 32000.
	Bitrate int `mapstructure:"bitrate"`
}

// KioskInput configures remote control of the screen through uinput.
type KioskInput struct {
	// Enabled allows staff to control the screen after the citizen
	// confirms. Default true.
	Enabled bool `mapstructure:"enabled"`
	// Device is the uinput character device. Default /dev/uinput.
	Device string `mapstructure:"device"`
	// Width and Height are the screen size in pixels. Default 1920x1080.
	Width  int `mapstructure:"width"`
	Height int `mapstructure:"height"`
}

// defaultKiosk returns the kiosk section's defaults.
func defaultKiosk() Kiosk {
	return Kiosk{
		Listen:        "127.0.0.1:8090",
		IdleTimeout:   2 * time.Minute,
		RetryInterval: 2 * time.Second,
		Camera:        KioskCamera{Width: 1280, Height: 720, FrameRate: 25, Bitrate: 1_000_000},
		DocumentCamera: KioskCamera{
			Device: "off", Width: 2592, Height: 1944, FrameRate: 5, Bitrate: 1_000_000,
		},
		Microphone: KioskMicrophone{Bitrate: 32_000},
		Input:      KioskInput{Enabled: true, Device: "/dev/uinput", Width: 1920, Height: 1080},
	}
}

// KioskKeyPath resolves the terminal's key file.
func (c Config) KioskKeyPath() string {
	if c.Kiosk.KeyFile != "" {
		return c.Kiosk.KeyFile
	}

	return filepath.Join(c.Data, "kiosk.key")
}

// Validate checks the ranges of the kiosk settings. It accepts an empty
// hub and window, which only `wenban kiosk` requires (see Require).
func (k Kiosk) Validate() error {
	if k.Hub != "" {
		u, err := url.Parse(k.Hub)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("kiosk.hub %q is invalid: use a URL such as http://10.20.0.2:8080", k.Hub)
		}
	}
	if k.Listen == "" {
		return errors.New("kiosk.listen is empty: set an address such as 127.0.0.1:8090")
	}
	if k.IdleTimeout < 10*time.Second {
		return fmt.Errorf("kiosk.idle_timeout %v is too short: use at least 10s", k.IdleTimeout)
	}
	if k.RetryInterval <= 0 {
		return errors.New("kiosk.retry_interval must be a positive duration such as 2s")
	}

	for name, cam := range map[string]KioskCamera{"camera": k.Camera, "document_camera": k.DocumentCamera} {
		if err := cam.validate("kiosk." + name); err != nil {
			return err
		}
	}
	if k.Microphone.Bitrate < 6000 || k.Microphone.Bitrate > 510000 {
		return fmt.Errorf("kiosk.microphone.bitrate %d is out of range: use 6000 to 510000",
			k.Microphone.Bitrate)
	}
	if k.Input.Width < 1 || k.Input.Height < 1 {
		return fmt.Errorf("kiosk.input size %dx%d is invalid: use the screen size in pixels",
			k.Input.Width, k.Input.Height)
	}

	return nil
}

func (c KioskCamera) validate(key string) error {
	if c.Width < 16 || c.Height < 16 || c.Width > 8192 || c.Height > 8192 {
		return fmt.Errorf("%s size %dx%d is out of range: use 16 to 8192 pixels per side",
			key, c.Width, c.Height)
	}
	if c.FrameRate <= 0 || c.FrameRate > 120 {
		return fmt.Errorf("%s.frame_rate %v is out of range: use more than 0 up to 120", key, c.FrameRate)
	}
	if c.Bitrate < 50_000 || c.Bitrate > 20_000_000 {
		return fmt.Errorf("%s.bitrate %d is out of range: use 50000 to 20000000", key, c.Bitrate)
	}

	return nil
}

// Require checks the settings `wenban kiosk` cannot start without.
func (k Kiosk) Require() error {
	if k.Hub == "" {
		return errors.New("kiosk.hub is empty: pass --hub http://HUB:8080 or set kiosk.hub")
	}
	if k.Window == "" {
		return errors.New("kiosk.window is empty: pass --window ID or set kiosk.window")
	}

	return nil
}
