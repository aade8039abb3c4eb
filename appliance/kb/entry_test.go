package kb

import (
	"reflect"
	"strings"
	"testing"
)

func validEntry() Entry {
	return Entry{
		ID:        "bdc-test-001",
		Category:  "不动产登记",
		Question:  "如何办理抵押注销？",
		Similar:   []string{"抵押注销", "贷款还完了怎么解押"},
		Answer:    "请携带身份证到窗口办理。\n注销登记不收取登记费。",
		Materials: []string{"身份证明", "不动产登记证明"},
		Basis:     []string{"不动产登记暂行条例#第十四条", "不动产登记暂行条例实施细则"},
	}
}

func TestEntryValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Entry)
		want   string // substring of the error; empty means valid
	}{
		{"valid", func(e *Entry) {}, ""},
		{"empty category allowed", func(e *Entry) { e.Category = "" }, ""},
		{"no similar or materials", func(e *Entry) { e.Similar, e.Materials = nil, nil }, ""},
		{"empty id", func(e *Entry) { e.ID = " " }, "编号为空"},
		{"long id", func(e *Entry) { e.ID = strings.Repeat("a", MaxIDLen+1) }, "编号超过 64 个字符"},
		{"space in id", func(e *Entry) { e.ID = "a b" }, "含有空白或竖线"},
		{"ideographic space in id", func(e *Entry) { e.ID = "a\u3000b" }, "含有空白或竖线"},
		{"bar in id", func(e *Entry) { e.ID = "a|b" }, "含有空白或竖线"},
		{"control in id", func(e *Entry) { e.ID = "a\x00b" }, "控制字符"},
		{"invalid utf8 id", func(e *Entry) { e.ID = "a\xffb" }, "编号含有无效的 UTF-8"},
		{"long category", func(e *Entry) { e.Category = strings.Repeat("类", MaxCategoryLen+1) }, "分类超过 50 个字符"},
		{"empty question", func(e *Entry) { e.Question = "" }, "标准问题为空"},
		{"long question", func(e *Entry) { e.Question = strings.Repeat("问", MaxQuestionLen+1) }, "标准问题超过 200 个字符"},
		{"question newline", func(e *Entry) { e.Question = "一\n二" }, "标准问题含有换行符"},
		{"empty answer", func(e *Entry) { e.Answer = "\n" }, "答案为空"},
		{"long answer", func(e *Entry) { e.Answer = strings.Repeat("答", MaxAnswerLen+1) }, "答案超过 5000 个字符"},
		{"answer control", func(e *Entry) { e.Answer = "答\x07案" }, "答案含有控制字符"},
		{"answer tab allowed", func(e *Entry) { e.Answer = "答\t案" }, ""},
		{"too many similar", func(e *Entry) { e.Similar = make([]string, MaxSimilar+1) }, "相似问题超过 100 条"},
		{"blank similar", func(e *Entry) { e.Similar = []string{"a", " "} }, "相似问题含有空白项"},
		{"long similar", func(e *Entry) { e.Similar = []string{strings.Repeat("问", MaxQuestionLen+1)} }, "超过 200 个字符"},
		{"bar in similar", func(e *Entry) { e.Similar = []string{"a|b"} }, "含有竖线"},
		{"full-width bar in similar", func(e *Entry) { e.Similar = []string{"a｜b"} }, "含有竖线"},
		{"invalid utf8 similar", func(e *Entry) { e.Similar = []string{"\xc3"} }, "无效的 UTF-8"},
		{"too many materials", func(e *Entry) { e.Materials = make([]string, MaxMaterials+1) }, "所需材料超过 100 条"},
		{"long material", func(e *Entry) { e.Materials = []string{strings.Repeat("材", MaxMaterialLen+1)} }, "超过 200 个字符"},
		{"material newline", func(e *Entry) { e.Materials = []string{"身份\n证"} }, "换行符"},
		{"no basis", func(e *Entry) { e.Basis = nil }, ""},
		{"basis arabic article", func(e *Entry) { e.Basis = []string{"土地管理法#第44条"} }, ""},
		{"too many basis", func(e *Entry) { e.Basis = make([]string, MaxBasis+1) }, "政策依据超过 20 条"},
		{"basis without document", func(e *Entry) { e.Basis = []string{"#第一条"} }, "缺少文件编号"},
		{"basis bad article", func(e *Entry) { e.Basis = []string{"土地管理法#四十四"} }, "条文序号无效"},
		{"basis two hashes", func(e *Entry) { e.Basis = []string{"土地管理法#第一条#第二条"} }, "多个 #"},
		{"basis with space", func(e *Entry) { e.Basis = []string{"土地 管理法"} }, "含有空白"},
		{"basis with slash", func(e *Entry) { e.Basis = []string{"a/b#第一条"} }, "不允许的字符"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := validEntry()
			tt.change(&e)
			err := e.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got error %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestEntryNormalize(t *testing.T) {
	in := Entry{
		ID:        " bdc-1 ",
		Category:  "\u3000不动产登记",
		Question:  "问题？\r\n",
		Similar:   []string{" 甲 ", "", "  ", "乙"},
		Answer:    "第一行\r\n第二行\r第三行\n",
		Materials: []string{" "},
	}
	want := Entry{
		ID:       "bdc-1",
		Category: "不动产登记",
		Question: "问题？",
		Similar:  []string{"甲", "乙"},
		Answer:   "第一行\n第二行\n第三行",
	}
	if got := in.Normalize(); !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

func TestValidateAll(t *testing.T) {
	a, b := validEntry(), validEntry()
	b.Answer = ""
	c := validEntry()

	err := ValidateAll([]Entry{a, b, c})
	checkProblems(t, err, []wantProblem{
		{row: 2, field: "answer", reason: "答案为空"},
		{row: 2, field: "id", reason: "与第 1 条重复"},
		{row: 3, field: "id", reason: "与第 1 条重复"},
	})
	if !strings.Contains(err.Error(), "第 2 条「答案」：答案为空") {
		t.Errorf("got message %q, want it to name entry 2 and the answer column", err)
	}

	c.ID = "other"
	if err := ValidateAll([]Entry{a, c}); err != nil {
		t.Errorf("got error %v for unique valid entries, want nil", err)
	}
	if err := ValidateAll(nil); err != nil {
		t.Errorf("got error %v for no entries, want nil", err)
	}
}
