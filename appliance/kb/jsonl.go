package kb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"
)

// decodeJSONL reads one Entry object per line. Blank lines are skipped and
// problems are reported by line number.
func decodeJSONL(data []byte, c *collector) {
	data = bytes.TrimPrefix(data, utf8BOM)
	for i, line := range bytes.Split(data, []byte("\n")) {
		lineNo := i + 1
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}

		e, field, reason := decodeJSONLine(line)
		if reason != "" {
			if !c.problem(lineNo, field, reason) {
				return
			}
			continue
		}
		if !c.add(lineNo, e) {
			return
		}
	}
}

// decodeJSONLine decodes one line. On failure it returns the field at
// fault, if known, and a Chinese reason.
func decodeJSONLine(line []byte) (Entry, string, string) {
	// encoding/json would silently replace invalid bytes with U+FFFD.
	if !utf8.Valid(line) {
		return Entry{}, "", "这一行" + invalidUTF8Hint
	}

	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	var e Entry
	if err := dec.Decode(&e); err != nil {
		field, reason := jsonReason(err)
		return Entry{}, field, reason
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return Entry{}, "", "一行只能写一个 JSON 对象"
	}
	return e, "", ""
}

func jsonReason(err error) (field, reason string) {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return "", fmt.Sprintf("JSON 格式错误（第 %d 个字节附近）", syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "", "JSON 对象不完整"
	case errors.As(err, &typ):
		return jsonTypeReason(typ)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "", fmt.Sprintf("未知字段 %s，可用字段为 %s", name, fieldList())
	}
	return "", fmt.Sprintf("JSON 解析失败：%v", err)
}

func jsonTypeReason(err *json.UnmarshalTypeError) (field, reason string) {
	key, _, _ := strings.Cut(err.Field, ".")
	if key == "" {
		return "", "每行应为一个 JSON 对象"
	}
	want := "字符串"
	if err.Type.Kind() == reflect.Slice || key == "similar" || key == "materials" || key == "basis" {
		want = "字符串数组"
	}
	return key, fmt.Sprintf("字段 %s 的类型应为%s", key, want)
}

func fieldList() string {
	names := make([]string, 0, len(columns))
	for _, c := range columns {
		names = append(names, c.key)
	}
	return strings.Join(names, "、")
}

func encodeJSONL(w io.Writer, entries []Entry) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, e := range entries {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return nil
}
