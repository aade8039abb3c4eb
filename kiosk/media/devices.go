package media

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/pion/mediadevices"
	"github.com/pion/mediadevices/pkg/driver"
	"github.com/pion/mediadevices/pkg/io/audio"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"
)

// DeviceOff is the device setting that switches a device off.
const DeviceOff = "off"

// labelSeparator splits the parts of a camera driver's label, which the
// V4L2 driver builds as "<link name>;<device name>", for example
// "usb-046d_HD_Webcam-video-index0;video2".
const labelSeparator = ";"

// VideoOptions selects a camera and its format.
type VideoOptions struct {
	// Device is a V4L2 device path such as /dev/video0, a
	// /dev/v4l/by-id/ link or another udev symlink, a driver label, or
	// DeviceOff. Empty means the
	// camera with the highest driver priority, which the V4L2 driver gives
	// to /dev/video0.
	Device string

	// Width and Height are the requested frame size in pixels. The device
	// format closest to them is used. Zero means 1280 by 720.
	Width, Height int

	// FrameRate is the requested rate in frames per second. Zero means 25.
	FrameRate float64
}

func (o VideoOptions) withDefaults() VideoOptions {
	if o.Width == 0 {
		o.Width = 1280
	}
	if o.Height == 0 {
		o.Height = 720
	}
	if o.FrameRate == 0 {
		o.FrameRate = 25
	}

	return o
}

// AudioOptions selects a microphone.
type AudioOptions struct {
	// Device is a microphone driver label, such as the kiosk/pulse
	// driver's, or DeviceOff. Empty means the microphone driver with the
	// highest priority.
	Device string
}

// audioFormat is the capture format of WebRTC's Opus payload: 48 kHz and
// 20 ms frames. Mono is enough for speech and halves the encoder's work.
var audioFormat = prop.Audio{
	SampleRate:   48000,
	ChannelCount: 1,
	Latency:      20 * time.Millisecond,
}

// OpenCamera opens the camera that opts selects and returns its track. The
// error wraps ErrDisabled, ErrDeviceMissing, ErrDeviceBusy or ErrNoFormat
// for the cases the kiosk reports on screen.
func OpenCamera(opts VideoOptions, selector *mediadevices.CodecSelector) (mediadevices.Track, error) {
	opts = opts.withDefaults()
	if opts.Device == DeviceOff {
		return nil, fmt.Errorf("camera: %w", ErrDisabled)
	}

	d, err := findDriver(videoFilter(), opts.Device)
	if err != nil {
		return nil, fmt.Errorf("camera %q: %w", deviceName(opts.Device), err)
	}

	constraints := prop.MediaConstraints{VideoConstraints: prop.VideoConstraints{
		Width:     prop.Int(opts.Width),
		Height:    prop.Int(opts.Height),
		FrameRate: prop.Float(opts.FrameRate),
	}}
	selected, err := openWithFormat(d, constraints)
	if err != nil {
		return nil, fmt.Errorf("camera %q: %w", d.Info().Label, err)
	}

	reader, err := d.(driver.VideoRecorder).VideoRecord(selected)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("camera %q: starting capture at %dx%d: %w",
			d.Info().Label, selected.Width, selected.Height, classify(err))
	}

	return mediadevices.NewVideoTrack(videoSource{d, reader}, selector), nil
}

// OpenMicrophone opens the microphone that opts selects and returns its
// track.
func OpenMicrophone(opts AudioOptions, selector *mediadevices.CodecSelector) (mediadevices.Track, error) {
	if opts.Device == DeviceOff {
		return nil, fmt.Errorf("microphone: %w", ErrDisabled)
	}

	d, err := findDriver(driver.FilterAudioRecorder(), opts.Device)
	if err != nil {
		return nil, fmt.Errorf("microphone %q: %w", deviceName(opts.Device), err)
	}

	constraints := prop.MediaConstraints{AudioConstraints: prop.AudioConstraints{
		SampleRate:   prop.Int(audioFormat.SampleRate),
		ChannelCount: prop.Int(audioFormat.ChannelCount),
		Latency:      prop.Duration(audioFormat.Latency),
	}}
	selected, err := openWithFormat(d, constraints)
	if err != nil {
		return nil, fmt.Errorf("microphone %q: %w", d.Info().Label, err)
	}

	reader, err := d.(driver.AudioRecorder).AudioRecord(selected)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("microphone %q: starting capture: %w", d.Info().Label, classify(err))
	}

	return mediadevices.NewAudioTrack(audioSource{d, reader}, selector), nil
}

