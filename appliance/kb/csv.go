package kb

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

var utf16BOMs = [][]byte{{0xFF, 0xFE}, {0xFE, 0xFF}}

// maxCommasPerLine is more commas than a valid row can hold, since all its
// fields filled with commas come to under 50,000. The check runs before
// encoding/csv, which allocates one string per field: a 32 MiB line of
// commas took 16 s and 5 GiB of allocations without it.
const maxCommasPerLine = 1 << 16

// decodeCSV reads comma-separated UTF-8, with or without a byte order mark.
// Rows are numbered as a spreadsheet shows them: a record with line breaks
// inside quotes is one row, and a blank line is a row of its own.
func decodeCSV(data []byte, c *collector) {
	for _, bom := range utf16BOMs {
		if bytes.HasPrefix(data, bom) {
			c.fileProblem("文件是 UTF-16 编码，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”")
			return
		}
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if line := tooWideLine(data); line > 0 {
		c.fileProblem(fmt.Sprintf("文件第 %d 行的逗号超过 %d 个，不是有效的知识库表格", line, maxCommasPerLine))
		return
	}

	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	cells, err := r.Read()
	if errors.Is(err, io.EOF) {
		c.fileProblem("文件为空，缺少表头")
		return
	}
	if err != nil {
		c.problem(1, "", csvSyntaxReason(err))
		return
	}
	h, ok := parseHeader(cells, c)
	if !ok {
		return
	}

	row, lastLine := 1, recordEndLine(r, cells)
	for {
		cells, err := r.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			c.problem(row+csvStartLine(err)-lastLine, "", csvSyntaxReason(err))
			return
		}
		start, _ := r.FieldPos(0)
		row += start - lastLine
		lastLine = recordEndLine(r, cells)
		if blankRow(cells) {
			continue
		}
		for i := range cells {
			cells[i] = unescapeFormula(cells[i])
		}
		e, ok := h.entry(row, cells, c)
		if !ok || !c.add(row, e) {
			return
		}
	}
}

// tooWideLine returns the number of the first line with more than
// maxCommasPerLine commas, or 0.
func tooWideLine(data []byte) int {
	for line := 1; len(data) > 0; line++ {
		end := bytes.IndexByte(data, '\n')
		if end < 0 {
			end = len(data) - 1
		}
		if bytes.Count(data[:end+1], []byte(",")) > maxCommasPerLine {
			return line
		}
		data = data[end+1:]
	}
	return 0
}

// recordEndLine returns the line on which the record last read ends.
func recordEndLine(r *csv.Reader, cells []string) int {
	start, _ := r.FieldPos(0)
	for _, cell := range cells {
		start += strings.Count(cell, "\n")
	}
	return start
}

func csvStartLine(err error) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.StartLine
	}
	return 0
}

func csvSyntaxReason(err error) string {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Sprintf("CSV 格式错误：%v", err)
	}
	detail := pe.Err.Error()
	switch {
	case errors.Is(pe.Err, csv.ErrQuote):
		detail = "引号不成对，单元格中的双引号要写成两个双引号"
	case errors.Is(pe.Err, csv.ErrBareQuote):
		detail = "没有用引号括起的单元格中出现了双引号"
	}
	return fmt.Sprintf("CSV 格式错误（文件第 %d 行）：%s", pe.Line, detail)
}

// encodeCSV writes entries with a header row. A cell that a spreadsheet
// would run as a formula is escaped with a leading apostrophe, which
// decodeCSV removes again. XLSX export needs no escape because it stores
// every cell as a string, never as a formula.
func encodeCSV(w io.Writer, entries []Entry) error {
	if _, err := w.Write(utf8BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	head := make([]string, len(columns))
	for i, col := range columns {
		head[i] = col.key
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, e := range entries {
		row := tableRow(e)
		for i := range row {
			row[i] = escapeFormula(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// tableRow returns the cells of e in the order of columns.
func tableRow(e Entry) []string {
	return []string{
		e.ID,
		e.Category,
		e.Question,
		strings.Join(e.Similar, "|"),
		e.Answer,
		strings.Join(e.Materials, "|"),
		strings.Join(e.Basis, "|"),
	}
}
