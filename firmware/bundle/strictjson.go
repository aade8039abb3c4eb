package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// schema describes the object shapes that checkStrictJSON accepts. A nil
// schema is a scalar. encoding/json alone matches field names without
// regard to case and lets a duplicate field override an earlier one, so a
// signed manifest could read differently to another parser. The walk
// closes that gap before encoding/json decodes the value.
type schema struct {
	fields   map[string]*schema
	required []string
	items    *schema // element schema when the value is an array
}

// checkStrictJSON walks data token by token and fails on invalid UTF-8,
// a field not in the schema (names compare case-sensitively), a duplicate
// or missing required field, a null, a value of the wrong shape, or
// anything after the top-level value.
func checkStrictJSON(data []byte, top *schema) error {
	if !utf8.Valid(data) {
		return errors.New("not valid UTF-8")
	}

	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := walkValue(dec, top, "top level"); err != nil {
		return err
	}

	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the top-level object")
	}
	return nil
}

func walkValue(dec *json.Decoder, s *schema, where string) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}

	switch tok {
	case nil:
		return fmt.Errorf("%s: null is not allowed", where)
	case json.Delim('{'):
		if s == nil || s.fields == nil {
			return fmt.Errorf("%s: unexpected object", where)
		}
		return walkObject(dec, s, where)
	case json.Delim('['):
		if s == nil || s.items == nil {
			return fmt.Errorf("%s: unexpected array", where)
		}
		return walkArray(dec, s.items, where)
	}

	if s != nil {
		return fmt.Errorf("%s: want an object or array, got a scalar", where)
	}
	return nil
}

func walkObject(dec *json.Decoder, s *schema, where string) error {
	seen := make(map[string]bool, len(s.fields))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		name, _ := tok.(string)

		child, known := s.fields[name]
		if !known {
			return fmt.Errorf("%s: unknown field %q", where, name)
		}
		if seen[name] {
			return fmt.Errorf("%s: duplicate field %q", where, name)
		}
		seen[name] = true

		if err := walkValue(dec, child, fmt.Sprintf("field %q", name)); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}

	for _, name := range s.required {
		if !seen[name] {
			return fmt.Errorf("%s: missing field %q", where, name)
		}
	}
	return nil
}

func walkArray(dec *json.Decoder, items *schema, where string) error {
	for i := 0; dec.More(); i++ {
		if err := walkValue(dec, items, fmt.Sprintf("%s[%d]", where, i)); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	return nil
}

// decodeStrict checks data against s and then decodes it into v.
func decodeStrict(data []byte, s *schema, v any) error {
	if err := checkStrictJSON(data, s); err != nil {
		return err
	}

	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
