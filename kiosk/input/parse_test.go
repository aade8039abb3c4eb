package input

import (
	"errors"
	"strings"
	"testing"
)

func TestParseCommandAccepts(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  Command
	}{
		{"pointer", `{"type":"pointer","x":0.5,"y":0.25}`,
			Command{Type: CommandPointer, X: 0.5, Y: 0.25}},
		{"pointer corners", `{"type":"pointer","x":0,"y":1}`,
			Command{Type: CommandPointer, X: 0, Y: 1}},
		{"pointer exponent", `{"type":"pointer","x":1e-1,"y":1.0E0}`,
			Command{Type: CommandPointer, X: 0.1, Y: 1}},
		{"fields in any order", `{"y":0.75,"x":0.5,"type":"pointer"}`,
			Command{Type: CommandPointer, X: 0.5, Y: 0.75}},
		{"whitespace", " {\n\t\"type\" : \"wheel\" , \"delta\" : 3 }\n",
			Command{Type: CommandWheel, Delta: 3}},
		{"button down", `{"type":"button","button":"left","action":"down"}`,
			Command{Type: CommandButton, Button: ButtonLeft, Action: ActionDown}},
		{"button up", `{"type":"button","button":"right","action":"up"}`,
			Command{Type: CommandButton, Button: ButtonRight, Action: ActionUp}},
		{"button click", `{"type":"button","button":"middle","action":"click"}`,
			Command{Type: CommandButton, Button: ButtonMiddle, Action: ActionClick}},
		{"wheel min", `{"type":"wheel","delta":-10}`, Command{Type: CommandWheel, Delta: -10}},
		{"wheel max", `{"type":"wheel","delta":10}`, Command{Type: CommandWheel, Delta: 10}},
		{"named key", `{"type":"key","key":"Enter"}`, Command{Type: CommandKey, Key: "Enter"}},
		{"arrow key", `{"type":"key","key":"ArrowDown"}`, Command{Type: CommandKey, Key: "ArrowDown"}},
		{"letter key", `{"type":"key","key":"a"}`, Command{Type: CommandKey, Key: "a"}},
		{"shifted key", `{"type":"key","key":"?"}`, Command{Type: CommandKey, Key: "?"}},
		{"space key", `{"type":"key","key":" "}`, Command{Type: CommandKey, Key: " "}},
		{"text", `{"type":"text","text":"Hello, World!"}`,
			Command{Type: CommandText, Text: "Hello, World!"}},
		{"text escapes", `{"type":"text","text":"a\tb\n\u0041\"\\"}`,
			Command{Type: CommandText, Text: "a\tb\nA\"\\"}},
		{"text at limit", `{"type":"text","text":"` + strings.Repeat("x", 256) + `"}`,
			Command{Type: CommandText, Text: strings.Repeat("x", 256)}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCommand([]byte(tt.input))
			if err != nil {
				t.Fatalf("ParseCommand(%s) error = %v, want nil", tt.input, err)
			}
			if got != tt.want {
				t.Errorf("ParseCommand(%s) = %+v, want %+v", tt.input, got, tt.want)
			}
		})
	}
}

