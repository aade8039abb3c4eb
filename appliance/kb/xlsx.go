package kb

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// maxUnzipSize bounds the uncompressed size of an XLSX upload, so that a
// zip bomb is rejected before it fills memory or disk. The shipped knowledge
// base written by Encode unzips to 1.65 times its CSV size, and eight times
// leaves room for workbooks that other programs write less compactly.
const maxUnzipSize = 8 * MaxFileSize

// exportSheet is the name of the single sheet Encode writes.
const exportSheet = "知识库"

// decodeXLSX reads the first sheet of a workbook. Row 1 is the header.
func decodeXLSX(data []byte, c *collector) {
	// excelize has panicked on damaged workbooks. A damaged upload must be
	// rejected like any other bad file, not crash the service.
	defer func() {
		if r := recover(); r != nil {
			c.fileProblem("XLSX 文件已损坏，无法读取")
		}
	}()

	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzipSize})
	if err != nil {
		if f != nil {
			f.Close()
		}
		c.fileProblem(xlsxOpenReason(err))
		return
	}
	defer f.Close()

	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		c.fileProblem("工作簿中没有工作表")
		return
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		c.fileProblem(fmt.Sprintf("无法读取工作表 %q：%v", sheets[0], err))
		return
	}
	defer rows.Close()

	readRows(rows, sheets[0], c)
}

func readRows(rows *excelize.Rows, sheet string, c *collector) {
	var h header
	row := 0
	for rows.Next() {
		row++
		cells, err := rows.Columns()
		if err != nil {
			c.problem(row, "", fmt.Sprintf("无法读取这一行：%v", err))
			return
		}
		if row == 1 {
			var ok bool
			if h, ok = parseXLSXHeader(cells, sheet, c); !ok {
				return
			}
			continue
		}
		if blankRow(cells) {
			continue
		}
		e, ok := h.entry(row, cells, c)
		if !ok || !c.add(row, e) {
			return
		}
	}
	if err := rows.Error(); err != nil {
		c.fileProblem(fmt.Sprintf("读取工作表 %q 失败：%v", sheet, err))
		return
	}
	if row == 0 {
		c.fileProblem(fmt.Sprintf("工作表 %q 为空，缺少表头", sheet))
	}
}

func parseXLSXHeader(cells []string, sheet string, c *collector) (header, bool) {
	if blankRow(cells) {
		c.problem(1, "", fmt.Sprintf("工作表 %q 的第 1 行应为表头", sheet))
		return header{}, false
	}
	return parseHeader(cells, c)
}

func xlsxOpenReason(err error) string {
	switch {
	case errors.Is(err, zip.ErrFormat), errors.Is(err, excelize.ErrWorkbookFileFormat):
		return "不是有效的 XLSX 文件，请用 Excel 另存为“Excel 工作簿（*.xlsx）”"
	case errors.Is(err, excelize.ErrWorkbookPassword):
		return "XLSX 文件设置了密码，请取消密码后再导入"
	// excelize reports the unzip limit with an unexported, unwrapped error.
	case strings.Contains(err.Error(), "unzip size exceeds"):
		return fmt.Sprintf("XLSX 文件解压后超过 %d MiB 的上限", maxUnzipSize>>20)
	}
	return fmt.Sprintf("无法打开 XLSX 文件：%v", err)
}

// encodeXLSX writes one sheet with the English header in bold. Every cell
// is stored as text, so ids such as "001" keep their leading zeros.
func encodeXLSX(w io.Writer, entries []Entry) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", exportSheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(exportSheet)
	if err != nil {
		return err
	}
	if err := writeXLSXHeader(f, sw); err != nil {
		return err
	}

	for i, e := range entries {
		values, err := xlsxRow(e)
		if err != nil {
			return fmt.Errorf("第 %d 条（编号 %s）：%w", i+1, e.ID, err)
		}
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, values); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

// columnWidths are in Excel character units, sized for Chinese text.
var columnWidths = []float64{22, 14, 36, 48, 80, 48, 36}

func writeXLSXHeader(f *excelize.File, sw *excelize.StreamWriter) error {
	for i, width := range columnWidths {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	head := make([]any, len(columns))
	for i, col := range columns {
		head[i] = col.key
	}
	return sw.SetRow("A1", head, excelize.RowOpts{StyleID: bold})
}

// xlsxRow returns the cells of e, rejecting one that Excel would truncate.
func xlsxRow(e Entry) ([]any, error) {
	cells := tableRow(e)
	values := make([]any, len(cells))
	for i, cell := range cells {
		if n := len(utf16.Encode([]rune(cell))); n > excelize.TotalCellChars {
			return nil, fmt.Errorf("“%s”一栏有 %d 个字符，超过 Excel 单元格 %d 个字符的上限",
				columns[i].label, n, excelize.TotalCellChars)
		}
		values[i] = cell
	}
	return values, nil
}
