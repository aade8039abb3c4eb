package kb

import (
	"context"
	"errors"
	"strings"
	"testing"

	"wenban/appliance/policy"
)

// openStarterLibrary opens a policy library in a temporary database and
// seeds the starter library into it, as the hub does at its first start.
func openStarterLibrary(t *testing.T) *policy.Library {
	t.Helper()
	lib, err := policy.Open(openTestDB(t), policy.Options{StagingDir: t.TempDir()})
	if err != nil {
		t.Fatalf("policy.Open: %v", err)
	}
	t.Cleanup(func() { lib.Close() })
	if _, err := lib.Seed(context.Background()); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	return lib
}

func TestCheckCitationsShippedResolves(t *testing.T) {
	shipped, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	cited := 0
	for _, e := range shipped {
		cited += len(e.Basis)
	}
	if cited < 50 {
		t.Fatalf("the shipped knowledge base cites %d articles, want at least 50", cited)
	}

	if err := CheckCitations(openStarterLibrary(t), shipped); err != nil {
		t.Errorf("got %v, want every citation of the shipped knowledge base resolved by the starter library", err)
	}
}

func TestCheckCitations(t *testing.T) {
	lib := openStarterLibrary(t)
	entry := func(id string, basis ...string) Entry {
		return Entry{ID: id, Category: "测试", Question: "问题？", Answer: "答案。", Basis: basis}
	}
	tests := []struct {
		name    string
		lib     Citer
		entries []Entry
		want    []wantProblem
	}{
		{"no basis", lib, []Entry{entry("a")}, nil},
		{"whole document", lib, []Entry{entry("a", "土地管理法")}, nil},
		{"article", lib, []Entry{entry("a", "土地管理法#第四十四条")}, nil},
		{"unknown document", lib, []Entry{entry("a"), entry("b", "不存在的法规#第一条")},
			[]wantProblem{{3, "basis", "条目 b：政策依据“不存在的法规#第一条”无效：政策法规库中没有编号为“不存在的法规”的文件"}}},
		{"unknown article", lib, []Entry{entry("a", "土地管理法#第九百九十九条")},
			[]wantProblem{{2, "basis", "《中华人民共和国土地管理法》中没有第九百九十九条"}}},
		{"invalid form left to ValidateAll", lib, []Entry{entry("a", "#第一条")}, nil},
		{"no library", nil, []Entry{entry("a", "不存在的法规")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckCitations(tt.lib, tt.entries)
			if tt.want == nil {
				if err != nil {
					t.Errorf("got %v, want nil", err)
				}
				return
			}
			checkProblems(t, err, tt.want)
		})
	}
}

func TestCheckCitationsTruncates(t *testing.T) {
	entries := make([]Entry, MaxProblems+1)
	for i := range entries {
		entries[i] = Entry{ID: "a", Basis: []string{"不存在的法规"}}
	}

	err := CheckCitations(openStarterLibrary(t), entries)
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("got %v, want *ImportError", err)
	}
	if len(ie.Problems) != MaxProblems || !ie.Truncated {
		t.Errorf("got %d problems, truncated %v; want %d, truncated", len(ie.Problems), ie.Truncated, MaxProblems)
	}
	if !strings.Contains(ie.Error(), "只列出前") {
		t.Errorf("got %q, want the truncation noted", ie.Error())
	}
}
