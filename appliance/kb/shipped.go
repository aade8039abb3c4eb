package kb

import (
	"bytes"
	_ "embed"
	"fmt"
)

// shippedCSV is the default knowledge base built into the binary. Its
// entries were written for this product about the matters handled at the
// windows of the Hunan Provincial Department of Natural Resources.
//
//go:embed shipped/kb.csv
var shippedCSV []byte

// Shipped decodes the built-in knowledge base. Each call returns a fresh
// slice that the caller may change.
func Shipped() ([]Entry, error) {
	entries, err := Decode(bytes.NewReader(shippedCSV), FormatCSV)
	if err != nil {
		return nil, fmt.Errorf("解析内置知识库失败：%w", err)
	}
	return entries, nil
}
