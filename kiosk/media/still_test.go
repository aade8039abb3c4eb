package media

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"testing"
	"time"
)

func TestCaptureStill(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	data, bounds, err := CaptureStill(ctx, StillOptions{
		VideoOptions: VideoOptions{Device: "VideoTest", Width: 640, Height: 480},
	})
	if err != nil {
		t.Fatalf("CaptureStill: %v", err)
	}

	want := image.Rect(0, 0, 640, 480)
	if bounds != want {
		t.Errorf("bounds: got %v, want %v", bounds, want)
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decoding the JPEG: %v", err)
	}
	if img.Bounds() != want {
		t.Errorf("decoded JPEG bounds: got %v, want %v", img.Bounds(), want)
	}

	// The camera is closed again, so a second still works.
	if _, _, err := CaptureStill(ctx, StillOptions{VideoOptions: VideoOptions{Device: "VideoTest"}}); err != nil {
		t.Errorf("second CaptureStill: %v", err)
	}
}

func TestCaptureStillOff(t *testing.T) {
	_, _, err := CaptureStill(context.Background(), StillOptions{VideoOptions: VideoOptions{Device: DeviceOff}})
	if !errors.Is(err, ErrDisabled) {
		t.Errorf("got %v, want an error wrapping ErrDisabled", err)
	}
}
