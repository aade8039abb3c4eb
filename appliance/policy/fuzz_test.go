package policy

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/parse/*.md")
	for _, path := range seeds {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(validHeader + "第一条 内容\n第二章 其他\n第二条\n"))
	f.Add([]byte("---\n---\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(data)
		if err != nil {
			return
		}
		if len(doc.Articles) == 0 {
			t.Fatal("accepted a document without articles")
		}
		last := 0
		for _, a := range doc.Articles {
			if a.Ordinal <= last {
				t.Fatalf("article %s (%d) follows ordinal %d", a.Number, a.Ordinal, last)
			}
			last = a.Ordinal
			if a.Text == "" || !utf8.ValidString(a.Text) {
				t.Fatalf("article %s has empty or invalid text", a.Number)
			}
			if utf8.RuneCountInString(a.Text) > MaxArticleRunes+1 {
				t.Fatalf("article %s has %d runes, more than the limit", a.Number, utf8.RuneCountInString(a.Text))
			}
		}
		if checkID(doc.ID) != "" {
			t.Fatalf("accepted invalid id %q", doc.ID)
		}
	})
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`{"format":1,"documents":[{"id":"a","version":"1","sha256":"` +
		"0000000000000000000000000000000000000000000000000000000000000000" + `","path":"docs/a.md"}]}`))
	f.Add([]byte(`{"format":1,"documents":[{"id":"a","version":"1","sha256":"x","path":"../a.md"}]}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			return
		}
		for _, e := range m.Documents {
			if reason := checkPath(e.Path); reason != "" {
				t.Fatalf("accepted path %q: %s", e.Path, reason)
			}
			if !filepath.IsLocal(e.Path) {
				t.Fatalf("accepted non-local path %q", e.Path)
			}
		}
	})
}
