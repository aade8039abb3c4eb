package kb

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// column describes one column of the CSV and XLSX layout.
type column struct {
	key      string // English header, also the Problem.Field value
	label    string // Chinese header
	required bool
}

// columns is the export order. Imports accept any order.
var columns = []column{
	{key: "id", label: "编号", required: true},
	{key: "category", label: "分类", required: true},
	{key: "question", label: "标准问题", required: true},
	{key: "similar", label: "相似问题", required: true},
	{key: "answer", label: "答案", required: true},
	{key: "materials", label: "所需材料"},
	{key: "basis", label: "政策依据"},
}

func fieldLabel(key string) string {
	for _, c := range columns {
		if c.key == key {
			return c.label
		}
	}
	return ""
}

// headerKey maps a header cell, English in any case or Chinese, to its key.
func headerKey(cell string) (string, bool) {
	name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(cell, "\uFEFF")))
	for _, c := range columns {
		if name == c.key || name == c.label {
			return c.key, true
		}
	}
	return "", false
}

// header is the column layout of one table: the cell index of each key.
// Cells under a blank header must stay empty.
type header struct {
	index map[string]int
	known map[int]bool
}

// parseHeader reads row 1. It reports false when the header has a problem,
// since no data row can be read reliably then.
func parseHeader(cells []string, c *collector) (header, bool) {
	h := header{index: make(map[string]int), known: make(map[int]bool)}
	before := len(c.problems.items)
	for i, cell := range cells {
		if strings.TrimSpace(cell) == "" {
			continue
		}
		h.known[i] = true
		if reason := headerProblem(h, i, cell); reason != "" {
			c.problem(1, "", reason)
			continue
		}
		key, _ := headerKey(cell)
		h.index[key] = i
	}

	for _, col := range columns {
		if _, present := h.index[col.key]; col.required && !present {
			reason := fmt.Sprintf("缺少“%s”列，表头应写 %s 或 %s", col.label, col.key, col.label)
			c.problem(1, col.key, reason)
		}
	}
	return h, len(c.problems.items) == before
}

func headerProblem(h header, i int, cell string) string {
	if !utf8.ValidString(cell) {
		return fmt.Sprintf("第 %d 列表头%s", i+1, invalidUTF8Hint)
	}
	key, known := headerKey(cell)
	if !known {
		return fmt.Sprintf("未知的列 %q（第 %d 列），可用的列为 %s", clip(cell), i+1, columnList())
	}
	if first, dup := h.index[key]; dup {
		return fmt.Sprintf("列 %q 重复出现（第 %d 列和第 %d 列）", clip(cell), first+1, i+1)
	}
	return ""
}

func columnList() string {
	names := make([]string, 0, len(columns))
	for _, c := range columns {
		names = append(names, c.key+"/"+c.label)
	}
	return strings.Join(names, "、")
}

// entry builds the entry of one data row. It reports false when the
// problem limit is reached.
func (h header) entry(row int, cells []string, c *collector) (Entry, bool) {
	for i, cell := range cells {
		if !h.known[i] && strings.TrimSpace(cell) != "" {
			if !c.problem(row, "", fmt.Sprintf("第 %d 列没有表头，却填写了内容", i+1)) {
				return Entry{}, false
			}
		}
	}

	cell := func(key string) string {
		i, ok := h.index[key]
		if !ok || i >= len(cells) {
			return ""
		}
		return cells[i]
	}
	return Entry{
		ID:        cell("id"),
		Category:  cell("category"),
		Question:  cell("question"),
		Similar:   splitList(cell("similar")),
		Answer:    cell("answer"),
		Materials: splitList(cell("materials")),
		Basis:     splitList(cell("basis")),
	}, true
}

// splitList splits a cell on the list separators and drops empty items.
func splitList(cell string) []string {
	items := strings.FieldsFunc(cell, func(r rune) bool {
		return strings.ContainsRune(listSeparators, r)
	})
	return normalizeList(items)
}

func blankRow(cells []string) bool {
	for _, cell := range cells {
		if strings.TrimSpace(cell) != "" {
			return false
		}
	}
	return true
}
