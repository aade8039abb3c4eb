package policy

import (
	"testing"
)

func TestCite(t *testing.T) {
	lib := searchLibrary(t)
	tests := []struct {
		ref       string
		found     bool
		status    string
		url       string
		article   string
		wantTitle string
	}{
		{"征收办法#第二条", true, "现行有效", "/policy/doc/%E5%BE%81%E6%94%B6%E5%8A%9E%E6%B3%95#art-2", "第二条", "土地征收管理办法"},
		{"征收办法#第2条", true, "现行有效", "/policy/doc/%E5%BE%81%E6%94%B6%E5%8A%9E%E6%B3%95#art-2", "第二条", "土地征收管理办法"},
		{"旧登记办法#第一条", true, "已废止", "/policy/doc/%E6%97%A7%E7%99%BB%E8%AE%B0%E5%8A%9E%E6%B3%95#art-1", "第一条", "旧不动产登记办法"},
		{"征收办法", true, "现行有效", "/policy/doc/%E5%BE%81%E6%94%B6%E5%8A%9E%E6%B3%95", "", "土地征收管理办法"},
		{"征收办法#第九条", false, "现行有效", "/policy/doc/%E5%BE%81%E6%94%B6%E5%8A%9E%E6%B3%95", "第九条", "土地征收管理办法"},
		{"没有的法#第一条", false, "", "", "第一条", ""},
		{"坏的引用#十", false, "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			c := lib.Cite([]string{tt.ref})[0]
			if c.Found != tt.found {
				t.Errorf("Found: got %v, want %v", c.Found, tt.found)
			}
			if c.Status != tt.status {
				t.Errorf("Status: got %q, want %q", c.Status, tt.status)
			}
			if c.URL != tt.url {
				t.Errorf("URL: got %q, want %q", c.URL, tt.url)
			}
			if c.Article != tt.article {
				t.Errorf("Article: got %q, want %q", c.Article, tt.article)
			}
			if c.Title != tt.wantTitle {
				t.Errorf("Title: got %q, want %q", c.Title, tt.wantTitle)
			}
		})
	}
}
