package input

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// MaxCommandSize is the maximum size in bytes of one JSON command. It leaves
// room for a text command whose MaxTextLength characters are all escaped as
// \u00XX.
const MaxCommandSize = 4096

// commandFields lists, for each command type, the fields besides "type" that
// the JSON form must contain. No other field is allowed.
var commandFields = map[CommandType][]string{
	CommandPointer: {"x", "y"},
	CommandButton:  {"button", "action"},
	CommandWheel:   {"delta"},
	CommandKey:     {"key"},
	CommandText:    {"text"},
}

// knownFields is the union of all command fields.
var knownFields = map[string]bool{
	"type": true, "x": true, "y": true, "button": true, "action": true,
	"delta": true, "key": true, "text": true,
}

// ParseCommand decodes and validates one JSON command from the seat. It
// rejects input larger than MaxCommandSize, anything but one flat JSON
// object, unknown, duplicate, missing or misplaced fields, values of the
// wrong JSON type and out-of-range values. Every error wraps
// ErrInvalidCommand.
func ParseCommand(data []byte) (Command, error) {
	if len(data) > MaxCommandSize {
		return Command{}, invalidf("command is %d bytes, more than the maximum of %d",
			len(data), MaxCommandSize)
	}

	fields, err := decodeFlatObject(data)
	if err != nil {
		return Command{}, err
	}

	cmd, err := commandFromFields(fields)
	if err != nil {
		return Command{}, err
	}

	if err := cmd.Validate(); err != nil {
		return Command{}, err
	}

	return cmd, nil
}

// decodeFlatObject decodes a JSON object whose values are all scalars. A
// value is a string, a json.Number, a bool or nil. It walks tokens rather
// than unmarshalling so that it can reject duplicate keys, which
// encoding/json would silently resolve to the last one.
func decodeFlatObject(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()

	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, invalidf("command must be a JSON object")
	}

	fields := make(map[string]any)
	for dec.More() {
		key, value, err := decodeField(dec)
		if err != nil {
			return nil, err
		}
		if !knownFields[key] {
			return nil, invalidf("unknown field %s", quoteValue(key))
		}
		if _, dup := fields[key]; dup {
			return nil, invalidf("duplicate field %s", quoteValue(key))
		}
		fields[key] = value
	}

	if _, err := dec.Token(); err != nil {
		return nil, invalidf("malformed JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, invalidf("unexpected data after the command object")
	}

	return fields, nil
}

func decodeField(dec *json.Decoder) (string, any, error) {
	keyTok, err := dec.Token()
	if err != nil {
		return "", nil, invalidf("malformed JSON: %v", err)
	}
	key, ok := keyTok.(string)
	if !ok {
		return "", nil, invalidf("malformed JSON object key")
	}

	value, err := dec.Token()
	if err != nil {
		return "", nil, invalidf("malformed JSON in field %s: %v", quoteValue(key), err)
	}
	if _, nested := value.(json.Delim); nested {
		return "", nil, invalidf("field %s must be a string or a number, "+
			"not an object or array", quoteValue(key))
	}

	return key, value, nil
}

func commandFromFields(fields map[string]any) (Command, error) {
	typeValue, ok := fields["type"]
	if !ok {
		return Command{}, invalidf("missing field \"type\"")
	}
	typeName, ok := typeValue.(string)
	if !ok {
		return Command{}, invalidf("field \"type\" must be a string")
	}

	cmd := Command{Type: CommandType(typeName)}
	required, ok := commandFields[cmd.Type]
	if !ok {
		return Command{}, cmd.Validate()
	}
	if err := checkFieldSet(cmd.Type, required, fields); err != nil {
		return Command{}, err
	}

	err := fillCommand(&cmd, fields)
	return cmd, err
}

func checkFieldSet(t CommandType, required []string, fields map[string]any) error {
	for _, name := range required {
		if _, ok := fields[name]; !ok {
			return invalidf("%s command requires field %q", t, name)
		}
	}

	for name := range fields {
		if name != "type" && !slices.Contains(required, name) {
			return invalidf("field %q is not allowed in a %s command", name, t)
		}
	}

	return nil
}

func fillCommand(cmd *Command, fields map[string]any) error {
	var err error
	switch cmd.Type {
	case CommandPointer:
		if cmd.X, err = floatField(fields, "x"); err != nil {
			return err
		}
		cmd.Y, err = floatField(fields, "y")
	case CommandButton:
		err = fillButton(cmd, fields)
	case CommandWheel:
		cmd.Delta, err = intField(fields, "delta")
	case CommandKey:
		cmd.Key, err = stringField(fields, "key")
	case CommandText:
		cmd.Text, err = stringField(fields, "text")
	}

	return err
}

func fillButton(cmd *Command, fields map[string]any) error {
	name, err := stringField(fields, "button")
	if err != nil {
		return err
	}
	if cmd.Button, err = ParseButton(name); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidCommand, err)
	}

	action, err := stringField(fields, "action")
	cmd.Action = ButtonAction(action)
	return err
}

func stringField(fields map[string]any, name string) (string, error) {
	s, ok := fields[name].(string)
	if !ok {
		return "", invalidf("field %q must be a string, got %s", name,
			describeJSON(fields[name]))
	}

	return s, nil
}

func floatField(fields map[string]any, name string) (float64, error) {
	n, ok := fields[name].(json.Number)
	if !ok {
		return 0, invalidf("field %q must be a number from 0 to 1, got %s",
			name, describeJSON(fields[name]))
	}

	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return 0, invalidf("field %q must be a number from 0 to 1, got %s",
			name, quoteValue(string(n)))
	}

	return f, nil
}

func intField(fields map[string]any, name string) (int, error) {
	n, ok := fields[name].(json.Number)
	if !ok {
		return 0, invalidf("field %q must be an integer, got %s", name,
			describeJSON(fields[name]))
	}

	i, err := strconv.Atoi(string(n))
	if err != nil {
		return 0, invalidf("field %q must be an integer, got %s", name,
			quoteValue(string(n)))
	}

	return i, nil
}

// describeJSON names the JSON type of a decoded scalar for an error message.
func describeJSON(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// MarshalJSON encodes a valid command in the form ParseCommand accepts, with
// only the fields of its type.
func (c Command) MarshalJSON() ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}

	fields := map[string]any{"type": c.Type}
	switch c.Type {
	case CommandPointer:
		fields["x"], fields["y"] = c.X, c.Y
	case CommandButton:
		fields["button"], fields["action"] = c.Button.String(), c.Action
	case CommandWheel:
		fields["delta"] = c.Delta
	case CommandKey:
		fields["key"] = c.Key
	case CommandText:
		fields["text"] = c.Text
	}

	return json.Marshal(fields)
}
