package input

import "fmt"

// Button is a mouse button, valued as its Linux key code. The zero value is
// no button.
type Button uint16

// Mouse buttons the device enables.
const (
	ButtonLeft   Button = 0x110 // BTN_LEFT
	ButtonRight  Button = 0x111 // BTN_RIGHT
	ButtonMiddle Button = 0x112 // BTN_MIDDLE
)

// String returns the name the "button" command uses: left, right or middle.
func (b Button) String() string {
	switch b {
	case ButtonLeft:
		return "left"
	case ButtonRight:
		return "right"
	case ButtonMiddle:
		return "middle"
	default:
		return fmt.Sprintf("Button(%#x)", uint16(b))
	}
}

// ParseButton returns the button named left, right or middle.
func ParseButton(name string) (Button, error) {
	switch name {
	case "left":
		return ButtonLeft, nil
	case "right":
		return ButtonRight, nil
	case "middle":
		return ButtonMiddle, nil
	default:
		return 0, fmt.Errorf("%w %s: use left, right or middle",
			ErrUnsupportedButton, quoteValue(name))
	}
}

func (b Button) valid() bool {
	return b == ButtonLeft || b == ButtonRight || b == ButtonMiddle
}

// ButtonAction is the action of a "button" command: down, up or click.
type ButtonAction string

// Button actions.
const (
	ActionDown  ButtonAction = "down"  // press and hold
	ActionUp    ButtonAction = "up"    // release
	ActionClick ButtonAction = "click" // press and release
)

func (a ButtonAction) valid() bool {
	return a == ActionDown || a == ActionUp || a == ActionClick
}

// maxQuotedValue is the length at which quoteValue cuts untrusted values, so
// that an oversized field cannot flood an error message or a log line.
const maxQuotedValue = 40

// quoteValue quotes s for an error message, cut to maxQuotedValue bytes.
func quoteValue(s string) string {
	if len(s) <= maxQuotedValue {
		return fmt.Sprintf("%q", s)
	}

	return fmt.Sprintf("%q...", s[:maxQuotedValue])
}
