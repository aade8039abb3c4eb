package kb

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

const csvHeader = "id,category,question,similar,answer,materials\n"

// csvExportHeader is the header Encode writes: every column, basis last.
const csvExportHeader = "id,category,question,similar,answer,materials,basis\n"

func TestDecodeCSVAccepts(t *testing.T) {
	want := []Entry{{
		ID:        "bdc-dyzx-001",
		Category:  "不动产登记",
		Question:  "如何办理抵押注销？",
		Similar:   []string{"抵押注销", "还完贷款解押"},
		Answer:    "请携带身份证到窗口办理，一般当日办结。",
		Materials: []string{"身份证明", "不动产登记证明"},
	}}
	tests := []struct {
		name string
		data string
	}{
		{"english header", csvHeader +
			"bdc-dyzx-001,不动产登记,如何办理抵押注销？,抵押注销|还完贷款解押,请携带身份证到窗口办理，一般当日办结。,身份证明|不动产登记证明\n"},
		{"with BOM", "\uFEFF" + csvHeader +
			"bdc-dyzx-001,不动产登记,如何办理抵押注销？,抵押注销|还完贷款解押,请携带身份证到窗口办理，一般当日办结。,身份证明|不动产登记证明\n"},
		{"chinese header", "编号,分类,标准问题,相似问题,答案,所需材料\n" +
			"bdc-dyzx-001,不动产登记,如何办理抵押注销？,抵押注销|还完贷款解押,请携带身份证到窗口办理，一般当日办结。,身份证明|不动产登记证明\n"},
		{"chinese header with BOM and CRLF", "\uFEFF编号,分类,标准问题,相似问题,答案,所需材料\r\n" +
			"bdc-dyzx-001,不动产登记,如何办理抵押注销？,抵押注销|还完贷款解押,请携带身份证到窗口办理，一般当日办结。,身份证明|不动产登记证明\r\n"},
		{"columns reordered", "answer,materials,similar,question,category,id\n" +
			"请携带身份证到窗口办理，一般当日办结。,身份证明|不动产登记证明,抵押注销|还完贷款解押,如何办理抵押注销？,不动产登记,bdc-dyzx-001\n"},
		{"mixed languages", "答案,ID, Question ,分类,similar,所需材料\n" +
			"请携带身份证到窗口办理，一般当日办结。,bdc-dyzx-001,如何办理抵押注销？,不动产登记,抵押注销|还完贷款解押,身份证明|不动产登记证明\n"},
		{"header case and spaces", " ID ,Category,QUESTION,Similar,Answer,Materials\n" +
			"bdc-dyzx-001,不动产登记,如何办理抵押注销？,抵押注销|还完贷款解押,请携带身份证到窗口办理，一般当日办结。,身份证明|不动产登记证明\n"},
		{"trimming and empty items", csvHeader +
			" bdc-dyzx-001 , 不动产登记 , 如何办理抵押注销？ ,| 抵押注销 || 还完贷款解押 |, 请携带身份证到窗口办理，一般当日办结。 ,身份证明｜不动产登记证明|\n"},
		{"blank rows skipped", csvHeader + "\n,,,,,\n" +
			"bdc-dyzx-001,不动产登记,如何办理抵押注销？,抵押注销|还完贷款解押,请携带身份证到窗口办理，一般当日办结。,身份证明|不动产登记证明\n,,\n"},
		{"no final newline", csvHeader +
			"bdc-dyzx-001,不动产登记,如何办理抵押注销？,抵押注销|还完贷款解押,请携带身份证到窗口办理，一般当日办结。,身份证明|不动产登记证明"},
		{"blank extra header column", "id,category,question,similar,answer,materials,,\n" +
			"bdc-dyzx-001,不动产登记,如何办理抵押注销？,抵押注销|还完贷款解押,请携带身份证到窗口办理，一般当日办结。,身份证明|不动产登记证明,,\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeString(t, FormatCSV, tt.data)
			if err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %#v, want %#v", got, want)
			}
		})
	}
}

