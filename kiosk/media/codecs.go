package media

import (
	"fmt"

	"github.com/pion/mediadevices"
	"github.com/pion/mediadevices/pkg/codec/opus"
	"github.com/pion/mediadevices/pkg/codec/vpx"
)

// EncoderOptions sets the encoders' targets. The zero value suits one
// kiosk camera on a service-hall LAN.
type EncoderOptions struct {
	// VideoBitrate is the VP8 target in bits per second. Zero means
	// 1000000.
	VideoBitrate int

	// KeyFrameInterval is the longest run of frames between VP8
	// keyframes. Zero means 50, two seconds at 25 frames per second, so
	// a subscriber that joins late waits at most that long for a picture.
	KeyFrameInterval int

	// AudioBitrate is the Opus target in bits per second. Zero means 32000.
	AudioBitrate int
}

// NewCodecSelector returns a selector with the VP8 encoder from libvpx and
// the Opus encoder from libopus.
func NewCodecSelector(opts EncoderOptions) (*mediadevices.CodecSelector, error) {
	vp8, err := vpx.NewVP8Params()
	if err != nil {
		return nil, fmt.Errorf("creating VP8 encoder parameters: %w", err)
	}
	vp8.BitRate = orDefault(opts.VideoBitrate, 1_000_000)
	vp8.KeyFrameInterval = orDefault(opts.KeyFrameInterval, 50)

	op, err := opus.NewParams()
	if err != nil {
		return nil, fmt.Errorf("creating Opus encoder parameters: %w", err)
	}
	op.BitRate = orDefault(opts.AudioBitrate, 32_000)

	return mediadevices.NewCodecSelector(
		mediadevices.WithVideoEncoders(&vp8),
		mediadevices.WithAudioEncoders(&op),
	), nil
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}

	return v
}
