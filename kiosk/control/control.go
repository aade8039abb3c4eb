// Package control is the protocol of the kiosk control channel: one
// WebSocket from a virtual-window terminal to the hub, at
// GET /ws/kiosk?window=ID with "Authorization: Bearer KEY". The hub sends
// the start and end of each call, requests document-camera stills and
// relays remote-control requests and input. The terminal
// reports its devices and the audit record of every remote-control
// session. Every frame is one JSON object whose "type" field says which
// other fields it carries.
package control

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Path is the hub's URL path of the control channel.
const Path = "/ws/kiosk"

// MaxFrameSize is the maximum size in bytes of one frame. The largest is
// a call with a few ICE servers; an input command is at most 4 KiB.
const MaxFrameSize = 16 << 10

// Type is a frame's "type" field.
type Type string

// Frame types sent by the hub.
const (
	TypeCall           Type = "call"            // a call started: publish into Call
	TypeHangup         Type = "hangup"          // the call ended: stop publishing
	TypeStill          Type = "still"           // the staff member requests a document photo
	TypeControlRequest Type = "control_request" // Operator requests control of the screen
	TypeInput          Type = "input"           // one remote-control Command
	TypeControlEnd     Type = "control_end"     // the staff member hands control back
)

// Frame types sent by the terminal.
const (
	TypeDevices         Type = "devices"          // the state of each device
	TypeConversation    Type = "conversation"     // the screen's conversation, or none
	TypeControlStarted  Type = "control_started"  // the citizen consented
	TypeControlDeclined Type = "control_declined" // the citizen declined
	TypeControlEnded    Type = "control_ended"    // control ended, with its Record
)

// Frame is one control-channel message. Only the fields of its Type are
// set; Parse enforces which.
type Frame struct {
	Type     Type   `json:"type"`
	Call     *Call  `json:"call,omitempty"`
	Operator string `json:"operator,omitempty"`
	// Conversation is the ID of the conversation the kiosk's citizen
	// started with 转人工, so the hub can route that conversation's calls
	// to this window. Empty means the citizen's session ended.
	Conversation string          `json:"conversation,omitempty"`
	Command      json.RawMessage `json:"command,omitempty"`
	Devices      *Devices        `json:"devices,omitempty"`
	Record       *Record         `json:"record,omitempty"`
}

// Call is the media endpoints of one call: where the terminal publishes
// its camera and microphone and where its screen plays the staff member.
type Call struct {
	// Room is the SFU room of the call.
	Room string `json:"room"`
	// PublishURL is the WHIP endpoint, absolute or relative to the hub.
	PublishURL string `json:"publish_url"`
	// PublishToken is the bearer token for PublishURL.
	PublishToken string `json:"publish_token"`
	// PlayURL is the WHEP endpoint the kiosk screen plays, absolute or
	// relative to the hub.
	PlayURL string `json:"play_url"`
	// PlayToken is the bearer token for PlayURL.
	PlayToken string `json:"play_token"`
	// ScreenURL is the WHIP endpoint the kiosk screen publishes itself to
	// while the citizen allows remote control, so the staff member can
	// watch what they operate. Empty means the screen is not shared.
	ScreenURL string `json:"screen_url,omitempty"`
	// ScreenToken is the bearer token for ScreenURL.
	ScreenToken string `json:"screen_token,omitempty"`
	// ICEServers are STUN and TURN servers, such as the hub's TURN server
	// with credentials for this call. Empty means host candidates only.
	ICEServers []ICEServer `json:"ice_servers,omitempty"`
}

// ICEServer is one STUN or TURN server, as in RTCIceServer.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// DeviceState is the availability of one device when the terminal last
// tried it.
type DeviceState string

// Device states.
const (
	DeviceOK      DeviceState = "ok"      // captured or ready to capture
	DeviceMissing DeviceState = "missing" // not plugged in or not found
	DeviceBusy    DeviceState = "busy"    // held by another process
	DeviceOff     DeviceState = "off"     // switched off in the configuration
	DeviceFailed  DeviceState = "failed"  // any other error; the terminal's log has it
)

func (s DeviceState) valid() bool {
	switch s {
	case DeviceOK, DeviceMissing, DeviceBusy, DeviceOff, DeviceFailed:
		return true
	}

	return false
}

// Devices reports every device of the terminal.
type Devices struct {
	Camera         DeviceState `json:"camera"`
	Microphone     DeviceState `json:"microphone"`
	DocumentCamera DeviceState `json:"document_camera"`
	Input          DeviceState `json:"input"`
}

// Record is the audit record of one remote-control session.
type Record struct {
	Operator string    `json:"operator"`
	Started  time.Time `json:"started"`
	Ended    time.Time `json:"ended"`
	// DurationMillis is Ended minus Started in milliseconds.
	DurationMillis int64 `json:"duration_ms"`
	// Reason is who ended control: citizen, operator, disconnected or
	// shutdown.
	Reason   string `json:"reason"`
	Commands int    `json:"commands"`
}

// maxConversationID bounds a conversation ID in a frame.
const maxConversationID = 128

// ErrInvalidFrame wraps every error of Parse.
var ErrInvalidFrame = errors.New("control: invalid frame")

// Parse decodes and validates one frame. It rejects frames larger than
// MaxFrameSize, unknown fields and types, and frames that lack the fields
// their type needs. Input commands stay raw for input.ParseCommand.
func Parse(data []byte) (Frame, error) {
	if len(data) > MaxFrameSize {
		return Frame{}, fmt.Errorf("%w: %d bytes, more than the maximum of %d",
			ErrInvalidFrame, len(data), MaxFrameSize)
	}

	var f Frame
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Frame{}, fmt.Errorf("%w: %w", ErrInvalidFrame, err)
	}
	if dec.More() {
		return Frame{}, fmt.Errorf("%w: data after the JSON object", ErrInvalidFrame)
	}

	if err := f.validate(); err != nil {
		return Frame{}, fmt.Errorf("%w: %s frame: %w", ErrInvalidFrame, f.Type, err)
	}

	return f, nil
}

func (f Frame) validate() error {
	switch f.Type {
	case TypeCall:
		return f.Call.validate()
	case TypeControlRequest:
		if f.Operator == "" {
			return errors.New("operator is empty")
		}
	case TypeInput:
		if len(f.Command) == 0 {
			return errors.New("command is missing")
		}
	case TypeDevices:
		return f.Devices.validate()
	case TypeControlEnded:
		if f.Record == nil || f.Record.Operator == "" {
			return errors.New("record or its operator is missing")
		}
	case TypeConversation:
		if len(f.Conversation) > maxConversationID {
			return fmt.Errorf("conversation ID is %d bytes, more than the maximum of %d",
				len(f.Conversation), maxConversationID)
		}
	case TypeHangup, TypeStill, TypeControlEnd, TypeControlStarted, TypeControlDeclined:
	default:
		return fmt.Errorf("unknown type %q", f.Type)
	}

	return nil
}

func (c *Call) validate() error {
	switch {
	case c == nil:
		return errors.New("call is missing")
	case c.Room == "":
		return errors.New("room is empty")
	case c.PublishURL == "" || c.PublishToken == "":
		return errors.New("publish_url or publish_token is empty")
	}

	return nil
}

func (d *Devices) validate() error {
	if d == nil {
		return errors.New("devices is missing")
	}

	for name, s := range map[string]DeviceState{
		"camera": d.Camera, "microphone": d.Microphone,
		"document_camera": d.DocumentCamera, "input": d.Input,
	} {
		if !s.valid() {
			return fmt.Errorf("%s state %q is invalid", name, s)
		}
	}

	return nil
}
