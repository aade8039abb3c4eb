package policy

import (
	"context"
	"testing"
)

// TestSearchIgnoresQuerySyntax sends bleve query-string syntax as search
// text. The text is analysed as words, never parsed as a query, so field
// names, operators and wildcards neither fail nor widen or narrow the
// search.
func TestSearchIgnoresQuerySyntax(t *testing.T) {
	lib := searchLibrary(t)
	tests := []struct {
		name, text string
		wantNone   bool
	}{
		{"field filter", "status:已废止", true},
		{"doc field", "doc:旧登记办法", false},
		{"wildcard", "*", true},
		{"regexp", "/.*/", true},
		{"boolean operators", "+抵押 -登记 AND OR NOT", false},
		{"unbalanced quote and brackets", `"抵押 (登记 [ {`, false},
		{"fuzzy and boost", "抵押~2^10", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := lib.Search(context.Background(), Query{Text: tt.text})
			if err != nil {
				t.Fatalf("Search(%q): got error %v, want none", tt.text, err)
			}
			if tt.wantNone && res.Total != 0 {
				t.Errorf("Search(%q): got %d hits %v, want none", tt.text, res.Total, hitRefs(res))
			}
		})
	}
}

// TestSearchIssuerFilterIsExact checks that an issuer filter with query
// syntax matches no issuer rather than all of them.
func TestSearchIssuerFilterIsExact(t *testing.T) {
	lib := searchLibrary(t)
	for _, issuer := range []string{"*", "自然资源*", "自然资源部 OR 湖南省人民政府", `"自然资源部"`} {
		res, err := lib.Search(context.Background(), Query{Issuer: issuer})
		if err != nil {
			t.Fatalf("Search(issuer %q): got error %v, want none", issuer, err)
		}
		if res.Total != 0 {
			t.Errorf("Search(issuer %q): got %d hits, want none", issuer, res.Total)
		}
	}
}
