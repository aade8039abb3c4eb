package input

import (
	"errors"
	"testing"
)

func TestApply(t *testing.T) {
	tests := []struct {
		name string
		cmd  Command
		want string
	}{
		{"pointer origin", Command{Type: CommandPointer, X: 0, Y: 0}, "move 0 0"},
		{"pointer far corner", Command{Type: CommandPointer, X: 1, Y: 1}, "move 1919 1079"},
		{"pointer centre rounds", Command{Type: CommandPointer, X: 0.5, Y: 0.5}, "move 960 540"},
		{"pointer quarter", Command{Type: CommandPointer, X: 0.25, Y: 0.75}, "move 480 809"},
		{"button down", Command{Type: CommandButton, Button: ButtonLeft, Action: ActionDown}, "press left"},
		{"button up", Command{Type: CommandButton, Button: ButtonLeft, Action: ActionUp}, "release left"},
		{"button click", Command{Type: CommandButton, Button: ButtonRight, Action: ActionClick}, "click right"},
		{"wheel", Command{Type: CommandWheel, Delta: -4}, "scroll -4"},
		{"named key", Command{Type: CommandKey, Key: "Backspace"}, "tap Backspace"},
		{"escape key", Command{Type: CommandKey, Key: "Escape"}, "tap Escape"},
		{"character key types text", Command{Type: CommandKey, Key: "A"}, `type "A"`},
		{"text", Command{Type: CommandText, Text: "abc 123"}, `type "abc 123"`},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder()
			if err := Apply(tt.cmd, rec); err != nil {
				t.Fatalf("Apply: %v", err)
			}

			got := rec.recorded()
			if !equalStrings(got, []string{tt.want}) {
				t.Errorf("calls = %q, want [%q]", got, tt.want)
			}
		})
	}
}

func TestApplySmallScreen(t *testing.T) {
	rec := &recorder{width: 1, height: 2}
	if err := Apply(Command{Type: CommandPointer, X: 1, Y: 1}, rec); err != nil {
		t.Fatalf("Apply: %v", err)
	}

	if got, want := rec.recorded(), []string{"move 0 1"}; !equalStrings(got, want) {
		t.Errorf("calls = %q, want %q", got, want)
	}
}

func TestApplyRejects(t *testing.T) {
	tests := []struct {
		name string
		cmd  Command
		inj  *recorder
		want error
	}{
		{"invalid command", Command{Type: CommandWheel, Delta: 11}, newRecorder(), ErrInvalidCommand},
		{"zero command", Command{}, newRecorder(), ErrInvalidCommand},
		{"untypeable text", Command{Type: CommandText, Text: "中"}, newRecorder(), ErrUnsupportedCharacter},
		{"zero button", Command{Type: CommandButton, Action: ActionClick}, newRecorder(), ErrInvalidCommand},
		{"empty screen", Command{Type: CommandPointer}, &recorder{}, ErrOutOfRange},
		{"injector error", Command{Type: CommandWheel, Delta: 1},
			&recorder{width: 10, height: 10, failOn: "scroll"}, errInjected},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Apply(tt.cmd, tt.inj)
			if !errors.Is(err, tt.want) {
				t.Errorf("Apply error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestApplyValidatesBeforeInjecting(t *testing.T) {
	rec := newRecorder()
	_ = Apply(Command{Type: CommandText, Text: "ok中"}, rec)

	if got := rec.recorded(); len(got) != 0 {
		t.Errorf("calls = %q, want none", got)
	}
}
