package input

import (
	"errors"
	"testing"
)

func TestKeystrokeTable(t *testing.T) {
	tests := []struct {
		char  rune
		key   Key
		shift bool
	}{
		{'a', 30, false},
		{'z', 44, false},
		{'A', 30, true},
		{'Z', 44, true},
		{'0', 11, false},
		{'1', 2, false},
		{'!', 2, true},
		{'@', 3, true},
		{')', 11, true},
		{'-', 12, false},
		{'_', 12, true},
		{'=', 13, false},
		{'+', 13, true},
		{'[', 26, false},
		{'{', 26, true},
		{']', 27, false},
		{'}', 27, true},
		{'\\', 43, false},
		{'|', 43, true},
		{';', 39, false},
		{':', 39, true},
		{'\'', 40, false},
		{'"', 40, true},
		{'`', 41, false},
		{'~', 41, true},
		{',', 51, false},
		{'<', 51, true},
		{'.', 52, false},
		{'>', 52, true},
		{'/', 53, false},
		{'?', 53, true},
		{' ', 57, false},
		{'\n', KeyEnter, false},
		{'\t', KeyTab, false},
	}

	for _, tt := range tests {
		t.Run(string(tt.char), func(t *testing.T) {
			got, ok := keystrokes[tt.char]
			if !ok {
				t.Fatalf("keystrokes[%q] missing", tt.char)
			}
			if got.key != tt.key {
				t.Errorf("keystrokes[%q].key = %d, want %d", tt.char, got.key, tt.key)
			}
			if got.shift != tt.shift {
				t.Errorf("keystrokes[%q].shift = %v, want %v", tt.char, got.shift, tt.shift)
			}
		})
	}
}

func TestKeystrokesCoverPrintableASCII(t *testing.T) {
	for r := rune(0x20); r <= 0x7e; r++ {
		if _, ok := keystrokes[r]; !ok {
			t.Errorf("printable %q has no keystroke", r)
		}
	}

	// 95 printable characters plus newline and tab.
	if got, want := len(keystrokes), 97; got != want {
		t.Errorf("len(keystrokes) = %d, want %d", got, want)
	}
}

func TestKeystrokesUniquePerShiftState(t *testing.T) {
	seen := make(map[keystroke]rune)
	for r, stroke := range keystrokes {
		if other, dup := seen[stroke]; dup {
			t.Errorf("%q and %q share keystroke %+v", r, other, stroke)
		}
		seen[stroke] = r
	}
}

func TestTextKeystrokesRejects(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		char     rune
		position int
	}{
		{"chinese", "ab中文", '中', 3},
		{"first character", "é", 'é', 1},
		{"carriage return", "a\r\n", '\r', 2},
		{"control", "\x01", 0x01, 1},
		{"delete", "x\x7f", 0x7f, 2},
		{"replacement for invalid utf-8", "a\xff", '\uFFFD', 2},
		{"full-width letter", "ａ", 'ａ', 1},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			strokes, err := textKeystrokes(tt.text)
			if strokes != nil {
				t.Errorf("textKeystrokes(%q) strokes = %v, want nil", tt.text, strokes)
			}

			var charErr *CharacterError
			if !errors.As(err, &charErr) {
				t.Fatalf("textKeystrokes(%q) error = %v, want *CharacterError", tt.text, err)
			}
			if charErr.Char != tt.char {
				t.Errorf("Char = %q, want %q", charErr.Char, tt.char)
			}
			if charErr.Position != tt.position {
				t.Errorf("Position = %d, want %d", charErr.Position, tt.position)
			}
			if !errors.Is(err, ErrUnsupportedCharacter) {
				t.Errorf("error %v does not wrap ErrUnsupportedCharacter", err)
			}
		})
	}
}

func TestCharacterErrorNamesCharacter(t *testing.T) {
	err := &CharacterError{Char: '中', Position: 3}

	want := "input: cannot type U+4E2D '中' (character 3): only US-layout printable " +
		"ASCII, newline and tab are supported, and Chinese text is entered with " +
		"the on-screen input method"
	if got := err.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestTextKeystrokesOrder(t *testing.T) {
	got, err := textKeystrokes("Hi!\n")
	if err != nil {
		t.Fatalf("textKeystrokes: %v", err)
	}

	want := []keystroke{{35, true}, {23, false}, {2, true}, {KeyEnter, false}}
	if len(got) != len(want) {
		t.Fatalf("got %d keystrokes %v, want %v", len(got), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("keystroke %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestEnabledKeys(t *testing.T) {
	for _, k := range []Key{
		KeyEscape, KeyBackspace, KeyTab, KeyEnter, KeyHome, KeyUp, KeyPageUp,
		KeyLeft, KeyRight, KeyEnd, KeyDown, KeyPageDown, KeyDelete,
		keyLeftShift, keySpace, 30, 2, 53,
	} {
		if !isEnabledKey(k) {
			t.Errorf("isEnabledKey(%v) = false, want true", k)
		}
	}

	// Ctrl, Alt, Super, Caps Lock and F1 stay disabled so that the operator
	// has no shortcuts out of the kiosk application.
	for _, k := range []Key{29, 56, 125, 58, 59, 97, 100} {
		if isEnabledKey(k) {
			t.Errorf("isEnabledKey(%d) = true, want false", k)
		}
	}

	// 47 layout keys, space, Shift, and 13 named keys of which Tab and
	// Enter also type characters.
	if got, want := len(enabledKeys), 47+1+1+13; got != want {
		t.Errorf("len(enabledKeys) = %d, want %d", got, want)
	}
}

func TestKeyString(t *testing.T) {
	tests := []struct {
		key  Key
		want string
	}{
		{KeyEnter, "Enter"},
		{KeyLeft, "ArrowLeft"},
		{KeyDelete, "Delete"},
		{30, "Key(30)"},
	}

	for _, tt := range tests {
		if got := tt.key.String(); got != tt.want {
			t.Errorf("Key(%d).String() = %q, want %q", uint16(tt.key), got, tt.want)
		}
	}
}

func TestParseButton(t *testing.T) {
	tests := []struct {
		name    string
		want    Button
		wantErr bool
	}{
		{"left", ButtonLeft, false},
		{"right", ButtonRight, false},
		{"middle", ButtonMiddle, false},
		{"Left", 0, true},
		{"", 0, true},
		{"back", 0, true},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseButton(tt.name)
			if got != tt.want {
				t.Errorf("ParseButton(%q) = %v, want %v", tt.name, got, tt.want)
			}
			if (err != nil) != tt.wantErr {
				t.Errorf("ParseButton(%q) error = %v, want error %v", tt.name, err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrUnsupportedButton) {
				t.Errorf("error %v does not wrap ErrUnsupportedButton", err)
			}
			if err == nil && got.String() != tt.name {
				t.Errorf("String() = %q, want %q", got.String(), tt.name)
			}
		})
	}
}
