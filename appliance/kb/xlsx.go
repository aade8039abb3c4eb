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

// XLSX size limits, checked on the sizes the zip directory declares before
// excelize opens the file. archive/zip, which excelize reads through,
// fails a part that inflates past its declared size, so a directory that
// lies does not get past them.
//
// The shipped knowledge base (196 entries) exported by Encode unzips to
// 0.25 MiB, almost all of it the worksheet. A workbook with 20 times the
// entries (3920), saved by excelize with shared strings, has a 3.4 MiB
// shared-strings part and a 1.0 MiB worksheet. excelize v2.11.1 decodes
// the whole shared-strings part into memory. Measured on a 2-core machine
// with parts of "<si><t>x</t></si>" repeated, as the tests generate them,
// an 8 MiB part takes 1.4 s and about 200 MB of peak memory. A 200 MiB
// part, in a 0.5 MB file, took 34 s and 1.3 GB before these checks.
const (
	// maxUnzipSize bounds the sum of all parts.
	maxUnzipSize = 16 << 20
	// maxSheetPartSize bounds each worksheet and the shared-strings part.
	maxSheetPartSize = 8 << 20
	// maxOtherPartSize bounds every other part: styles, theme, workbook,
	// relationships and any picture, which a knowledge base does not need.
	maxOtherPartSize = 1 << 20
)

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

	if reason := checkXLSXSizes(data); reason != "" {
		c.fileProblem(reason)
		return
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    maxUnzipSize,
		UnzipXMLSizeLimit: maxSheetPartSize,
	})
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

// checkXLSXSizes returns why the workbook in data unzips to more than the
// limits allow, or "" when it does not.
func checkXLSXSizes(data []byte) string {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return xlsxOpenReason(err)
	}
	const advice = "；知识库的表格远小于此，请删除多余的工作表、图片和格式后另存为“Excel 工作簿（*.xlsx）”再导入"
	var total uint64
	for _, part := range zr.File {
		limit := uint64(maxOtherPartSize)
		if isSheetPart(part.Name) {
			limit = maxSheetPartSize
		}
		if part.UncompressedSize64 > limit {
			return fmt.Sprintf("XLSX 文件中的 %s 解压后为 %s，超过单个部件 %d MiB 的上限%s",
				part.Name, mebibytes(part.UncompressedSize64), limit>>20, advice)
		}
		total += part.UncompressedSize64
		if total > maxUnzipSize {
			return fmt.Sprintf("XLSX 文件解压后超过 %d MiB 的上限%s", maxUnzipSize>>20, advice)
		}
	}
	return ""
}

// isSheetPart reports whether name is a worksheet or the shared-strings
// part, which hold the cells. excelize matches the shared-strings name
// without regard to case.
func isSheetPart(name string) bool {
	name = strings.ToLower(name)
	return name == "xl/sharedstrings.xml" || strings.HasPrefix(name, "xl/worksheets/")
}

// mebibytes formats n bytes as MiB with one decimal.
func mebibytes(n uint64) string {
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
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
