package config

import (
	"strings"
	"testing"
	"time"
)

func TestKioskDefaultsValid(t *testing.T) {
	if err := defaultKiosk().Validate(); err != nil {
		t.Errorf("defaults: got %v, want no error", err)
	}
}

func TestKioskInvalid(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Kiosk)
		want   string
	}{
		{"hub without scheme", func(k *Kiosk) { k.Hub = "10.0.0.2:8080" }, "kiosk.hub"},
		{"empty listen", func(k *Kiosk) { k.Listen = "" }, "kiosk.listen"},
		{"idle too short", func(k *Kiosk) { k.IdleTimeout = time.Second }, "kiosk.idle_timeout"},
		{"camera too small", func(k *Kiosk) { k.Camera.Width = 8 }, "kiosk.camera size"},
		{"document camera rate", func(k *Kiosk) { k.DocumentCamera.FrameRate = 0 }, "kiosk.document_camera.frame_rate"},
		{"microphone bitrate", func(k *Kiosk) { k.Microphone.Bitrate = 1 }, "kiosk.microphone.bitrate"},
		{"input size", func(k *Kiosk) { k.Input.Height = 0 }, "kiosk.input size"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := defaultKiosk()
			tt.change(&k)

			err := k.Validate()
			if err == nil {
				t.Fatalf("got no error, want one naming %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want it to name %q", err, tt.want)
			}
		})
	}
}

func TestKioskRequire(t *testing.T) {
	k := defaultKiosk()
	if err := k.Require(); err == nil || !strings.Contains(err.Error(), "--hub") {
		t.Errorf("no hub: got %v, want an error naming --hub", err)
	}

	k.Hub = "http://127.0.0.1:8080"
	if err := k.Require(); err == nil || !strings.Contains(err.Error(), "--window") {
		t.Errorf("no window: got %v, want an error naming --window", err)
	}

	k.Window = "window-1"
	if err := k.Require(); err != nil {
		t.Errorf("hub and window set: got %v, want no error", err)
	}
}
