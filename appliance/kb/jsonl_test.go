package kb

import (
	"reflect"
	"strings"
	"testing"
)

func TestDecodeJSONLAccepts(t *testing.T) {
	want := []Entry{
		{ID: "a", Category: "测绘地理信息", Question: "怎么申请审图号？", Similar: []string{"审图号"}, Answer: "请在线申请。"},
		{ID: "b", Question: "几点上班？", Answer: "工作日办公。", Materials: []string{"身份证"}},
	}
	tests := []struct {
		name string
		data string
	}{
		{"plain", `{"id":"a","category":"测绘地理信息","question":"怎么申请审图号？","similar":["审图号"],"answer":"请在线申请。"}
{"id":"b","question":"几点上班？","answer":"工作日办公。","materials":["身份证"]}
`},
		{"BOM, CRLF and blank lines", "\uFEFF\r\n" +
			`{"id":"a","category":"测绘地理信息","question":"怎么申请审图号？","similar":["审图号"],"answer":"请在线申请。"}` + "\r\n  \r\n" +
			`{"id":"b","question":"几点上班？","answer":"工作日办公。","materials":["身份证"]}`},
		{"normalized", `{"id":" a ","category":"测绘地理信息","question":"怎么申请审图号？ ","similar":[" 审图号 ",""],"answer":"请在线申请。\r\n"}
{"id":"b","question":"几点上班？","answer":"工作日办公。","similar":[],"materials":["身份证"," "]}
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeString(t, FormatJSONL, tt.data)
			if err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %#v, want %#v", got, want)
			}
		})
	}
}

func TestDecodeJSONLRejects(t *testing.T) {
	ok := `{"id":"a","question":"问？","answer":"答"}` + "\n"
	tests := []struct {
		name string
		data string
		want []wantProblem
	}{
		{"empty", "", []wantProblem{{0, "", "没有任何知识条目"}}},
		{"unknown field", `{"id":"a","question":"问？","answer":"答","note":"x"}`, []wantProblem{
			{1, "", `未知字段 "note"`},
		}},
		{"syntax error", ok + `{"id":"b",}`, []wantProblem{{2, "", "JSON 格式错误"}}},
		{"truncated object", ok + `{"id":"b"`, []wantProblem{{2, "", "JSON 对象不完整"}}},
		{"similar is a string", `{"id":"a","question":"问？","answer":"答","similar":"甲|乙"}`, []wantProblem{
			{1, "similar", "字段 similar 的类型应为字符串数组"},
		}},
		{"id is a number", `{"id":7,"question":"问？","answer":"答"}`, []wantProblem{
			{1, "id", "字段 id 的类型应为字符串"},
		}},
		{"array line", `["a"]`, []wantProblem{{1, "", "每行应为一个 JSON 对象"}}},
		{"two objects on a line", `{"id":"a","question":"问？","answer":"答"} {"id":"b"}`, []wantProblem{
			{1, "", "一行只能写一个 JSON 对象"},
		}},
		{"invalid UTF-8", "\n" + `{"id":"a","question":"` + "\xff" + `","answer":"答"}`, []wantProblem{
			{2, "", "无效的 UTF-8"},
		}},
		{"empty answer", ok + `{"id":"b","question":"问？","answer":"  "}`, []wantProblem{
			{2, "answer", "答案为空"},
		}},
		{"null line", "null", []wantProblem{
			{1, "id", "编号为空"},
			{1, "question", "标准问题为空"},
			{1, "answer", "答案为空"},
		}},
		{"duplicate id after blank line", ok + "\n" + ok, []wantProblem{{3, "id", `编号 "a" 与第 1 行重复`}}},
		{"bar inside similar item", `{"id":"a","question":"问？","answer":"答","similar":["甲|乙"]}`, []wantProblem{
			{1, "similar", "含有竖线"},
		}},
		{"too long question", `{"id":"a","question":"` + strings.Repeat("问", MaxQuestionLen+1) + `","answer":"答"}`, []wantProblem{
			{1, "question", "标准问题超过 200 个字符"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeString(t, FormatJSONL, tt.data)
			if got != nil {
				t.Errorf("got %d entries, want none from a rejected file", len(got))
			}
			checkProblems(t, err, tt.want)
		})
	}
}
