package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"

	"github.com/pion/mediadevices"
)

// StillOptions configures CaptureStill.
type StillOptions struct {
	VideoOptions

	// SkipFrames is the number of frames dropped before the still, so the
	// camera's automatic exposure and focus can settle. Zero means 5.
	SkipFrames int

	// Quality is the JPEG quality from 1 to 100. Zero means 90, which
	// keeps small print readable.
	Quality int
}

// CaptureStill opens the camera that opts selects, takes one frame and
// returns it as JPEG with its size. The camera is closed again before
// CaptureStill returns.
func CaptureStill(ctx context.Context, opts StillOptions) ([]byte, image.Rectangle, error) {
	if opts.SkipFrames == 0 {
		opts.SkipFrames = 5
	}
	if opts.Quality == 0 {
		opts.Quality = 90
	}

	// A still needs no encoder, so the track gets no codec selector.
	track, err := OpenCamera(opts.VideoOptions, mediadevices.NewCodecSelector())
	if err != nil {
		return nil, image.Rectangle{}, fmt.Errorf("document camera: %w", err)
	}
	defer track.Close()

	img, err := readFrame(ctx, track.(*mediadevices.VideoTrack), opts.SkipFrames)
	if err != nil {
		return nil, image.Rectangle{}, fmt.Errorf("document camera: %w", err)
	}

	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: opts.Quality}); err != nil {
		return nil, image.Rectangle{}, fmt.Errorf("document camera: encoding JPEG: %w", err)
	}

	return buf.Bytes(), img.Bounds(), nil
}

// readFrame returns the frame after skip frames, or fails when ctx ends
// first. The frame is copied, because the driver reuses its buffer.
func readFrame(ctx context.Context, track *mediadevices.VideoTrack, skip int) (image.Image, error) {
	type result struct {
		img image.Image
		err error
	}
	done := make(chan result, 1)
	reader := track.NewReader(true)

	go func() {
		for i := 0; ; i++ {
			img, release, err := reader.Read()
			if err != nil {
				done <- result{err: fmt.Errorf("reading frame %d: %w", i+1, err)}
				return
			}
			if i >= skip {
				done <- result{img: img}
				return
			}
			release()
		}
	}()

	select {
	case r := <-done:
		return r.img, r.err
	case <-ctx.Done():
		return nil, errors.Join(errors.New("no frame before the deadline"), ctx.Err())
	}
}