func TestDecodeCSVMaterialsOptional(t *testing.T) {
	data := "id,category,question,similar,answer\nck-1,窗口服务,几点上班？,,工作日办公。\n"
	got, err := decodeString(t, FormatCSV, data)
	if err != nil {
		t.Fatalf("got error %v, want nil", err)
	}
	want := []Entry{{ID: "ck-1", Category: "窗口服务", Question: "几点上班？", Answer: "工作日办公。"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

func TestDecodeCSVRejects(t *testing.T) {
	row := func(id, answer string) string {
		return id + ",分类,问题？,相似,\"" + answer + "\",\n"
	}
	tests := []struct {
		name string
		data string
		want []wantProblem
	}{
		{"empty file", "", []wantProblem{{0, "", "文件为空"}}},
		{"BOM only", "\uFEFF", []wantProblem{{0, "", "文件为空"}}},
		{"header only", csvHeader, []wantProblem{{0, "", "没有任何知识条目"}}},
		{"UTF-16", "\xff\xfei\x00d\x00", []wantProblem{{0, "", "UTF-16"}}},
		{"unknown column", "id,category,question,similar,answer,备注\n", []wantProblem{
			{1, "", `未知的列 "备注"（第 6 列）`},
		}},
		{"missing columns", "id,question\n", []wantProblem{
			{1, "category", "缺少“分类”列"},
			{1, "similar", "缺少“相似问题”列"},
			{1, "answer", "缺少“答案”列"},
		}},
		{"duplicate column", "id,编号,category,question,similar,answer\n", []wantProblem{
			{1, "", "重复出现（第 1 列和第 2 列）"},
		}},
		{"GBK header", "\xb1\xe0\xba\xc5,category,question,similar,answer\n", []wantProblem{
			{1, "", "第 1 列表头含有无效的 UTF-8"},
			{1, "id", "缺少“编号”列"},
		}},
		{"empty answer", csvHeader + row("a", ""), []wantProblem{{2, "answer", "答案为空"}}},
		{"empty id", csvHeader + row("", "答"), []wantProblem{{2, "id", "编号为空"}}},
		{"empty question", csvHeader + "a,分类,,相似,答,\n", []wantProblem{{2, "question", "标准问题为空"}}},
		{"missing cells count as empty", csvHeader + "a,分类\n", []wantProblem{
			{2, "question", "标准问题为空"},
			{2, "answer", "答案为空"},
		}},
		{"too long answer", csvHeader + row("a", strings.Repeat("答", MaxAnswerLen+1)), []wantProblem{
			{2, "answer", "答案超过 5000 个字符"},
		}},
		{"too long id", csvHeader + row(strings.Repeat("x", MaxIDLen+1), "答"), []wantProblem{
			{2, "id", "编号超过 64 个字符"},
		}},
		{"too many similar", csvHeader + "a,分类,问题？," + strings.Repeat("相似|", MaxSimilar+1) + ",答,\n", []wantProblem{
			{2, "similar", "相似问题超过 100 条"},
		}},
		{"invalid UTF-8 cell", csvHeader + "a,分类,\xc4\xe3\xba\xc3,相似,答,\n", []wantProblem{
			{2, "question", "标准问题含有无效的 UTF-8 字符"},
		}},
		{"duplicate id names both rows", csvHeader + row("a", "答") + row("b", "答") + row("a", "答"), []wantProblem{
			{4, "id", `编号 "a" 与第 2 行重复`},
		}},
		{"cell under blank header", "id,category,question,similar,answer,\n" + "a,分类,问题？,相似,答,多余\n", []wantProblem{
			{2, "", "第 6 列没有表头"},
		}},
		{"extra cell beyond header", csvHeader + "a,分类,问题？,相似,答,,多余\n", []wantProblem{
			{2, "", "第 7 列没有表头"},
		}},
		{"bare quote", csvHeader + row("a", "答") + "b,分类,他说\"好\",相似,答,\n", []wantProblem{
			{3, "", "没有用引号括起的单元格中出现了双引号"},
		}},
		{"unclosed quote", csvHeader + row("a", "答") + "b,分类,\"问题,相似,答,\n", []wantProblem{
			{3, "", "引号不成对"},
		}},
		{"too many commas on a line", csvHeader + "a,分类,问题？,相似,\"" + strings.Repeat(",", maxCommasPerLine) + "\",\n",
			[]wantProblem{{0, "", "文件第 2 行的逗号超过 65536 个"}}},
		{"several problems in row order", csvHeader + row("a", "") + row("", "答") + row("a", "答"), []wantProblem{
			{2, "answer", "答案为空"},
			{3, "id", "编号为空"},
			{4, "id", "与第 2 行重复"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeString(t, FormatCSV, tt.data)
			if got != nil {
				t.Errorf("got %d entries, want none from a rejected file", len(got))
			}
			checkProblems(t, err, tt.want)
		})
	}
}

func TestDecodeCSVRowNumbers(t *testing.T) {
	// Row 2 spans three lines, then come a blank line (row 3) and a blank
	// record (row 4), so the bad row is row 5 as a spreadsheet shows it.
	data := csvHeader +
		"a,分类,问题？,相似,\"第一行\n第二行\r\n第三行\",\n" +
		"\n" +
		",,,,,\n" +
		"b,分类,问题？,相似,,\n"
	_, err := decodeString(t, FormatCSV, data)
	checkProblems(t, err, []wantProblem{{5, "answer", "答案为空"}})
}

func TestDecodeCSVProblemLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString(csvHeader)
	for i := range MaxProblems + 50 {
		fmt.Fprintf(&b, "id-%d,分类,问题？,相似,,\n", i)
	}
	_, err := decodeString(t, FormatCSV, b.String())
	ie := importError(t, err)
	if len(ie.Problems) != MaxProblems {
		t.Errorf("got %d problems, want %d", len(ie.Problems), MaxProblems)
	}
	if !ie.Truncated {
		t.Errorf("got Truncated false, want true")
	}
	if !strings.Contains(err.Error(), "只列出前 100 处") {
		t.Errorf("got message without the truncation notice: %.200s", err)
	}
}

func TestDecodeCSVEntryLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString(csvHeader)
	for i := range MaxEntries + 1 {
		fmt.Fprintf(&b, "id-%d,分类,问题？,相似,答,\n", i)
	}
	_, err := decodeString(t, FormatCSV, b.String())
	checkProblems(t, err, []wantProblem{{0, "", "条目超过 20000 条"}})
}

func TestDecodeSizeLimit(t *testing.T) {
	data := bytes.Repeat([]byte("x"), MaxFileSize+1)
	for _, f := range []Format{FormatCSV, FormatXLSX, FormatJSONL} {
		_, err := Decode(bytes.NewReader(data), f)
		checkProblems(t, err, []wantProblem{{0, "", "文件超过 32 MiB"}})
	}
}

func TestEncodeCSVLayout(t *testing.T) {
	var buf bytes.Buffer
	if err := Encode(&buf, FormatCSV, []Entry{validEntry()}); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "\uFEFF"+csvExportHeader) {
		t.Errorf("got start %q, want BOM and English header", out[:min(len(out), 60)])
	}
	if !strings.Contains(out, "抵押注销|贷款还完了怎么解押") {
		t.Errorf("got %q, want similar phrasings joined by |", out)
	}
	if !strings.Contains(out, ",不动产登记暂行条例#第十四条|不动产登记暂行条例实施细则\r\n") && !strings.Contains(out, ",不动产登记暂行条例#第十四条|不动产登记暂行条例实施细则\n") {
		t.Errorf("got %q, want the basis references joined by | in the last column", out)
	}
}

func importError(t *testing.T, err error) *ImportError {
	t.Helper()
	ie, ok := err.(*ImportError)
	if !ok {
		t.Fatalf("got error %v (%T), want *ImportError", err, err)
	}
	return ie
}
