package kb

import (
	"regexp"
	"strings"
	"testing"
)

var shippedCategories = map[string]bool{
	"不动产登记": true, "规划许可": true, "土地管理": true, "宅基地": true,
	"矿业权": true, "测绘地理信息": true, "地质灾害": true, "窗口服务": true,
}

// shippedIDPattern matches lowercase ASCII letters and digits in words
// joined by hyphens.
var shippedIDPattern = regexp.MustCompile(`^[a-z]+(-[a-z0-9]+)+$`)

func TestShipped(t *testing.T) {
	entries, err := Shipped()
	if err != nil {
		t.Fatalf("Shipped: %v", err)
	}
	if len(entries) < 160 {
		t.Errorf("got %d entries, want at least 160", len(entries))
	}

	perCategory := map[string]int{}
	phrasings := map[string]string{}
	for _, e := range entries {
		perCategory[e.Category]++
		if !shippedCategories[e.Category] {
			t.Errorf("%s: got category %q, want one of the eight domains", e.ID, e.Category)
		}
		if !shippedIDPattern.MatchString(e.ID) {
			t.Errorf("%s: id does not match %s", e.ID, shippedIDPattern)
		}
		if n := len(e.Similar); n < 10 || n > 14 {
			t.Errorf("%s: got %d similar phrasings, want 10 to 14", e.ID, n)
		}
		if n := strings.Count(e.Answer, "。"); n < 2 || n > 6 {
			t.Errorf("%s: got %d sentences in the answer, want 2 to 6", e.ID, n)
		}
		for _, p := range append([]string{e.Question}, e.Similar...) {
			if other, dup := phrasings[p]; dup {
				t.Errorf("%s: phrasing %q also belongs to %s", e.ID, p, other)
			}
			phrasings[p] = e.ID
		}
	}
	for c := range shippedCategories {
		if perCategory[c] < 10 {
			t.Errorf("category %s: got %d entries, want at least 10", c, perCategory[c])
		}
	}
}

// TestShippedNeighbours checks that matters citizens confuse have entries
// of their own, each using its own key term.
func TestShippedNeighbours(t *testing.T) {
	entries, err := Shipped()
	if err != nil {
		t.Fatalf("Shipped: %v", err)
	}
	byID := make(map[string]Entry, len(entries))
	for _, e := range entries {
		byID[e.ID] = e
	}
	pairs := []struct {
		id, term string
	}{
		{"bdc-dydj-001", "抵押登记"},
		{"bdc-dyzx-001", "注销"},
		{"gh-jsydxk-001", "建设用地规划许可证"},
		{"gh-jsgcxk-001", "建设工程规划许可证"},
		{"gh-xcjs-001", "乡村建设规划许可证"},
		{"kyq-ckyx-001", "延续"},
		{"kyq-ckbg-001", "变更"},
		{"bdc-bz-001", "补发"},
		{"bdc-hz-001", "换发"},
		{"bdc-zydj-jc-001", "继承"},
		{"bdc-zydj-zy-001", "赠与"},
		{"bdc-cx-br-001", "本人"},
		{"bdc-cx-tr-001", "利害关系人"},
	}
	for _, p := range pairs {
		e, ok := byID[p.id]
		if !ok {
			t.Errorf("missing entry %s", p.id)
			continue
		}
		if !strings.Contains(e.Question+e.Answer, p.term) {
			t.Errorf("%s: got no %q in question or answer", p.id, p.term)
		}
	}
}

func TestShippedFreshSlice(t *testing.T) {
	a, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	a[0].Answer = "changed"
	b, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	if b[0].Answer == "changed" {
		t.Error("got a change to one Shipped result in the next, want independent slices")
	}
}
