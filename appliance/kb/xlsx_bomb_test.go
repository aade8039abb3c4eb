package kb

import (
	"archive/zip"
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// bombPart is the content of one part of a generated workbook: an XML
// head, filler repeated and an XML tail, at least size bytes in all. Filler such as
// "<si><t>x</t></si>" compresses to almost nothing, so a file of a few
// kilobytes unzips to size bytes.
type bombPart struct {
	size               int
	head, filler, tail string
}

const (
	sstHead   = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`
	sheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
)

func sharedStrings(size int) bombPart {
	return bombPart{size, sstHead, `<si><t>x</t></si>`, `</sst>`}
}

func worksheet(size int) bombPart {
	return bombPart{size, sheetHead, `<row><c><v>1</v></c></row>`, `</sheetData></worksheet>`}
}

// xlsxBomb returns a workbook written by excelize with a header row in
// shared strings, whose parts named in parts are replaced or added.
func xlsxBomb(t *testing.T, parts map[string]bombPart) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, v := range []string{"id", "category", "question", "answer"} {
		cell, err := excelize.CoordinatesToCellName(i+1, 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellStr("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	var src bytes.Buffer
	if err := f.Write(&src); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(src.Bytes()), int64(src.Len()))
	if err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, part := range zr.File {
		if _, ok := parts[part.Name]; ok {
			continue
		}
		r, err := part.Open()
		if err != nil {
			t.Fatal(err)
		}
		copyPart(t, zw, part.Name, r)
		r.Close()
	}
	names := make([]string, 0, len(parts))
	for name := range parts {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		copyPart(t, zw, name, filled(parts[name]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func copyPart(t *testing.T, zw *zip.Writer, name string, r io.Reader) {
	t.Helper()
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, r); err != nil {
		t.Fatal(err)
	}
}

// filled returns a reader of p's bytes, at least p.size of them, without
// holding them in memory.
func filled(p bombPart) io.Reader {
	n := (p.size - len(p.head) - len(p.tail) + len(p.filler) - 1) / len(p.filler)
	repeated := io.LimitReader(repeatReader(p.filler), int64(n*len(p.filler)))
	return io.MultiReader(strings.NewReader(p.head), repeated, strings.NewReader(p.tail))
}

// repeatReader returns an endless reader of s repeated.
func repeatReader(s string) io.Reader {
	return &repeater{block: []byte(strings.Repeat(s, 4096))}
}

type repeater struct {
	block []byte
	off   int
}

func (r *repeater) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.block[r.off:])
		n += c
		r.off = (r.off + c) % len(r.block)
	}
	return n, nil
}

func TestDecodeXLSXRejectsBombs(t *testing.T) {
	tests := []struct {
		name  string
		parts map[string]bombPart
		want  []string
	}{
		{"shared strings", map[string]bombPart{"xl/sharedStrings.xml": sharedStrings(maxSheetPartSize + 1)},
			[]string{"xl/sharedStrings.xml 解压后为 8.0 MiB", "超过单个部件 8 MiB 的上限"}},
		{"shared strings in other case", map[string]bombPart{"xl/SharedStrings.xml": sharedStrings(maxSheetPartSize + 1)},
			[]string{"xl/SharedStrings.xml", "8 MiB 的上限"}},
		{"worksheet", map[string]bombPart{"xl/worksheets/sheet1.xml": worksheet(maxSheetPartSize + 1)},
			[]string{"xl/worksheets/sheet1.xml", "8 MiB 的上限"}},
		{"styles", map[string]bombPart{"xl/styles.xml": {maxOtherPartSize + 1, `<styleSheet>`, `<x/>`, `</styleSheet>`}},
			[]string{"xl/styles.xml", "1 MiB 的上限"}},
		{"sum of parts", map[string]bombPart{
			"xl/worksheets/sheet1.xml": worksheet(maxSheetPartSize - 1024),
			"xl/worksheets/sheet2.xml": worksheet(maxSheetPartSize - 1024),
			"xl/worksheets/sheet3.xml": worksheet(1 << 20),
		}, []string{"XLSX 文件解压后超过 16 MiB 的上限"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := xlsxBomb(t, tt.parts)
			if len(data) > 1<<20 {
				t.Fatalf("generated workbook is %d bytes, want a small file that unzips large", len(data))
			}

			_, err := Decode(bytes.NewReader(data), FormatXLSX)
			if err == nil {
				t.Fatal("got no error, want the workbook rejected")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("got %q, want it to contain %q", err, want)
				}
			}
		})
	}
}

func TestDecodeXLSXShippedWithinLimits(t *testing.T) {
	shipped, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Encode(&buf, FormatXLSX, shipped); err != nil {
		t.Fatal(err)
	}
	if reason := checkXLSXSizes(buf.Bytes()); reason != "" {
		t.Fatalf("got %q, want the shipped knowledge base within the limits", reason)
	}

	got, err := Decode(bytes.NewReader(buf.Bytes()), FormatXLSX)
	if err != nil {
		t.Fatalf("got %v, want the shipped export decoded", err)
	}
	if len(got) != len(shipped) {
		t.Errorf("got %d entries, want %d", len(got), len(shipped))
	}
}
