package kbadmin

import (
	"reflect"
	"strings"
	"testing"
)

func TestSummaryParts(t *testing.T) {
	tests := []struct {
		name    string
		summary string
		want    []summaryPart
	}{
		{
			name:    "plain text",
			summary: "答案已修改",
			want:    []summaryPart{{Items: []summaryItem{{"text", "答案已修改"}}}},
		},
		{
			name:    "list with added and removed items",
			summary: "相似问法：+证书丢了，−证书坏了",
			want: []summaryPart{{Label: "相似问法", Items: []summaryItem{
				{"add", "+证书丢了"}, {"remove", "−证书坏了"},
			}}},
		},
		{
			name:    "phrasing with a comma stays one item",
			summary: "相似问法：+你好，证书丢了，−旧问法",
			want: []summaryPart{{Label: "相似问法", Items: []summaryItem{
				{"add", "+你好，证书丢了"}, {"remove", "−旧问法"},
			}}},
		},
		{
			name:    "count of hidden items is its own piece",
			summary: "所需材料：+甲，等 7 处",
			want: []summaryPart{{Label: "所需材料", Items: []summaryItem{
				{"add", "+甲"}, {"text", "等 7 处"},
			}}},
		},
		{
			name:    "several fields",
			summary: "分类：（无） → 不动产登记；答案已修改",
			want: []summaryPart{
				{Label: "分类", Items: []summaryItem{{"text", "（无） → 不动产登记"}}},
				{Items: []summaryItem{{"text", "答案已修改"}}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summaryParts(tt.summary); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("summaryParts(%q): got %+v, want %+v", tt.summary, got, tt.want)
			}
		})
	}
}

// joinParts is the inverse of summaryParts.
func joinParts(parts []summaryPart) string {
	fields := make([]string, len(parts))
	for i, p := range parts {
		texts := make([]string, len(p.Items))
		for j, it := range p.Items {
			texts[j] = it.Text
		}
		fields[i] = strings.Join(texts, "，")
		if p.Label != "" {
			fields[i] = p.Label + "：" + fields[i]
		}
	}
	return strings.Join(fields, "；")
}

// FuzzSummaryParts checks that splitting a summary loses no text, because
// summaries embed phrasings staff typed.
func FuzzSummaryParts(f *testing.F) {
	for _, s := range []string{"", "答案已修改", "相似问法：+甲，乙，−丙；答案已修改", "：，；+−", "等 3 处"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, summary string) {
		if got := joinParts(summaryParts(summary)); got != summary {
			t.Errorf("joined parts of %q: got %q", summary, got)
		}
	})
}
