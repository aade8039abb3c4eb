package bot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wenban/appliance/kb"
)

func TestParseMatters(t *testing.T) {
	text := "# 匹配事项目录\n\n# 事项：预告登记\n= 购买期房如何办理预告登记？\n- 房子还没建好，怎么防止开发商又卖给别人\n- 期房网签后还要登记吗\n\n# 事项：抵押注销\n= 抵押权注销登记怎么办理？\n= 房贷还清后如何解除抵押？\n- 贷款还完了怎么去掉抵押\n"
	ms, err := parseMatters(strings.NewReader(text), "matters-test.txt")
	if err != nil {
		t.Fatalf("parseMatters: %v", err)
	}
	if len(ms) != 2 {
		t.Fatalf("got %d matters, want 2", len(ms))
	}
	if ms[0].name != "预告登记" || len(ms[0].standard) != 1 || len(ms[0].phrasings) != 2 {
		t.Errorf("first matter: got %q with %d standard and %d phrasings, want 预告登记 with 1 and 2", ms[0].name, len(ms[0].standard), len(ms[0].phrasings))
	}
	if ms[1].name != "抵押注销" || len(ms[1].standard) != 2 || len(ms[1].phrasings) != 1 {
		t.Errorf("second matter: got %q with %d standard and %d phrasings, want 抵押注销 with 2 and 1", ms[1].name, len(ms[1].standard), len(ms[1].phrasings))
	}
	if ms[1].source != "matters-test.txt:8" {
		t.Errorf("got source %q, want matters-test.txt:8", ms[1].source)
	}
}

func TestParseMattersRejects(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string
	}{
		{"question before any matter", "- 房子还没建好\n", "before any"},
		{"matter without standard question", "# 事项：预告登记\n- 房子还没建好\n", "no standard question"},
		{"last matter without standard question", "# 事项：甲\n= 问题一\n# 事项：乙\n- 问法\n", "\"乙\" has no standard question"},
		{"matter without name", "# 事项：\n= 问题\n", "no name"},
		{"line of unknown kind", "# 事项：甲\n= 问题\n* 问法\n", "must start with"},
		{"empty question", "# 事项：甲\n= \n", "empty question"},
		{"question too long", "# 事项：甲\n= " + strings.Repeat("房", maxMatterLine+1) + "\n", "longer than"},
		{"invalid utf-8", "# 事项：甲\n= \xff\n", "invalid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseMatters(strings.NewReader(tt.text), "m.txt")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func FuzzParseMatters(f *testing.F) {
	f.Add("# 事项：甲\n= 问题\n- 问法\n")
	f.Add("- 问法\n")
	f.Add("# 事项：\n")
	f.Fuzz(func(t *testing.T, text string) {
		ms, err := parseMatters(strings.NewReader(text), "fuzz.txt")
		if err != nil {
			return
		}
		for _, m := range ms {
			if m.name == "" || len(m.standard) == 0 {
				t.Fatalf("parsed matter %+v without a name or a standard question", m)
			}
		}
	})
}

func TestEmbeddedCatalogueLoads(t *testing.T) {
	n, err := newNormalizer()
	if err != nil {
		t.Fatal(err)
	}
	lx, err := loadLexicon(n, "")
	if err != nil {
		t.Fatalf("loadLexicon: %v", err)
	}
	if len(lx.matters) < 100 {
		t.Errorf("got %d catalogue matters, want at least 100", len(lx.matters))
	}
	names := make(map[string]string)
	for _, m := range lx.matters {
		if len(m.phrasings) < 10 {
			t.Errorf("matter %q at %s has %d phrasings, want at least 10", m.name, m.source, len(m.phrasings))
		}
		if at, dup := names[m.name]; dup {
			t.Errorf("matter %q at %s repeats the one at %s", m.name, m.source, at)
		}
		names[m.name] = m.source
	}
}

// catalogueKB is a small knowledge base whose entries name their matters
// by the official terms only, so a question that describes a situation
// in other words reaches the right one through the catalogue.
func catalogueKB() []kb.Entry {
	return []kb.Entry{
		{ID: "yg", Question: "购买期房如何办理预告登记？", Answer: "买卖双方可以申请预告登记。"},
		{ID: "dyzx", Question: "抵押权注销登记怎么办理？", Answer: "债务履行完毕后申请注销。"},
		{ID: "ersf", Question: "二手房买卖如何办理转移登记？", Answer: "买卖双方共同申请转移登记。"},
		{ID: "bz", Question: "不动产权证书遗失如何补办？", Answer: "登报声明作废后申请补发。"},
	}
}

func writeMatters(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "matters-test.txt"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestCatalogueRoutesDescribedSituation(t *testing.T) {
	dir := writeMatters(t, "# 事项：测试用期房保护\n= 购买期房如何办理预告登记？\n- 楼还没封顶，怎么保障我买的那套房子不被卖给别人\n- 怕开发商一套房卖两家怎么保护自己\n")
	const q = "交了首付楼还没封顶，怎么保障我买的那套"

	// Without the catalogue's part in ranking and confidence the question
	// shares too little with the entry to be answered.
	savedWeight, savedStrength := catalogueWeight, routeAcceptStrength
	catalogueWeight, routeAcceptStrength = 0, 2
	off := newTestEngine(t, catalogueKB(), Options{LexiconDir: dir}).Ask(q)
	catalogueWeight, routeAcceptStrength = savedWeight, savedStrength
	if off.Matched && off.FAQID == "yg" {
		t.Fatalf("without the catalogue got yg (score %.3f); the test question is too easy", off.Score)
	}

	e := newTestEngine(t, catalogueKB(), Options{LexiconDir: dir})
	if e.catalogue == nil {
		t.Fatal("engine has no catalogue")
	}
	res := e.Ask(q)
	if !res.Matched || res.FAQID != "yg" {
		t.Errorf("got matched %v %q (score %.3f), want yg", res.Matched, res.FAQID, res.Score)
	}
}

func TestCatalogueSplitMatterHasNoOwner(t *testing.T) {
	// Two entries with the same standard question both match the matter,
	// so its phrasings cannot say which one a question means.
	entries := append(catalogueKB(), kb.Entry{ID: "yg2", Question: "购买期房如何办理预告登记？", Answer: "另一条。"})
	dir := writeMatters(t, "# 事项：测试用一房二卖\n= 购买期房如何办理预告登记？\n- 怕开发商一套房卖两家怎么保护自己\n")
	e := newTestEngine(t, entries, Options{LexiconDir: dir})

	for m, owner := range e.catalogue.owner {
		if owner >= 0 && (e.entries[owner].ID == "yg" || e.entries[owner].ID == "yg2") {
			t.Errorf("matter %d belongs to %s, want no owner for a split matter", m, e.entries[owner].ID)
		}
	}
}

func TestCatalogueLiftSkipsOffTopic(t *testing.T) {
	e := newTestEngine(t, catalogueKB(), Options{})
	res := e.Ask("社保卡丢了怎么补办")
	if res.Matched {
		t.Errorf("got a match %q (score %.3f) for another office's matter, want none", res.FAQID, res.Score)
	}
}
