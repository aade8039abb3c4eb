package policy

import (
	"context"
	"testing"
)

func TestSearchRanksInForceFirst(t *testing.T) {
	lib, _ := newTestLibrary(t)
	dir := t.TempDir()
	text := "开采矿产资源，必须依法申请登记，取得采矿权。"
	docs := []testDoc{
		{id: "a-old-law", title: "矿产资源法", status: "已修订", articles: []string{text}},
		{id: "b-new-law", title: "矿产资源法", articles: []string{text}},
		{id: "c-repealed", title: "矿产资源法", status: "已废止", articles: []string{text}},
	}
	writeFolderSource(t, dir, docs, nil)
	mustRunFolder(t, lib, dir)

	res, err := lib.Search(context.Background(), Query{Text: "矿产资源法"})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if len(res.Hits) != 3 {
		t.Fatalf("hits: got %d, want 3: %v", len(res.Hits), hitRefs(res))
	}
	if got := res.Hits[0].Status; got != StatusInForce {
		t.Errorf("first hit status: got %s (%s), want 现行有效; order %v", got, res.Hits[0].DocID, hitRefs(res))
	}
	for _, h := range res.Hits[1:] {
		if h.Status == StatusInForce {
			t.Errorf("hit %s: got 现行有效 after the first hit, want it first", h.DocID)
		}
	}
}
