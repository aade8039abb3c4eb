package input

import (
	"fmt"
	"math"
	"unicode/utf8"
)

// Limits of remote-control commands.
const (
	// MaxTextLength is the maximum number of characters in a text command.
	MaxTextLength = 256
	// MaxWheelDelta is the maximum number of wheel notches in one wheel
	// command, in either direction.
	MaxWheelDelta = 10
)

// CommandType is the "type" field of a remote-control command.
type CommandType string

// Command types.
const (
	CommandPointer CommandType = "pointer" // move the pointer
	CommandButton  CommandType = "button"  // press, release or click a button
	CommandWheel   CommandType = "wheel"   // turn the scroll wheel
	CommandKey     CommandType = "key"     // tap one key
	CommandText    CommandType = "text"    // type a string
)

// Command is one remote-control command from the seat. Only the fields of
// its Type are meaningful. ParseCommand decodes and validates the JSON form.
type Command struct {
	Type CommandType

	// X and Y are the pointer position as fractions of the screen width
	// and height, from 0 (left or top edge) to 1 (right or bottom edge).
	X, Y float64

	Button Button
	Action ButtonAction

	// Delta is the number of wheel notches. Positive values scroll up, away
	// from the user, as REL_WHEEL does. A browser's WheelEvent.deltaY has
	// the opposite sign, so the seat negates it.
	Delta int

	// Key is a KeyboardEvent.key value: a named key such as "Enter" or
	// "ArrowLeft", or one printable ASCII character such as "a" or "A".
	Key string

	// Text is typed character by character. It contains printable ASCII,
	// newline and tab, at most MaxTextLength characters.
	Text string
}

// Injector produces input events on the kiosk screen. *Device implements
// it. Coordinates are pixels from the top-left corner.
type Injector interface {
	ScreenSize() (width, height int)
	MoveTo(x, y int) error
	Press(b Button) error
	Release(b Button) error
	Click(b Button) error
	Scroll(delta int) error
	KeyTap(k Key) error
	TypeText(s string) error
	ReleaseAll() error
}

// Validate returns an error wrapping ErrInvalidCommand when a field of the
// command's type is missing or out of range.
func (c Command) Validate() error {
	switch c.Type {
	case CommandPointer:
		return validatePointer(c.X, c.Y)
	case CommandButton:
		return validateButton(c.Button, c.Action)
	case CommandWheel:
		return validateWheel(c.Delta)
	case CommandKey:
		return validateKey(c.Key)
	case CommandText:
		return validateText(c.Text)
	default:
		return invalidf("unknown command type %s: use pointer, button, "+
			"wheel, key or text", quoteValue(string(c.Type)))
	}
}

func validatePointer(x, y float64) error {
	for _, axis := range []struct {
		name  string
		value float64
	}{{"x", x}, {"y", y}} {
		// The negated comparison also rejects NaN.
		if !(axis.value >= 0 && axis.value <= 1) {
			return invalidf("%s must be a number from 0 to 1, got %v",
				axis.name, axis.value)
		}
	}

	return nil
}

func validateButton(b Button, a ButtonAction) error {
	if !b.valid() {
		return invalidf("unknown button %v: use left, right or middle", b)
	}
	if !a.valid() {
		return invalidf("unknown button action %s: use down, up or click",
			quoteValue(string(a)))
	}

	return nil
}

func validateWheel(delta int) error {
	if delta == 0 || delta < -MaxWheelDelta || delta > MaxWheelDelta {
		return invalidf("delta must be a non-zero integer from %d to %d, got %d",
			-MaxWheelDelta, MaxWheelDelta, delta)
	}

	return nil
}

func validateKey(key string) error {
	if _, ok := namedKeys[key]; ok {
		return nil
	}
	if len(key) == 1 && key[0] >= ' ' && key[0] <= '~' {
		return nil
	}

	return invalidf("unknown key %s: use a KeyboardEvent.key name such as "+
		"\"Enter\" or \"ArrowLeft\", or one printable ASCII character",
		quoteValue(key))
}

func validateText(text string) error {
	if text == "" {
		return invalidf("text must not be empty")
	}
	if n := utf8.RuneCountInString(text); n > MaxTextLength {
		return invalidf("text has %d characters, more than the maximum of %d",
			n, MaxTextLength)
	}
	if _, err := textKeystrokes(text); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidCommand, err)
	}

	return nil
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidCommand, fmt.Sprintf(format, args...))
}

// Apply validates cmd and performs it on inj. A pointer command's fractions
// map to pixels so that 0 is the first pixel and 1 the last.
func Apply(cmd Command, inj Injector) error {
	if err := cmd.Validate(); err != nil {
		return err
	}

	if err := perform(cmd, inj); err != nil {
		return fmt.Errorf("applying %s command: %w", cmd.Type, err)
	}

	return nil
}

func perform(cmd Command, inj Injector) error {
	switch cmd.Type {
	case CommandPointer:
		width, height := inj.ScreenSize()
		if width < 1 || height < 1 {
			return fmt.Errorf("%w: screen size %dx%d", ErrOutOfRange, width, height)
		}
		return inj.MoveTo(fractionToPixel(cmd.X, width), fractionToPixel(cmd.Y, height))
	case CommandButton:
		return performButton(cmd.Button, cmd.Action, inj)
	case CommandWheel:
		return inj.Scroll(cmd.Delta)
	case CommandKey:
		if k, ok := namedKeys[cmd.Key]; ok {
			return inj.KeyTap(k)
		}
		// A printable character may need Shift, which TypeText adds.
		return inj.TypeText(cmd.Key)
	case CommandText:
		return inj.TypeText(cmd.Text)
	default:
		return fmt.Errorf("%w: unknown command type %s", ErrInvalidCommand,
			quoteValue(string(cmd.Type)))
	}
}

func performButton(b Button, a ButtonAction, inj Injector) error {
	switch a {
	case ActionDown:
		return inj.Press(b)
	case ActionUp:
		return inj.Release(b)
	default:
		return inj.Click(b)
	}
}

// fractionToPixel maps f in [0, 1] to a pixel index in [0, size-1].
func fractionToPixel(f float64, size int) int {
	return int(math.Round(f * float64(size-1)))
}