func TestParseCommandRejects(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		wantMsg string // substring of the error message
	}{
		{"empty input", ``, "must be a JSON object"},
		{"array", `[{"type":"wheel","delta":1}]`, "must be a JSON object"},
		{"string", `"pointer"`, "must be a JSON object"},
		{"null", `null`, "must be a JSON object"},
		{"truncated", `{"type":"wheel","delta":1`, "malformed JSON"},
		{"trailing object", `{"type":"wheel","delta":1}{}`, "unexpected data after"},
		{"trailing garbage", `{"type":"wheel","delta":1} x`, "unexpected data after"},
		{"missing type", `{"delta":1}`, `missing field "type"`},
		{"type not string", `{"type":1}`, `field "type" must be a string`},
		{"unknown type", `{"type":"touch"}`, `unknown command type "touch"`},
		{"unknown type case", `{"type":"Pointer","x":0,"y":0}`, `unknown command type "Pointer"`},
		{"unknown field", `{"type":"wheel","delta":1,"shift":true}`, `unknown field "shift"`},
		{"long unknown field cut", `{"` + strings.Repeat("k", 100) + `":1}`, `"...`},
		{"duplicate field", `{"type":"wheel","delta":1,"delta":2}`, `duplicate field "delta"`},
		{"duplicate type", `{"type":"text","type":"wheel","delta":1}`, `duplicate field "type"`},
		{"field of other type", `{"type":"pointer","x":0,"y":0,"text":"a"}`,
			`field "text" is not allowed in a pointer command`},
		{"nested object", `{"type":"pointer","x":{"v":1},"y":0}`, "not an object or array"},
		{"nested array", `{"type":"text","text":["a"]}`, "not an object or array"},
		{"pointer missing y", `{"type":"pointer","x":0.5}`, `pointer command requires field "y"`},
		{"pointer x string", `{"type":"pointer","x":"0.5","y":0}`, `field "x" must be a number`},
		{"pointer x NaN string", `{"type":"pointer","x":"NaN","y":0}`, `field "x" must be a number`},
		{"pointer NaN literal", `{"type":"pointer","x":NaN,"y":0}`, "malformed JSON"},
		{"pointer x null", `{"type":"pointer","x":null,"y":0}`, "got null"},
		{"pointer x negative", `{"type":"pointer","x":-0.01,"y":0}`, "x must be a number from 0 to 1, got -0.01"},
		{"pointer y above 1", `{"type":"pointer","x":0,"y":1.0001}`, "y must be a number from 0 to 1, got 1.0001"},
		{"pointer x overflow", `{"type":"pointer","x":1e400,"y":0}`, `field "x" must be a number from 0 to 1, got "1e400"`},
		{"pointer pixels", `{"type":"pointer","x":960,"y":540}`, "x must be a number from 0 to 1"},
		{"button missing action", `{"type":"button","button":"left"}`, `button command requires field "action"`},
		{"button unknown", `{"type":"button","button":"back","action":"click"}`, `unsupported mouse button "back"`},
		{"button number", `{"type":"button","button":1,"action":"click"}`, `field "button" must be a string, got a number`},
		{"action unknown", `{"type":"button","button":"left","action":"double"}`, `unknown button action "double"`},
		{"wheel zero", `{"type":"wheel","delta":0}`, "non-zero integer from -10 to 10, got 0"},
		{"wheel too far", `{"type":"wheel","delta":11}`, "got 11"},
		{"wheel too far negative", `{"type":"wheel","delta":-11}`, "got -11"},
		{"wheel fraction", `{"type":"wheel","delta":1.5}`, `field "delta" must be an integer, got "1.5"`},
		{"wheel exponent", `{"type":"wheel","delta":1e1}`, `field "delta" must be an integer`},
		{"wheel huge", `{"type":"wheel","delta":99999999999999999999}`, `field "delta" must be an integer`},
		{"wheel bool", `{"type":"wheel","delta":true}`, "got a boolean"},
		{"key unknown name", `{"type":"key","key":"Control"}`, `unknown key "Control"`},
		{"key F1", `{"type":"key","key":"F1"}`, `unknown key "F1"`},
		{"key empty", `{"type":"key","key":""}`, `unknown key ""`},
		{"key two characters", `{"type":"key","key":"ab"}`, `unknown key "ab"`},
		{"key chinese", `{"type":"key","key":"中"}`, `unknown key "中"`},
		{"key newline", `{"type":"key","key":"\n"}`, `unknown key "\n"`},
		{"text empty", `{"type":"text","text":""}`, "text must not be empty"},
		{"text too long", `{"type":"text","text":"` + strings.Repeat("x", 257) + `"}`,
			"text has 257 characters, more than the maximum of 256"},
		{"text chinese", `{"type":"text","text":"ab中"}`, "cannot type U+4E2D '中' (character 3)"},
		{"text escaped chinese", `{"type":"text","text":"\u4e2d"}`, "cannot type U+4E2D"},
		{"text invalid utf-8", "{\"type\":\"text\",\"text\":\"a\xff\"}", "cannot type U+FFFD"},
		{"text carriage return", `{"type":"text","text":"a\r\nb"}`, "cannot type U+000D (character 2)"},
		{"oversized", `{"type":"text","text":"` + strings.Repeat(" ", MaxCommandSize) + `"}`,
			"more than the maximum of 4096"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCommand([]byte(tt.input))
			if err == nil {
				t.Fatalf("ParseCommand(%s) = %+v, want error", tt.input, got)
			}
			if !errors.Is(err, ErrInvalidCommand) {
				t.Errorf("error %q does not wrap ErrInvalidCommand", err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantMsg)
			}
			if got != (Command{}) {
				t.Errorf("command = %+v, want the zero Command", got)
			}
		})
	}
}

