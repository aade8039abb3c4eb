package kb

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/xuri/excelize/v2"
)

// writeWorkbook saves rows to the first sheet of a new workbook in a temp
// dir, as staff would with Excel, and returns the file's bytes. A nil row
// is left empty.
func writeWorkbook(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		if row == nil {
			continue
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatalf("SetSheetRow: %v", err)
		}
	}
	path := filepath.Join(t.TempDir(), "kb.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatalf("SaveAs: %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDecodeXLSXAccepts(t *testing.T) {
	want := []Entry{
		{
			ID:        "kyq-ckyx-001",
			Category:  "矿业权",
			Question:  "采矿许可证快到期了，如何办理延续？",
			Similar:   []string{"采矿权延续", "采矿证续期"},
			Answer:    "请在有效期届满30日前申请。\n以窗口最新公布为准。",
			Materials: []string{"采矿权延续申请登记书"},
		},
		{ID: "001", Category: "窗口服务", Question: "几点上班？", Answer: "工作日办公。"},
	}
	noMaterials := append([]Entry(nil), want...)
	noMaterials[0].Materials = nil
	tests := []struct {
		name string
		rows [][]any
		want []Entry
	}{
		{"english header", [][]any{
			{"id", "category", "question", "similar", "answer", "materials"},
			{"kyq-ckyx-001", "矿业权", "采矿许可证快到期了，如何办理延续？", "采矿权延续|采矿证续期",
				"请在有效期届满30日前申请。\n以窗口最新公布为准。", "采矿权延续申请登记书"},
			{"001", "窗口服务", "几点上班？", "", "工作日办公。"},
		}, want},
		{"chinese header reordered with blank rows", [][]any{
			{"答案", "编号", "标准问题", "分类", "相似问题", "所需材料"},
			nil,
			{"请在有效期届满30日前申请。\r\n以窗口最新公布为准。", "kyq-ckyx-001", "采矿许可证快到期了，如何办理延续？",
				"矿业权", " 采矿权延续 ｜采矿证续期|", "采矿权延续申请登记书"},
			{"", "", "", "", "", ""},
			{"工作日办公。", "001", "几点上班？", "窗口服务"},
		}, want},
		{"no materials column", [][]any{
			{"id", "category", "question", "similar", "answer"},
			{"kyq-ckyx-001", "矿业权", "采矿许可证快到期了，如何办理延续？", "采矿权延续|采矿证续期",
				"请在有效期届满30日前申请。\n以窗口最新公布为准。"},
			{"001", "窗口服务", "几点上班？", "", "工作日办公。"},
		}, noMaterials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkXLSX(t, tt.rows, tt.want)
		})
	}
}

func checkXLSX(t *testing.T, rows [][]any, want []Entry) {
	t.Helper()
	got, err := Decode(bytes.NewReader(writeWorkbook(t, rows)), FormatXLSX)
	if err != nil {
		t.Fatalf("got error %v, want nil", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

func TestDecodeXLSXRejects(t *testing.T) {
	head := []any{"id", "category", "question", "similar", "answer", "materials"}
	tests := []struct {
		name string
		rows [][]any
		want []wantProblem
	}{
		{"empty sheet", nil, []wantProblem{{0, "", "为空，缺少表头"}}},
		{"header not in row 1", [][]any{nil, head}, []wantProblem{{1, "", "第 1 行应为表头"}}},
		{"unknown column", [][]any{{"id", "category", "question", "similar", "answer", "note"}},
			[]wantProblem{{1, "", `未知的列 "note"（第 6 列）`}}},
		{"missing answer column", [][]any{{"id", "category", "question", "similar"}},
			[]wantProblem{{1, "answer", "缺少“答案”列"}}},
		{"header only", [][]any{head}, []wantProblem{{0, "", "没有任何知识条目"}}},
		{"empty answer after gap", [][]any{
			head,
			{"a", "分类", "问题？", "相似", "答"},
			nil,
			nil,
			{"b", "分类", "问题？", "相似", " "},
		}, []wantProblem{{5, "answer", "答案为空"}}},
		{"duplicate id", [][]any{
			head,
			{"a", "分类", "问题？", "相似", "答"},
			{"a", "分类", "问题？", "相似", "答"},
		}, []wantProblem{{3, "id", `编号 "a" 与第 2 行重复`}}},
		{"cell beyond header", [][]any{
			head,
			{"a", "分类", "问题？", "相似", "答", "", "多余"},
		}, []wantProblem{{2, "", "第 7 列没有表头"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(bytes.NewReader(writeWorkbook(t, tt.rows)), FormatXLSX)
			if got != nil {
				t.Errorf("got %d entries, want none from a rejected file", len(got))
			}
			checkProblems(t, err, tt.want)
		})
	}
}

func TestDecodeXLSXFirstSheetOnly(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	head := []any{"id", "category", "question", "similar", "answer"}
	if err := f.SetSheetRow("Sheet1", "A1", &head); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetRow("Sheet1", "A2", &[]any{"first", "分类", "问题？", "", "答"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("Other"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetRow("Other", "A1", &[]any{"unrelated"}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}

	got, err := Decode(&buf, FormatXLSX)
	if err != nil {
		t.Fatalf("got error %v, want nil", err)
	}
	if len(got) != 1 || got[0].ID != "first" {
		t.Errorf("got %#v, want the one entry of the first sheet", got)
	}
}

func TestDecodeXLSXNotAWorkbook(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"csv bytes", []byte(csvHeader + "a,分类,问题？,相似,答,\n")},
		{"empty", nil},
		{"ole header", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(bytes.NewReader(tt.data), FormatXLSX)
			checkProblems(t, err, []wantProblem{{0, "", "不是有效的 XLSX 文件"}})
		})
	}
}

func TestEncodeXLSXLayout(t *testing.T) {
	e := validEntry()
	e.ID = "007"
	e.Answer = "=1+1"
	var buf bytes.Buffer
	if err := Encode(&buf, FormatXLSX, []Entry{e}); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("OpenReader: %v", err)
	}
	defer f.Close()

	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{exportSheet}) {
		t.Errorf("got sheets %v, want [%s]", got, exportSheet)
	}
	rows, err := f.GetRows(exportSheet)
	if err != nil {
		t.Fatal(err)
	}
	wantHead := []string{"id", "category", "question", "similar", "answer", "materials", "basis"}
	if !reflect.DeepEqual(rows[0], wantHead) {
		t.Errorf("got header %v, want %v", rows[0], wantHead)
	}
	if rows[1][0] != "007" {
		t.Errorf("got id cell %q, want 007 kept as text", rows[1][0])
	}
	formula, err := f.GetCellFormula(exportSheet, "E2")
	if err != nil {
		t.Fatal(err)
	}
	if formula != "" {
		t.Errorf("got formula %q in the answer cell, want plain text", formula)
	}
}
