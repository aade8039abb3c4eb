package bot

import (
	"os"
	"path/filepath"
	"testing"
)

// TestNearNeighboursOnUnseenKB asks unseen set a, a knowledge base the
// team did not write, questions that only the words that differ between
// two neighbouring entries can separate, in the forms citizens type them:
// short, with homophone typos, full-width letters or emoji. The questions
// are written for this test and are not in the set's questions.jsonl.
func TestNearNeighboursOnUnseenKB(t *testing.T) {
	path := filepath.Join("testdata", "unseen", "a", "kb.csv")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("unseen set a missing: %v", err)
	}
	e := newTestEngine(t, loadKBFile(t, path), Options{})
	tests := []struct {
		name string
		q    string
		want string
	}{
		{"mortgage registration", "贷款买房办抵押登记", "NR-BDC-09"},
		{"mortgage release", "贷款还完了抵押怎么注销", "NR-BDC-10"},
		{"mortgage change", "抵押的金额变了要改登记吗", "NR-BDC-11"},
		{"land-use planning permit", "出让地的建设用地规划许可证怎么办", "NR-GH-03"},
		{"works planning permit", "建设工程规划许可证怎么申请", "NR-GH-05"},
		{"mining licence renewal", "采矿证快到期了怎么续", "NR-KY-02"},
		{"mining licence change", "采矿权要变更开采矿种", "NR-KY-03"},
		{"lost certificate", "房产证弄丢了咋办", "NR-BDC-16"},
		{"damaged certificate", "房产证被水泡烂了能换吗", "NR-BDC-17"},
		{"inheritance", "老爸去世了房子怎么过户给我", "NR-BDC-05"},
		{"gift", "想把房子送给女儿", "NR-BDC-06"},
		{"own records", "查一下我自己名下有几套房", "NR-BDC-19"},
		{"someone else's records", "能查别人名下的房子吗", "NR-BDC-20"},
		{"homophone typo", "低押注销要什么材料", "NR-BDC-10"},
		{"short query", "审图号", "NR-CH-03"},
		{"full-width letters and emoji", "ＡＰＰ上能办不动产登记吗😊", "NR-BDC-34"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.Ask(tt.q)
			if !got.Matched {
				t.Fatalf("Ask(%q) matched nothing (score %.3f), want %s", tt.q, got.Score, tt.want)
			}
			if got.FAQID != tt.want {
				t.Errorf("Ask(%q) matched %s, want %s", tt.q, got.FAQID, tt.want)
			}
		})
	}
}
