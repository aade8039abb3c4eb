package kb

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Format is a knowledge-base file format.
type Format int

// Formats staff can import and export.
const (
	FormatUnknown Format = iota
	FormatCSV
	FormatXLSX
	FormatJSONL
)

var formatNames = map[Format]string{
	FormatCSV:   "csv",
	FormatXLSX:  "xlsx",
	FormatJSONL: "jsonl",
}

// String returns the lowercase name of f, which is also its file extension
// without the dot.
func (f Format) String() string {
	if name, ok := formatNames[f]; ok {
		return name
	}
	return "unknown"
}

// ParseFormat parses a format name such as "csv", "XLSX" or ".jsonl".
func ParseFormat(name string) (Format, error) {
	key := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(name), "."))
	for f, n := range formatNames {
		if n == key {
			return f, nil
		}
	}
	return FormatUnknown, fmt.Errorf("格式 %q：%w", name, ErrUnknownFormat)
}

// FormatFromPath picks the format from the extension of path.
func FormatFromPath(path string) (Format, error) {
	ext := filepath.Ext(path)
	if ext == "" {
		return FormatUnknown, fmt.Errorf("文件 %q 没有扩展名：%w", path, ErrUnknownFormat)
	}
	f, err := ParseFormat(ext)
	if err != nil {
		return FormatUnknown, fmt.Errorf("文件 %q 的扩展名 %q：%w", path, ext, ErrUnknownFormat)
	}
	return f, nil
}
