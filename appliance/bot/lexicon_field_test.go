package bot

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mozillazg/go-pinyin"
)

// TestFieldLexicon checks groups of the embedded lexicon that cover the
// field in general: colloquial and short names of certificates and
// procedures, anchors of other offices' matters, and words that must
// count for the matter rather than against it.
func TestFieldLexicon(t *testing.T) {
	n, lx := loadEmbeddedLexicon(t)
	sg := newSegmenter(lx)
	tests := []struct {
		name  string
		text  string
		kind  pieceKind
		piece string
	}{
		{"short name of the works permit", "工规证", pieceTerm, "建设工程规划许可证"},
		{"short name of the land-use permit", "用规证", pieceTerm, "建设用地规划许可证"},
		{"new flat", "一手楼", pieceTerm, "商品房"},
		{"court freeze", "冻结", pieceTerm, "查封登记"},
		{"lifting a seizure", "解封", pieceTerm, "解除查封"},
		{"temporary building", "活动板房", pieceTerm, "临时建筑"},
		{"report hotline", "12336", pieceTerm, "举报"},
		{"mortgage with a loan left", "带押过户", pieceTerm, "带押过户"},
		{"right of residence", "终身居住", pieceTerm, "居住权"},
		{"mining right transfer", "转手", pieceTerm, "转让"},
		{"closed mine", "闭坑", pieceTerm, "关闭矿山"},
		{"social security of farmers whose land was taken", "被征地农民社保", pieceTerm, "被征地农民社会保障"},
		{"urban household", "城镇户口", pieceTerm, "城镇居民"},
		{"household register lost", "户口本丢了", pieceOffTopic, "户口本丢了"},
		{"new-born registration", "上户口", pieceOffTopic, "上户口"},
		{"progress", "有没有办完", pieceAskType, "进度"},
		{"materials by a vague word", "什么东西", pieceAskType, "材料"},
		{"english mortgage", "Mortgage", pieceTerm, "抵押"},
		{"english landslide", "landslide", pieceTerm, "地质灾害"},
		{"english fee", "fees", pieceAskType, "收费"},
		{"english off-topic", "passport", pieceOffTopic, "passport"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pieces := sg.segment(n.normalize(tt.text))
			if len(pieces) != 1 {
				t.Fatalf("segment(%q) = %+v, want one piece", tt.text, pieces)
			}
			if pieces[0].kind != tt.kind || pieces[0].text != tt.piece {
				t.Errorf("segment(%q) = kind %d %q, want kind %d %q", tt.text, pieces[0].kind, pieces[0].text, tt.kind, tt.piece)
			}
		})
	}
}

// TestFieldLexiconSparesHallWords checks words that questions about the
// hall's own matters use, which no off-topic or ask-type list may claim.
// They are a lawsuit after an objection, a sign-up for a land auction, a
// transfer of contracted land and the number of an ID card.
func TestFieldLexiconSparesHallWords(t *testing.T) {
	_, lx := loadEmbeddedLexicon(t)
	for _, phrase := range []string{"起诉", "报名", "承包地流转", "土地承包经营权流转"} {
		if e, ok := lx.entries[phrase]; ok && e.kind == kindOffTopic {
			t.Errorf("%q is an off-topic term, want it free for the hall's matters", phrase)
		}
	}
	if e, ok := lx.entries["号码"]; ok && e.kind == kindAskType {
		t.Errorf("号码 is an ask-type phrase for %q, want it free for 身份证号码", e.target)
	}
}

func TestReadingsOfMatchesPinyin(t *testing.T) {
	for _, r := range "厂押登记行" {
		want := pinyin.SinglePinyin(r, pinyinArgs)
		got := readingsOf(r)
		again := readingsOf(r)
		if len(got) != len(want) || len(again) != len(want) {
			t.Fatalf("readingsOf(%q) = %v then %v, want %v", r, got, again, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("readingsOf(%q)[%d] = %q, want %q", r, i, got[i], want[i])
			}
		}
	}
}

func TestUniqueTokens(t *testing.T) {
	tests := []struct {
		name  string
		texts []string
		want  string
	}{
		{"empty", nil, ""},
		{"duplicates across texts", []string{"b:抵押 t:抵押", "t:抵押 p:di-ya"}, "b:抵押 t:抵押 p:di-ya"},
		{"blank text", []string{"", "a:材料"}, "a:材料"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := uniqueTokens(tt.texts); got != tt.want {
				t.Errorf("uniqueTokens(%q) = %q, want %q", tt.texts, got, tt.want)
			}
		})
	}
}

// TestSegmentKeepsASCIIWordsWhole checks that a lexicon phrase is never
// found inside a longer run of ASCII letters or digits.
func TestSegmentKeepsASCIIWordsWhole(t *testing.T) {
	n, lx := loadEmbeddedLexicon(t)
	sg := newSegmenter(lx)
	tests := []struct {
		name string
		text string
		want string // pieces as kind:text, space-separated
	}{
		{"off-topic word inside a longer word", "card", "0:card"},
		{"whole word next to chinese", "car过户", "3:car 1:转移登记"},
		{"hotline inside a longer number", "123367", "0:123367"},
		{"hotline before chinese", "12336举报", "1:举报"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range sg.segment(n.normalize(tt.text)) {
				got = append(got, fmt.Sprintf("%d:%s", p.kind, p.text))
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("segment(%q) = %s, want %s", tt.text, strings.Join(got, " "), tt.want)
			}
		})
	}
}
