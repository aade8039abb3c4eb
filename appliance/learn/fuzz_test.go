package learn

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"wenban/appliance/kb"
)

// FuzzCitizenText feeds arbitrary chat text through the steps that turn
// it into a proposal or a cluster member.
func FuzzCitizenText(f *testing.F) {
	for _, s := range []string{"楼下那块空坪能不能起屋", "二手房｜过户\n要啥", "　ＡＢＣ？？", "\x00\xff", "🏠🏠 房本丢了", ""} {
		f.Add(s, "房本丢了咋整")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		cleaned := cleanPhrasing(a)
		if strings.ContainsAny(cleaned, "|｜") || strings.IndexFunc(cleaned, unicode.IsControl) >= 0 {
			t.Errorf("cleanPhrasing(%q) = %q keeps a separator or control character", a, cleaned)
		}
		if cleaned != strings.TrimSpace(cleaned) {
			t.Errorf("cleanPhrasing(%q) = %q has surrounding space", a, cleaned)
		}
		if utf8.ValidString(cleaned) && usablePhrasing(cleaned) {
			e := kb.Entry{ID: "x", Question: "问题", Similar: []string{cleaned}, Answer: "答案"}
			if err := e.Validate(); err != nil {
				t.Errorf("usable phrasing %q fails entry validation: %v", cleaned, err)
			}
		}

		cs := clusterQuestions(questionsOf(a, b, a), []string{b})
		for _, c := range cs {
			if c.Count < MinClusterSize || c.Suggested == "" {
				t.Errorf("cluster %+v is below the minimum size or has no suggestion", c)
			}
		}
	})
}
