package bot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLexiconParseRejectsBadLines(t *testing.T) {
	n, err := newNormalizer()
	if err != nil {
		t.Fatalf("newNormalizer: %v", err)
	}
	tests := []struct {
		name    string
		kind    lexiconKind
		text    string
		wantErr string
	}{
		{"synonym without variant", kindSynonym, "# comment\n不动产权证书\n", "extra.txt:2"},
		{"punctuation inside a term", kindSynonym, "不动产权证书 房本、红本\n", "extra.txt:1"},
		{"term without letters", kindFiller, "您好\n\n！！\n", "extra.txt:3"},
		{"term too long", kindTerm, strings.Repeat("地", maxLexiconTermLen+1) + "\n", "extra.txt:1"},
		{"invalid UTF-8", kindTerm, "宅基地\n\xff\xfe\n", "extra.txt:2"},
		{"variant of two groups", kindSynonym, "转移登记 过户\n变更登记 过户\n", "extra.txt:2"},
		{"valid group", kindSynonym, "过户 过名\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lx := &lexicon{entries: make(map[string]lexiconEntry)}
			err := lx.parse(n, strings.NewReader(tt.text), "extra.txt", tt.kind)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("parse: got error %v, want none", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("parse: got no error, want one naming %s", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parse: got error %q, want it to name %s", err, tt.wantErr)
			}
		})
	}
}

func TestLexiconEmbeddedLoads(t *testing.T) {
	_, lx := loadEmbeddedLexicon(t)
	tests := []struct {
		phrase string
		kind   lexiconKind
		target string
	}{
		{"房本", kindSynonym, "不动产权证书"},
		{"过户", kindSynonym, "转移登记"},
		{"解押", kindSynonym, "抵押注销"},
		{"带啥", kindAskType, "材料"},
		{"请问", kindFiller, ""},
		{"公积金", kindOffTopic, "公积金"},
	}
	for _, tt := range tests {
		e, ok := lx.entries[tt.phrase]
		if !ok {
			t.Errorf("embedded lexicon has no %q", tt.phrase)
			continue
		}
		if e.kind != tt.kind || e.target != tt.target {
			t.Errorf("%q is a %s entry for %q, want a %s entry for %q", tt.phrase, e.kind, e.target, tt.kind, tt.target)
		}
	}
}

func TestLexiconDirExtendsEngine(t *testing.T) {
	dir := t.TempDir()
	extra := "# local names\n不动产权证书 绿皮本 老证本\n"
	if err := os.WriteFile(filepath.Join(dir, "synonyms-local.txt"), []byte(extra), 0o600); err != nil {
		t.Fatalf("writing lexicon file: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("not a lexicon"), 0o600); err != nil {
		t.Fatalf("writing readme: %v", err)
	}

	plain := newFixtureEngine(t)
	extended := newTestEngine(t, fixtureEntries(), Options{LexiconDir: dir})
	q := "绿皮本丢了怎么办"
	if got := extended.Ask(q); got.FAQID != "bz" {
		t.Errorf("with LexiconDir, Ask(%q) matched %q, want bz", q, got.FAQID)
	}
	if hasFeature(plain.analyzeText(q), "t:不动产权证书") {
		t.Errorf("without LexiconDir, %q has the canonical term, want the extra lexicon to be what adds it", q)
	}
}

func TestLexiconDirErrors(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		dir     string
		wantErr string
	}{
		{"unknown file kind", map[string]string{"notes.txt": "房本 红本\n"}, "", "notes.txt"},
		{"bad line", map[string]string{"terms-extra.txt": "宅基地\n房本，红本\n"}, "", "terms-extra.txt:2"},
		{"conflict with embedded", map[string]string{"synonyms-x.txt": "变更登记 过户\n"}, "", "synonyms-x.txt:1"},
		{"missing directory", nil, "does-not-exist", "does-not-exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
					t.Fatalf("writing %s: %v", name, err)
				}
			}
			if tt.dir != "" {
				dir = filepath.Join(dir, tt.dir)
			}
			_, err := New(fixtureEntries(), Options{LexiconDir: dir})
			if err == nil {
				t.Fatalf("New: got no error, want one naming %s", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("New: got error %q, want it to name %s", err, tt.wantErr)
			}
		})
	}
}
