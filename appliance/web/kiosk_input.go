package web

import (
	"errors"
	"fmt"
	"math"

	"wenban/kiosk/input"
)

// ErrOutsideScreen means a pointer position lies on the bars around the
// kiosk screen's video, not on the screen itself.
var ErrOutsideScreen = errors.New("web: pointer is outside the kiosk screen")

// seatInput is one remote-control event from the seat page. Pointer
// positions arrive in the CSS pixels of the seat's <video> element, which
// shows the kiosk screen scaled to fit (object-fit: contain), so
// screenPoint maps them back to fractions of the kiosk screen.
type seatInput struct {
	Type string `json:"type"`
	// X and Y are the pointer position from the element's top-left corner.
	X float64 `json:"x"`
	Y float64 `json:"y"`
	// ViewWidth and ViewHeight are the element's size in CSS pixels.
	ViewWidth  float64 `json:"view_width"`
	ViewHeight float64 `json:"view_height"`
	// FrameWidth and FrameHeight are the video's intrinsic size
	// (videoWidth, videoHeight), which is the kiosk screen's size or a
	// scaled copy with the same aspect ratio.
	FrameWidth  float64 `json:"frame_width"`
	FrameHeight float64 `json:"frame_height"`

	Button string `json:"button,omitempty"`
	Action string `json:"action,omitempty"`
	// Delta is in wheel notches, already negated from WheelEvent.deltaY.
	Delta int    `json:"delta,omitempty"`
	Key   string `json:"key,omitempty"`
	Text  string `json:"text,omitempty"`
}

// command turns the seat's event into a validated kiosk command.
func (in seatInput) command() (input.Command, error) {
	cmd := input.Command{Type: input.CommandType(in.Type)}

	switch cmd.Type {
	case input.CommandPointer:
		x, y, err := screenPoint(in.X, in.Y, in.ViewWidth, in.ViewHeight, in.FrameWidth, in.FrameHeight)
		if err != nil {
			return input.Command{}, err
		}
		cmd.X, cmd.Y = x, y
	case input.CommandButton:
		b, err := input.ParseButton(in.Button)
		if err != nil {
			return input.Command{}, err
		}
		cmd.Button, cmd.Action = b, input.ButtonAction(in.Action)
	case input.CommandWheel:
		cmd.Delta = in.Delta
	case input.CommandKey:
		cmd.Key = in.Key
	case input.CommandText:
		cmd.Text = in.Text
	}

	if err := cmd.Validate(); err != nil {
		return input.Command{}, err
	}
	return cmd, nil
}

// screenPoint maps (x, y) in a view of viewW×viewH that shows a frame of
// frameW×frameH scaled to fit and centred, to fractions of the frame from
// 0 to 1. It rejects points on the letterbox bars with ErrOutsideScreen.
func screenPoint(x, y, viewW, viewH, frameW, frameH float64) (float64, float64, error) {
	for _, v := range []float64{x, y, viewW, viewH, frameW, frameH} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, 0, fmt.Errorf("pointer position or size is not a finite number: %v", v)
		}
	}
	if viewW <= 0 || viewH <= 0 || frameW <= 0 || frameH <= 0 {
		return 0, 0, fmt.Errorf("view %gx%g or frame %gx%g is empty", viewW, viewH, frameW, frameH)
	}

	scale := math.Min(viewW/frameW, viewH/frameH)
	shownW, shownH := frameW*scale, frameH*scale
	left, top := (viewW-shownW)/2, (viewH-shownH)/2

	fx := (x - left) / shownW
	fy := (y - top) / shownH
	if fx < 0 || fx > 1 || fy < 0 || fy > 1 {
		return 0, 0, fmt.Errorf("%w: (%g, %g) in a %gx%g view", ErrOutsideScreen, x, y, viewW, viewH)
	}
	return fx, fy, nil
}