func deviceName(device string) string {
	if device == "" {
		return "default"
	}

	return device
}

// videoFilter matches cameras, leaving out screen capture drivers.
func videoFilter() driver.FilterFn {
	return driver.FilterAnd(driver.FilterVideoRecorder(),
		driver.FilterNot(driver.FilterDeviceType(driver.Screen)))
}

// findDriver returns the registered driver that device names, or the one
// with the highest priority for an empty device. Ties go to the lowest
// label, so the choice does not depend on map order.
func findDriver(filter driver.FilterFn, device string) (driver.Driver, error) {
	drivers := driver.GetManager().Query(filter)
	slices.SortFunc(drivers, func(a, b driver.Driver) int {
		if c := cmp.Compare(b.Info().Priority, a.Info().Priority); c != 0 {
			return c
		}
		return strings.Compare(a.Info().Label, b.Info().Label)
	})

	// A udev symlink such as /dev/wenban-camera is not among the paths the
	// V4L2 driver registers, so the device it points to is matched too.
	resolved := ""
	if strings.HasPrefix(device, "/dev/") {
		if real, err := filepath.EvalSymlinks(device); err == nil && real != device {
			resolved = real
		}
	}

	for _, d := range drivers {
		label := d.Info().Label
		if device == "" || labelMatches(label, device) || (resolved != "" && labelMatches(label, resolved)) {
			return d, nil
		}
	}

	return nil, ErrDeviceMissing
}

// labelMatches reports whether a driver label names device, given as the
// label itself, one part of it, or a device path whose base name is one
// part of it.
func labelMatches(label, device string) bool {
	if label == device {
		return true
	}

	base := filepath.Base(device)
	for part := range strings.SplitSeq(label, labelSeparator) {
		if part == device || part == base {
			return true
		}
	}

	return false
}

// openWithFormat opens d and returns the driver format that fits
// constraints best, merged with the constraints as mediadevices'
// GetUserMedia does. It closes d again on failure.
func openWithFormat(d driver.Driver, constraints prop.MediaConstraints) (prop.Media, error) {
	// An opened or running driver belongs to a track of this process.
	if d.Status() != driver.StateClosed {
		return prop.Media{}, ErrDeviceBusy
	}
	if err := d.Open(); err != nil {
		return prop.Media{}, fmt.Errorf("opening: %w", classify(err))
	}

	best, ok := bestFormat(d.Properties(), constraints)
	if !ok {
		d.Close()
		return prop.Media{}, ErrNoFormat
	}

	var selected prop.Media
	selected.MergeConstraints(constraints)
	selected.Merge(best)
	return selected, nil
}

func bestFormat(formats []prop.Media, constraints prop.MediaConstraints) (prop.Media, bool) {
	var best prop.Media
	bestDistance := math.Inf(1)
	for _, f := range formats {
		distance, ok := constraints.FitnessDistance(f)
		if ok && distance < bestDistance {
			best, bestDistance = f, distance
		}
	}

	return best, !math.IsInf(bestDistance, 1)
}

// classify maps the errno of a failed device open to the package's errors,
// keeping the original error in the chain.
func classify(err error) error {
	switch {
	case errors.Is(err, syscall.EBUSY):
		return fmt.Errorf("%w: %w", ErrDeviceBusy, err)
	case errors.Is(err, syscall.ENOENT), errors.Is(err, syscall.ENODEV), errors.Is(err, syscall.ENXIO):
		return fmt.Errorf("%w: %w", ErrDeviceMissing, err)
	default:
		return err
	}
}

// videoSource joins a driver and its reader into a mediadevices source,
// so closing the track closes the device.
type videoSource struct {
	driver.Driver
	video.Reader
}

type audioSource struct {
	driver.Driver
	audio.Reader
}

// CameraPresent reports whether the camera that opts selects is registered
// and not open, so OpenCamera would try it. It does not open the device.
func CameraPresent(opts VideoOptions) bool {
	return present(videoFilter(), opts.Device)
}

// MicrophonePresent is CameraPresent for the microphone that opts selects.
func MicrophonePresent(opts AudioOptions) bool {
	return present(driver.FilterAudioRecorder(), opts.Device)
}

func present(filter driver.FilterFn, device string) bool {
	if device == DeviceOff {
		return false
	}

	d, err := findDriver(filter, device)
	return err == nil && d.Status() == driver.StateClosed
}
