package web

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"wenban/kiosk/input"
)

func TestScreenPoint(t *testing.T) {
	tests := []struct {
		name                   string
		x, y                   float64
		viewW, viewH           float64
		frameW, frameH         float64
		wantX, wantY           float64
		wantOutside, wantError bool
	}{
		{name: "exact fit centre", x: 320, y: 180, viewW: 640, viewH: 360, frameW: 1920, frameH: 1080, wantX: 0.5, wantY: 0.5},
		{name: "exact fit corner", x: 640, y: 360, viewW: 640, viewH: 360, frameW: 1920, frameH: 1080, wantX: 1, wantY: 1},
		// A 4:3 screen in a 16:9 view has 80 px bars left and right.
		{name: "pillarbox inside", x: 80 + 120, y: 90, viewW: 640, viewH: 360, frameW: 1024, frameH: 768, wantX: 0.25, wantY: 0.25},
		{name: "pillarbox left bar", x: 40, y: 180, viewW: 640, viewH: 360, frameW: 1024, frameH: 768, wantOutside: true},
		{name: "pillarbox right bar", x: 600, y: 180, viewW: 640, viewH: 360, frameW: 1024, frameH: 768, wantOutside: true},
		// A 16:9 screen in a 4:3 view has 60 px bars above and below.
		{name: "letterbox inside", x: 480, y: 60 + 270, viewW: 640, viewH: 480, frameW: 1280, frameH: 720, wantX: 0.75, wantY: 0.75},
		{name: "letterbox top bar", x: 320, y: 30, viewW: 640, viewH: 480, frameW: 1280, frameH: 720, wantOutside: true},
		{name: "portrait kiosk", x: 140, y: 320, viewW: 640, viewH: 640, frameW: 1080, frameH: 1920, wantX: 0, wantY: 0.5},
		{name: "negative position", x: -1, y: 10, viewW: 640, viewH: 360, frameW: 640, frameH: 360, wantOutside: true},
		{name: "empty view", x: 0, y: 0, viewW: 0, viewH: 360, frameW: 640, frameH: 360, wantError: true},
		{name: "no frame yet", x: 10, y: 10, viewW: 640, viewH: 360, frameW: 0, frameH: 0, wantError: true},
		{name: "not a number", x: math.NaN(), y: 10, viewW: 640, viewH: 360, frameW: 640, frameH: 360, wantError: true},
		{name: "infinite size", x: 10, y: 10, viewW: math.Inf(1), viewH: 360, frameW: 640, frameH: 360, wantError: true},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, y, err := screenPoint(tt.x, tt.y, tt.viewW, tt.viewH, tt.frameW, tt.frameH)
			switch {
			case tt.wantOutside:
				if !errors.Is(err, ErrOutsideScreen) {
					t.Errorf("got (%g, %g, %v), want ErrOutsideScreen", x, y, err)
				}
				return
			case tt.wantError:
				if err == nil || errors.Is(err, ErrOutsideScreen) {
					t.Errorf("got (%g, %g, %v), want an invalid-size error", x, y, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want (%g, %g)", err, tt.wantX, tt.wantY)
			}
			if math.Abs(x-tt.wantX) > 1e-9 {
				t.Errorf("x: got %g, want %g", x, tt.wantX)
			}
			if math.Abs(y-tt.wantY) > 1e-9 {
				t.Errorf("y: got %g, want %g", y, tt.wantY)
			}
		})
	}
}

func TestSeatInputCommand(t *testing.T) {
	tests := []struct {
		name    string
		in      seatInput
		want    input.Command
		wantErr bool
	}{
		{
			name: "pointer scaled",
			in:   seatInput{Type: "pointer", X: 160, Y: 90, ViewWidth: 640, ViewHeight: 360, FrameWidth: 1920, FrameHeight: 1080},
			want: input.Command{Type: input.CommandPointer, X: 0.25, Y: 0.25},
		},
		{
			name: "button down",
			in:   seatInput{Type: "button", Button: "left", Action: "down"},
			want: input.Command{Type: input.CommandButton, Button: input.ButtonLeft, Action: input.ActionDown},
		},
		{name: "wheel", in: seatInput{Type: "wheel", Delta: -1}, want: input.Command{Type: input.CommandWheel, Delta: -1}},
		{name: "named key", in: seatInput{Type: "key", Key: "Enter"}, want: input.Command{Type: input.CommandKey, Key: "Enter"}},
		{name: "text", in: seatInput{Type: "text", Text: "abc"}, want: input.Command{Type: input.CommandText, Text: "abc"}},
		{name: "pointer on bar", in: seatInput{Type: "pointer", X: 5, Y: 5, ViewWidth: 640, ViewHeight: 360, FrameWidth: 768, FrameHeight: 1024}, wantErr: true},
		{name: "unknown button", in: seatInput{Type: "button", Button: "fourth", Action: "down"}, wantErr: true},
		{name: "unknown action", in: seatInput{Type: "button", Button: "left", Action: "hold"}, wantErr: true},
		{name: "wheel too far", in: seatInput{Type: "wheel", Delta: input.MaxWheelDelta + 1}, wantErr: true},
		{name: "unknown type", in: seatInput{Type: "drag"}, wantErr: true},
		{name: "empty key", in: seatInput{Type: "key"}, wantErr: true},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.in.command()
			if tt.wantErr {
				if err == nil {
					t.Errorf("got %+v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want %+v", err, tt.want)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// FuzzSeatInputCommand checks that every command the seat's JSON yields
// is one the kiosk parses back to the same value.
func FuzzSeatInputCommand(f *testing.F) {
	f.Add([]byte(`{"type":"pointer","x":10,"y":20,"view_width":640,"view_height":360,"frame_width":1280,"frame_height":720}`))
	f.Add([]byte(`{"type":"button","button":"right","action":"click"}`))
	f.Add([]byte(`{"type":"key","key":"ArrowLeft"}`))
	f.Add([]byte(`{"type":"text","text":"a\tb"}`))
	f.Add([]byte(`{"type":"wheel","delta":3}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		var in seatInput
		if json.Unmarshal(data, &in) != nil {
			return
		}
		cmd, err := in.command()
		if err != nil {
			return
		}
		raw, err := json.Marshal(cmd)
		if err != nil {
			t.Fatalf("valid command %+v does not encode: %v", cmd, err)
		}
		back, err := input.ParseCommand(raw)
		if err != nil {
			t.Fatalf("kiosk rejects relayed command %s: %v", raw, err)
		}
		if back != cmd {
			t.Fatalf("round trip: got %+v, want %+v", back, cmd)
		}
	})
}
