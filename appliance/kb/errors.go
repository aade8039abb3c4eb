package kb

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnknownFormat is returned for a format name or file extension the
// package does not support.
var ErrUnknownFormat = errors.New("不支持的知识库文件格式，请使用 .csv、.xlsx 或 .jsonl")

// MaxProblems is the number of problems an ImportError lists at most. A
// file that is wrong throughout, such as one saved in the wrong encoding,
// would otherwise produce one line per row.
const MaxProblems = 100

// Problem is one reason a knowledge-base file or entry list was rejected.
type Problem struct {
	// Row is the spreadsheet row (the header is row 1) for CSV and XLSX, the
	// line number for JSONL, or the 1-based position in the slice given to
	// ValidateAll. Zero means the problem concerns the whole file.
	Row int
	// Field is the English column key (id, category, question, similar,
	// answer, materials), or empty when the problem concerns no one column.
	Field string
	// Reason is a Chinese sentence for staff.
	Reason string
}

// ImportError rejects a whole file or entry list and lists why.
type ImportError struct {
	Problems []Problem
	// Truncated is set when more than MaxProblems problems were found and
	// only the first MaxProblems are listed.
	Truncated bool
	// unit names what Row counts: "行" for file rows and lines, "条" for
	// positions in an entry slice.
	unit string
}

// Error returns a Chinese summary with one line per problem.
func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "知识库数据未通过检查，共 %d 处问题", len(e.Problems))
	if e.Truncated {
		fmt.Fprintf(&b, "（问题过多，只列出前 %d 处）", MaxProblems)
	}
	b.WriteString("：")
	for _, p := range e.Problems {
		b.WriteString("\n")
		b.WriteString(p.format(e.unitOrDefault()))
	}
	return b.String()
}

func (e *ImportError) unitOrDefault() string {
	if e.unit == "" {
		return "行"
	}
	return e.unit
}

func (p Problem) format(unit string) string {
	place := "文件"
	if p.Row > 0 {
		place = fmt.Sprintf("第 %d %s", p.Row, unit)
	}
	if label := fieldLabel(p.Field); label != "" {
		place += "「" + label + "」"
	}
	return place + "：" + p.Reason
}

// problemList collects problems up to MaxProblems.
type problemList struct {
	items     []Problem
	truncated bool
}

// add records p and reports whether the caller should keep looking for
// more problems.
func (l *problemList) add(p Problem) bool {
	if len(l.items) >= MaxProblems {
		l.truncated = true
		return false
	}
	l.items = append(l.items, p)
	return true
}

func (l *problemList) err(unit string) error {
	if len(l.items) == 0 {
		return nil
	}
	return &ImportError{Problems: l.items, Truncated: l.truncated, unit: unit}
}
