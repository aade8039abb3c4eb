package control

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		name string
		data string
		want Type
	}{
		{"call", `{"type":"call","call":{"room":"r1","publish_url":"/whip/r1","publish_token":"t","play_url":"/whep/r1","play_token":"p"}}`, TypeCall},
		{"hangup", `{"type":"hangup"}`, TypeHangup},
		{"conversation", `{"type":"conversation","conversation":"c1"}`, TypeConversation},
		{"conversation ended", `{"type":"conversation"}`, TypeConversation},
		{"control request", `{"type":"control_request","operator":"staff-7"}`, TypeControlRequest},
		{"input", `{"type":"input","command":{"type":"pointer","x":0.5,"y":0.5}}`, TypeInput},
		{"devices", `{"type":"devices","devices":{"camera":"ok","microphone":"missing","document_camera":"off","input":"ok"}}`, TypeDevices},
		{"control ended", `{"type":"control_ended","record":{"operator":"staff-7","started":"2026-12-04T01:00:00Z","ended":"2026-12-04T01:02:00Z","duration_ms":120000,"reason":"citizen","commands":12}}`, TypeControlEnded},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.data))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if f.Type != tt.want {
				t.Errorf("type: got %q, want %q", f.Type, tt.want)
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string
	}{
		{"not JSON", `call`, "invalid"},
		{"unknown type", `{"type":"reboot"}`, `unknown type "reboot"`},
		{"unknown field", `{"type":"hangup","shell":"rm"}`, "unknown field"},
		{"call without token", `{"type":"call","call":{"room":"r1","publish_url":"/whip/r1"}}`, "publish_token"},
		{"call missing", `{"type":"call"}`, "call is missing"},
		{"request without operator", `{"type":"control_request"}`, "operator is empty"},
		{"input without command", `{"type":"input"}`, "command is missing"},
		{"bad device state", `{"type":"devices","devices":{"camera":"on","microphone":"ok","document_camera":"ok","input":"ok"}}`, `camera state "on"`},
		{"conversation ID too long", `{"type":"conversation","conversation":"` + strings.Repeat("c", 129) + `"}`, "conversation ID"},
		{"trailing data", `{"type":"hangup"}{"type":"hangup"}`, "data after"},
		{"too large", `{"type":"input","command":"` + strings.Repeat("a", MaxFrameSize) + `"}`, "maximum"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.data))
			if !errors.Is(err, ErrInvalidFrame) {
				t.Fatalf("got %v, want an error wrapping ErrInvalidFrame", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestFrameRoundTrip(t *testing.T) {
	in := Frame{Type: TypeCall, Call: &Call{Room: "r", PublishURL: "/whip/r", PublishToken: "t",
		ICEServers: []ICEServer{{URLs: []string{"turn:127.0.0.1:3478"}, Username: "u", Credential: "c"}}}}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}

	out, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if out.Call.ICEServers[0].Credential != "c" {
		t.Errorf("credential: got %q, want %q", out.Call.ICEServers[0].Credential, "c")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"type":"call","call":{"room":"r1","publish_url":"/whip/r1","publish_token":"t"}}`))
	f.Add([]byte(`{"type":"input","command":{"type":"text","text":"abc"}}`))
	f.Add([]byte(`{"type":"devices","devices":{"camera":"ok","microphone":"ok","document_camera":"ok","input":"ok"}}`))
	f.Add([]byte(`{"type":"control_ended","record":{"operator":"a"}}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		frame, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidFrame) {
				t.Fatalf("error %v does not wrap ErrInvalidFrame", err)
			}
			return
		}

		if err := frame.validate(); err != nil {
			t.Fatalf("Parse accepted a frame that fails validation: %v", err)
		}
	})
}
