package bot

import (
	"strings"
	"testing"
)

func TestDefaultReferralsMatch(t *testing.T) {
	rs, err := DefaultReferrals()
	if err != nil {
		t.Fatalf("DefaultReferrals: %v", err)
	}
	tests := []struct {
		name, question, want string
	}{
		{"social security", "社保怎么交", "人力资源和社会保障部门"},
		{"medical insurance", "医保卡丢了怎么办", "医疗保障部门"},
		{"provident fund", "住房公积金怎么提取", "住房公积金管理中心"},
		{"household register", "户口 迁移去哪办", "公安部门"},
		{"own business", "不动产登记要带什么", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, ok := rs.Match(tt.question)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("Match(%q): got %q %v, want %q", tt.question, got, ok, tt.want)
			}
		})
	}
}

func TestParseReferralsRejects(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"no separator", "公安部门 户口", "missing"},
		{"no terms", "公安部门 |  # 空", "no terms"},
		{"long term", "公安部门 | " + strings.Repeat("户", 21), "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseReferrals(strings.NewReader(tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseReferrals(%q): got %v, want an error with %q", tt.text, err, tt.want)
			}
		})
	}
}

func FuzzParseReferrals(f *testing.F) {
	f.Add(embeddedReferrals)
	f.Add("公安部门 | 户口\n# comment\n\n")
	f.Add("|")
	f.Fuzz(func(t *testing.T, text string) {
		rs, err := ParseReferrals(strings.NewReader(text))
		if err != nil {
			return
		}
		for _, r := range rs {
			if r.Department == "" || len(r.Terms) == 0 {
				t.Errorf("parsed %+v: want a department and terms", r)
			}
		}
		rs.Match(text)
	})
}
