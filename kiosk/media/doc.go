// Package media captures the kiosk's camera and microphone with
// pion/mediadevices, encodes VP8 and Opus, and publishes the tracks into the
// hub's SFU over WHIP (RFC 9725). It also takes stills from the document
// camera.
//
// The package registers mediadevices' V4L2 camera driver and never links
// mediadevices' malgo microphone driver, which loads libpulse at run time
// and crashes a static binary. Microphones come from the kiosk/pulse
// driver, which the caller registers.
package media
