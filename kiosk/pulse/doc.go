// Package pulse is a pion/mediadevices microphone driver on the pure-Go
// PulseAudio client github.com/jfreymuth/pulse. It records from a
// PulseAudio server, or from PipeWire's PulseAudio service, over the native
// protocol socket.
//
// mediadevices' own microphone driver uses malgo (miniaudio), which loads
// libpulse or libasound with dlopen at run time. A statically linked binary
// cannot do that and crashes at start-up, so the kiosk registers this
// driver instead and never imports mediadevices/pkg/driver/microphone.
package pulse
