package input

import (
	"errors"
	"fmt"
)

// Errors returned by this package. Callers match them with errors.Is.
var (
	// ErrInvalidCommand means a remote-control command failed validation.
	// The wrapping error names the field and the rejected value.
	ErrInvalidCommand = errors.New("input: invalid remote-control command")
	// ErrUnsupportedCharacter means text contains a character that the
	// virtual keyboard cannot type. It arrives as a *CharacterError.
	ErrUnsupportedCharacter = errors.New("input: character cannot be typed")
	// ErrUnsupportedKey means a key code is not enabled on the device.
	ErrUnsupportedKey = errors.New("input: key is not enabled on the device")
	// ErrUnsupportedButton means a button is not left, right or middle.
	ErrUnsupportedButton = errors.New("input: unsupported mouse button")
	// ErrOutOfRange means a pointer position or wheel delta lies outside the
	// range the device accepts.
	ErrOutOfRange = errors.New("input: value out of range")
	// ErrNotActive means no remote-control session is active, either
	// because the citizen has not consented yet or because control ended.
	ErrNotActive = errors.New("input: remote control is not active")
	// ErrAlreadyActive means Start was called during an active session.
	ErrAlreadyActive = errors.New("input: remote control is already active")
	// ErrInvalidOperator means Start got an empty or malformed operator ID.
	ErrInvalidOperator = errors.New("input: invalid operator ID")
	// ErrClosed means the uinput device was closed.
	ErrClosed = errors.New("input: uinput device is closed")
)

// CharacterError reports the first character of a text that the virtual
// keyboard cannot type.
type CharacterError struct {
	Char     rune
	Position int // 1-based position of Char in the text, in characters
}

func (e *CharacterError) Error() string {
	return fmt.Sprintf("input: cannot type %#U (character %d): only US-layout "+
		"printable ASCII, newline and tab are supported, and Chinese text "+
		"is entered with the on-screen input method", e.Char, e.Position)
}

// Unwrap returns ErrUnsupportedCharacter.
func (e *CharacterError) Unwrap() error { return ErrUnsupportedCharacter }
