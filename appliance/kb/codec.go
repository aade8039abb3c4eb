package kb

import (
	"fmt"
	"io"
)

// Input limits. The shipped knowledge base is about 200 entries in 120 KB of
// CSV, so the limits leave ample room while keeping a mistaken or hostile
// upload from exhausting the appliance's memory.
const (
	MaxFileSize = 32 << 20 // bytes
	MaxEntries  = 20000
)

// utf8BOM is written at the start of exported CSV so Excel detects UTF-8.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Decode reads a whole knowledge-base file. Every entry is normalized and
// validated, and ids must be unique. A file with any problem, or with no
// entries, is rejected whole with an *ImportError that lists each problem
// with its row, and no entries are returned, so a caller never imports part
// of a bad file. Other errors (reading r, an unknown format) are wrapped.
func Decode(r io.Reader, f Format) ([]Entry, error) {
	if _, ok := formatNames[f]; !ok {
		return nil, fmt.Errorf("解码知识库文件：%w", ErrUnknownFormat)
	}

	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("读取知识库文件失败：%w", err)
	}
	c := newCollector(true)
	if len(data) > MaxFileSize {
		c.fileProblem(fmt.Sprintf("文件超过 %d MiB 的上限", MaxFileSize>>20))
		return nil, c.problems.err("行")
	}

	switch f {
	case FormatCSV:
		decodeCSV(data, c)
	case FormatXLSX:
		decodeXLSX(data, c)
	case FormatJSONL:
		decodeJSONL(data, c)
	}

	if len(c.problems.items) == 0 && len(c.entries) == 0 {
		c.fileProblem("文件中没有任何知识条目")
	}
	if err := c.problems.err("行"); err != nil {
		return nil, err
	}
	return c.entries, nil
}

// Encode writes entries in format f. Entries are written as Normalize
// returns them, and the whole list must pass ValidateAll, so Decode reads
// the file back unchanged unless entries is empty, which Decode rejects.
// CSV starts with a UTF-8 byte order mark so that Excel opens it with the
// right encoding.
func Encode(w io.Writer, f Format, entries []Entry) error {
	if _, ok := formatNames[f]; !ok {
		return fmt.Errorf("导出知识库文件：%w", ErrUnknownFormat)
	}

	normalized := make([]Entry, len(entries))
	for i, e := range entries {
		normalized[i] = e.Normalize()
	}
	if err := ValidateAll(normalized); err != nil {
		return err
	}

	var err error
	switch f {
	case FormatCSV:
		err = encodeCSV(w, normalized)
	case FormatXLSX:
		err = encodeXLSX(w, normalized)
	case FormatJSONL:
		err = encodeJSONL(w, normalized)
	}
	if err != nil {
		return fmt.Errorf("导出 %s 文件失败：%w", f, err)
	}
	return nil
}

// ValidateAll checks every entry with Validate and that ids are unique. It
// does not normalize. On failure it returns an *ImportError whose rows are
// 1-based positions in entries.
func ValidateAll(entries []Entry) error {
	c := newCollector(false)
	for i, e := range entries {
		if !c.add(i+1, e) {
			break
		}
	}
	return c.problems.err("条")
}

// collector gathers decoded entries and every problem found on the way, in
// row order.
type collector struct {
	// decoding is set when entries come from a file: they are normalized,
	// counted against MaxEntries, and rows are file rows.
	decoding bool
	entries  []Entry
	firstRow map[string]int // id to the row that first used it
	problems problemList
}

func newCollector(decoding bool) *collector {
	return &collector{decoding: decoding, firstRow: make(map[string]int)}
}

// add validates e, found at row, and keeps it. It reports whether decoding
// should go on: false once the entry limit or the problem limit is reached.
func (c *collector) add(row int, e Entry) bool {
	if c.decoding {
		if len(c.entries) >= MaxEntries {
			c.fileProblem(fmt.Sprintf("条目超过 %d 条的上限", MaxEntries))
			return false
		}
		e = e.Normalize()
	}
	c.entries = append(c.entries, e)

	for _, p := range e.problems() {
		p.Row = row
		if !c.problems.add(p) {
			return false
		}
	}
	return c.checkDuplicate(row, e.ID)
}

func (c *collector) checkDuplicate(row int, id string) bool {
	if checkID(id) != "" {
		return true
	}
	first, seen := c.firstRow[id]
	if !seen {
		c.firstRow[id] = row
		return true
	}
	unit := "条"
	if c.decoding {
		unit = "行"
	}
	reason := fmt.Sprintf("编号 %q 与第 %d %s重复", id, first, unit)
	return c.problem(row, "id", reason)
}

func (c *collector) problem(row int, field, reason string) bool {
	return c.problems.add(Problem{Row: row, Field: field, Reason: reason})
}

func (c *collector) fileProblem(reason string) bool {
	return c.problem(0, "", reason)
}
