package policy

import (
	"context"
	"strings"
	"testing"
)

func searchLibrary(t *testing.T) *Library {
	t.Helper()
	lib, _ := newTestLibrary(t)
	dir := t.TempDir()
	docs := append([]testDoc(nil), baseDocs...)
	docs = append(docs, testDoc{id: "旧登记办法", title: "旧不动产登记办法", issuer: "原国土资源部",
		status: "已废止", articles: []string{"抵押登记由登记机构办理。"}})
	writeFolderSource(t, dir, docs, nil)
	mustRunFolder(t, lib, dir)
	return lib
}

func hitRefs(res Results) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, articleKey(h.DocID, h.Article.Number))
	}
	return out
}

func TestSearchTwoCharacterWord(t *testing.T) {
	lib := searchLibrary(t)
	tests := []struct {
		name, text, want string
	}{
		{"word inside a sentence", "征收", "征收办法#第一条"},
		{"word at the end", "补偿", "征收办法#第二条"},
		{"single character", "矿", "湖南矿产办法#第一条"},
		{"longer phrase", "抵押登记", "登记细则#第二条"},
		{"title word", "细则", "登记细则#第一条"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := lib.Search(context.Background(), Query{Text: tt.text})
			if err != nil {
				t.Fatalf("Search: %v", err)
			}
			refs := hitRefs(res)
			found := false
			for _, r := range refs {
				found = found || r == tt.want
			}
			if !found {
				t.Errorf("Search(%q): got hits %v, want %s among them", tt.text, refs, tt.want)
			}
		})
	}
}

func TestSearchNoMatch(t *testing.T) {
	lib := searchLibrary(t)
	res, err := lib.Search(context.Background(), Query{Text: "公积金"})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if res.Total != 0 {
		t.Errorf("Search(公积金): got %d hits %v, want 0", res.Total, hitRefs(res))
	}
}

func TestSearchHighlights(t *testing.T) {
	lib := searchLibrary(t)
	res, err := lib.Search(context.Background(), Query{Text: "补偿"})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if len(res.Hits) == 0 {
		t.Fatal("Search(补偿): got no hits, want one")
	}
	snippet := res.Hits[0].Snippet
	if !strings.Contains(snippet, "<mark>补偿</mark>") {
		t.Errorf("snippet: got %q, want it to contain <mark>补偿</mark>", snippet)
	}
}

func TestSearchEscapesSnippets(t *testing.T) {
	lib, _ := newTestLibrary(t)
	dir := t.TempDir()
	writeFolderSource(t, dir, []testDoc{{id: "脚本", title: "测试", articles: []string{"<script>alert(1)</script> 征收"}}}, nil)
	mustRunFolder(t, lib, dir)

	res, err := lib.Search(context.Background(), Query{Text: "征收"})
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("Search: got %d hits, %v, want 1", len(res.Hits), err)
	}
	if strings.Contains(res.Hits[0].Snippet, "<script>") {
		t.Errorf("snippet: got %q, want the markup escaped", res.Hits[0].Snippet)
	}
}

func TestSearchFilters(t *testing.T) {
	lib := searchLibrary(t)
	tests := []struct {
		name  string
		q     Query
		first string
	}{
		{"status in force", Query{Text: "抵押登记", Status: StatusInForce}, "登记细则#第二条"},
		{"status repealed", Query{Text: "抵押登记", Status: StatusRepealed}, "旧登记办法#第一条"},
		{"issuer", Query{Text: "本办法", Issuer: "湖南省人民政府"}, "湖南矿产办法#第一条"},
		{"issuer without text", Query{Issuer: "原国土资源部"}, "旧登记办法#第一条"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := lib.Search(context.Background(), tt.q)
			if err != nil {
				t.Fatalf("Search: %v", err)
			}
			if len(res.Hits) == 0 {
				t.Fatalf("Search(%+v): got no hits, want %s first", tt.q, tt.first)
			}
			if got := hitRefs(res)[0]; got != tt.first {
				t.Errorf("Search(%+v): got %s first, want %s", tt.q, got, tt.first)
			}
			for _, h := range res.Hits {
				if tt.q.Status != StatusUnknown && h.Status != tt.q.Status {
					t.Errorf("hit %s: got status %s, want %s", h.DocID, h.Status, tt.q.Status)
				}
				if tt.q.Issuer != "" && h.Issuer != tt.q.Issuer {
					t.Errorf("hit %s: got issuer %s, want %s", h.DocID, h.Issuer, tt.q.Issuer)
				}
				if tt.q.Level != LevelUnknown && h.Level != tt.q.Level {
					t.Errorf("hit %s: got level %s, want %s", h.DocID, h.Level, tt.q.Level)
				}
			}
		})
	}
}

func TestSearchLevelFilter(t *testing.T) {
	lib := searchLibrary(t)
	tests := []struct {
		level   Level
		wantAny bool
	}{
		{LevelDepartment, true},
		{LevelLaw, false},
	}
	for _, tt := range tests {
		t.Run(tt.level.String(), func(t *testing.T) {
			res, err := lib.Search(context.Background(), Query{Text: "登记", Level: tt.level})
			if err != nil {
				t.Fatalf("Search: %v", err)
			}
			if got := res.Total > 0; got != tt.wantAny {
				t.Errorf("Search(登记, %s): got %d hits, want hits: %v", tt.level, res.Total, tt.wantAny)
			}
		})
	}
}

func TestSearchFacets(t *testing.T) {
	lib := searchLibrary(t)
	res, err := lib.Search(context.Background(), Query{Text: "登记"})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	counts := map[string]int{}
	for _, f := range res.Facets.Status {
		counts[f.Value] = f.Count
	}
	if counts["现行有效"] != 2 || counts["已废止"] != 1 {
		t.Errorf("status facets: got %v, want 现行有效:2 已废止:1", res.Facets.Status)
	}
	issuers := map[string]int{}
	for _, f := range res.Facets.Issuer {
		issuers[f.Value] = f.Count
	}
	if issuers["自然资源部"] != 2 || issuers["原国土资源部"] != 1 {
		t.Errorf("issuer facets: got %v, want 自然资源部:2 原国土资源部:1", res.Facets.Issuer)
	}
}

func TestSearchRejectsLongQuery(t *testing.T) {
	lib := searchLibrary(t)
	_, err := lib.Search(context.Background(), Query{Text: strings.Repeat("地", MaxQueryRunes+1)})
	if err == nil {
		t.Error("Search: got no error for an over-long query, want one")
	}
}