func TestParseCommandCharacterError(t *testing.T) {
	_, err := ParseCommand([]byte(`{"type":"text","text":"ok 好"}`))

	var charErr *CharacterError
	if !errors.As(err, &charErr) {
		t.Fatalf("error = %v, want a *CharacterError", err)
	}
	if charErr.Char != '好' || charErr.Position != 4 {
		t.Errorf("CharacterError = %+v, want Char '好' at Position 4", charErr)
	}
}

func TestMarshalJSONRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		cmd  Command
		want string
		back Command // ParseCommand of the encoded command
	}{
		{"pointer", Command{Type: CommandPointer, X: 0.5, Y: 1},
			`{"type":"pointer","x":0.5,"y":1}`,
			Command{Type: CommandPointer, X: 0.5, Y: 1}},
		{"button", Command{Type: CommandButton, Button: ButtonRight, Action: ActionClick},
			`{"action":"click","button":"right","type":"button"}`,
			Command{Type: CommandButton, Button: ButtonRight, Action: ActionClick}},
		{"wheel", Command{Type: CommandWheel, Delta: -2},
			`{"delta":-2,"type":"wheel"}`,
			Command{Type: CommandWheel, Delta: -2}},
		{"key", Command{Type: CommandKey, Key: "Tab"},
			`{"key":"Tab","type":"key"}`,
			Command{Type: CommandKey, Key: "Tab"}},
		{"text drops other fields", Command{Type: CommandText, Text: "a<b", X: 3},
			`{"text":"a\u003cb","type":"text"}`,
			Command{Type: CommandText, Text: "a<b"}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := tt.cmd.MarshalJSON()
			if err != nil {
				t.Fatalf("MarshalJSON: %v", err)
			}
			if string(data) != tt.want {
				t.Errorf("MarshalJSON = %s, want %s", data, tt.want)
			}

			back, err := ParseCommand(data)
			if err != nil {
				t.Fatalf("ParseCommand(%s): %v", data, err)
			}
			if back != tt.back {
				t.Errorf("round trip = %+v, want %+v", back, tt.back)
			}
		})
	}
}

func TestMarshalJSONRejectsInvalid(t *testing.T) {
	_, err := Command{Type: CommandWheel, Delta: 50}.MarshalJSON()
	if !errors.Is(err, ErrInvalidCommand) {
		t.Errorf("MarshalJSON error = %v, want ErrInvalidCommand", err)
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, seed := range []string{
		`{"type":"pointer","x":0.5,"y":0.25}`,
		`{"type":"button","button":"left","action":"click"}`,
		`{"type":"wheel","delta":-3}`,
		`{"type":"key","key":"Enter"}`,
		`{"type":"key","key":"A"}`,
		`{"type":"text","text":"Hello\n"}`,
		`{"type":"text","text":"中"}`,
		`{"type":"pointer","x":1e400,"y":0}`,
		`{"type":"wheel","delta":1,"delta":2}`,
		`{"type":"pointer","x":-0,"y":0}`,
		`[]`,
		``,
	} {
		f.Add([]byte(seed))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		cmd, err := ParseCommand(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidCommand) {
				t.Fatalf("error %q does not wrap ErrInvalidCommand", err)
			}
			return
		}

		if err := cmd.Validate(); err != nil {
			t.Fatalf("parsed command %+v fails Validate: %v", cmd, err)
		}

		encoded, err := cmd.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON(%+v): %v", cmd, err)
		}
		back, err := ParseCommand(encoded)
		if err != nil {
			t.Fatalf("ParseCommand(%s) after MarshalJSON: %v", encoded, err)
		}
		if back != cmd {
			t.Fatalf("round trip = %+v, want %+v", back, cmd)
		}

		rec := newRecorder()
		if err := Apply(cmd, rec); err != nil {
			t.Fatalf("Apply(%+v): %v", cmd, err)
		}
		if got := len(rec.recorded()); got != 1 {
			t.Fatalf("Apply made %d injector calls, want 1", got)
		}
	})
}
