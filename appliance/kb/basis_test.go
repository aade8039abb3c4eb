package kb

import (
	"reflect"
	"testing"
)

func TestDecodeBasisColumn(t *testing.T) {
	want := []string{"不动产登记暂行条例#第十四条", "土地管理法"}
	tests := []struct {
		name   string
		format Format
		data   string
	}{
		{"csv english header", FormatCSV, "id,category,question,similar,answer,basis\n" +
			"a,分类,问题？,相似,答,不动产登记暂行条例#第十四条|土地管理法\n"},
		{"csv chinese header", FormatCSV, "编号,分类,标准问题,相似问题,答案,政策依据\n" +
			"a,分类,问题？,相似,答, 不动产登记暂行条例#第十四条 ｜土地管理法|\n"},
		{"jsonl", FormatJSONL, `{"id":"a","question":"问题？","answer":"答","basis":["不动产登记暂行条例#第十四条","土地管理法"]}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeString(t, tt.format, tt.data)
			if err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			if len(got) != 1 || !reflect.DeepEqual(got[0].Basis, want) {
				t.Errorf("got %#v, want one entry with basis %v", got, want)
			}
		})
	}
}

func TestDecodeBasisProblems(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		data   string
		want   []wantProblem
	}{
		{"csv bad article", FormatCSV, "id,category,question,similar,answer,basis\n" +
			"a,分类,问题？,相似,答,土地管理法#四十四\n", []wantProblem{{2, "basis", "条文序号无效"}}},
		{"jsonl basis not a list", FormatJSONL, `{"id":"a","question":"问","answer":"答","basis":"土地管理法"}` + "\n",
			[]wantProblem{{1, "basis", "字符串数组"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeString(t, tt.format, tt.data)
			checkProblems(t, err, tt.want)
		})
	}
}
