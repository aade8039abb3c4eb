package input

import (
	"fmt"
	"slices"
)

// Key is a Linux input key code from linux/input-event-codes.h, such as
// KEY_ENTER (28).
type Key uint16

// Keys that the "key" command names. The values are the Linux key codes.
const (
	KeyEscape    Key = 1   // KEY_ESC
	KeyBackspace Key = 14  // KEY_BACKSPACE
	KeyTab       Key = 15  // KEY_TAB
	KeyEnter     Key = 28  // KEY_ENTER
	KeyHome      Key = 102 // KEY_HOME
	KeyUp        Key = 103 // KEY_UP
	KeyPageUp    Key = 104 // KEY_PAGEUP
	KeyLeft      Key = 105 // KEY_LEFT
	KeyRight     Key = 106 // KEY_RIGHT
	KeyEnd       Key = 107 // KEY_END
	KeyDown      Key = 108 // KEY_DOWN
	KeyPageDown  Key = 109 // KEY_PAGEDOWN
	KeyDelete    Key = 111 // KEY_DELETE
)

// Key codes used only to type characters.
const (
	keyLeftShift Key = 42 // KEY_LEFTSHIFT
	keySpace     Key = 57 // KEY_SPACE
)

// namedKeys maps the KeyboardEvent.key values that a browser on the seat
// reports to Linux key codes. Printable characters are not listed here
// because the "key" command types them as text.
var namedKeys = map[string]Key{
	"Escape":     KeyEscape,
	"Backspace":  KeyBackspace,
	"Tab":        KeyTab,
	"Enter":      KeyEnter,
	"Home":       KeyHome,
	"ArrowUp":    KeyUp,
	"PageUp":     KeyPageUp,
	"ArrowLeft":  KeyLeft,
	"ArrowRight": KeyRight,
	"End":        KeyEnd,
	"ArrowDown":  KeyDown,
	"PageDown":   KeyPageDown,
	"Delete":     KeyDelete,
}

// String returns the KeyboardEvent.key name of a named key, or the key code
// for any other key.
func (k Key) String() string {
	for name, code := range namedKeys {
		if code == k {
			return name
		}
	}

	return fmt.Sprintf("Key(%d)", uint16(k))
}

// usLayout lists the keys of a US keyboard that type printable characters,
// with the character each types without and with Shift.
var usLayout = []struct {
	key            Key
	plain, shifted rune
}{
	{41, '`', '~'}, {2, '1', '!'}, {3, '2', '@'}, {4, '3', '#'},
	{5, '4', '$'}, {6, '5', '%'}, {7, '6', '^'}, {8, '7', '&'},
	{9, '8', '*'}, {10, '9', '('}, {11, '0', ')'}, {12, '-', '_'},
	{13, '=', '+'},
	{16, 'q', 'Q'}, {17, 'w', 'W'}, {18, 'e', 'E'}, {19, 'r', 'R'},
	{20, 't', 'T'}, {21, 'y', 'Y'}, {22, 'u', 'U'}, {23, 'i', 'I'},
	{24, 'o', 'O'}, {25, 'p', 'P'}, {26, '[', '{'}, {27, ']', '}'},
	{43, '\\', '|'},
	{30, 'a', 'A'}, {31, 's', 'S'}, {32, 'd', 'D'}, {33, 'f', 'F'},
	{34, 'g', 'G'}, {35, 'h', 'H'}, {36, 'j', 'J'}, {37, 'k', 'K'},
	{38, 'l', 'L'}, {39, ';', ':'}, {40, '\'', '"'},
	{44, 'z', 'Z'}, {45, 'x', 'X'}, {46, 'c', 'C'}, {47, 'v', 'V'},
	{48, 'b', 'B'}, {49, 'n', 'N'}, {50, 'm', 'M'}, {51, ',', '<'},
	{52, '.', '>'}, {53, '/', '?'},
}

// keystroke is one key tap, with Shift held around it when shift is set.
type keystroke struct {
	key   Key
	shift bool
}

// keystrokes maps every character TypeText accepts to its keystroke.
var keystrokes = buildKeystrokes()

func buildKeystrokes() map[rune]keystroke {
	m := map[rune]keystroke{
		' ':  {key: keySpace},
		'\n': {key: KeyEnter},
		'\t': {key: KeyTab},
	}
	for _, row := range usLayout {
		m[row.plain] = keystroke{key: row.key}
		m[row.shifted] = keystroke{key: row.key, shift: true}
	}

	return m
}

// textKeystrokes returns the keystrokes that type s. It returns a
// *CharacterError for the first character without a keystroke, before
// anything is typed.
func textKeystrokes(s string) ([]keystroke, error) {
	strokes := make([]keystroke, 0, len(s))
	position := 0
	for _, r := range s {
		position++
		stroke, ok := keystrokes[r]
		if !ok {
			return nil, &CharacterError{Char: r, Position: position}
		}
		strokes = append(strokes, stroke)
	}

	return strokes, nil
}

// enabledKeys lists, in ascending order, every key code the device enables:
// the named keys, the keys that type characters and Shift.
var enabledKeys = buildEnabledKeys()

func buildEnabledKeys() []Key {
	keys := []Key{keyLeftShift}
	for _, k := range namedKeys {
		keys = append(keys, k)
	}
	for _, stroke := range keystrokes {
		keys = append(keys, stroke.key)
	}
	slices.Sort(keys)

	return slices.Compact(keys)
}

func isEnabledKey(k Key) bool {
	_, found := slices.BinarySearch(enabledKeys, k)
	return found
}
