package media

import "errors"

var (
	// ErrDeviceMissing means no registered driver matches the configured
	// device: it is unplugged, or its udev rule did not run.
	ErrDeviceMissing = errors.New("capture device not found")

	// ErrDeviceBusy means the device exists but another process holds it.
	ErrDeviceBusy = errors.New("capture device is busy")

	// ErrNoFormat means the device offers no format that fits the
	// configured resolution and frame rate.
	ErrNoFormat = errors.New("capture device has no matching format")

	// ErrDisabled means the device is switched off in the configuration.
	ErrDisabled = errors.New("capture device is disabled")
)
