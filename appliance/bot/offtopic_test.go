package bot

import "testing"

// TestOffTopicAnchorsOnShippedKB checks the anchor terms of other
// departments' matters in lexicon/offtopic.txt. A question that shares
// generic words such as 登记, 材料, 预约 or 上班 with shipped entries but
// names another department's matter is rejected. A question whose entry
// names the anchor itself, or that only mentions a kind of person, is still
// answered.
func TestOffTopicAnchorsOnShippedKB(t *testing.T) {
	e := newTestEngine(t, loadShippedKB(t), Options{})
	tests := []struct {
		name string
		q    string
		want string // ExpectNone for a rejection
	}{
		{"vessel registration", "渔船登记要准备哪些材料", ExpectNone},
		{"equity pledge", "股权质押登记在哪里办", ExpectNone},
		{"vehicle office hours", "车管所几点上班", ExpectNone},
		{"vehicle mortgage", "机动车抵押登记怎么办", ExpectNone},
		{"fire inspection", "消防验收要多久", ExpectNone},
		{"power cut", "停电了打哪个电话", ExpectNone},
		{"lottery prize", "福彩中奖了去哪领", ExpectNone},
		{"residence registration", "居住登记怎么预约", ExpectNone},
		{"urban management fine", "城管罚款怎么申请复议", ExpectNone},
		{"mortgage release", "房贷还清了怎么解押", "bdc-dyzx-001"},
		{"mining licence renewal", "采矿许可证快到期了怎么延续", "kyq-ckyx-001"},
		{"notarised power of attorney", "授权委托书要公证吗", "ck-wt-002"},
		{"anchor named by the entry", "邻居乱搭乱建城管不管我找谁举报", "gh-wfjs-001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.Ask(tt.q)
			if tt.want == ExpectNone {
				if got.Matched {
					t.Errorf("Ask(%q) matched %s with score %.3f, want no match", tt.q, got.FAQID, got.Score)
				}
				return
			}
			if !got.Matched {
				t.Fatalf("Ask(%q) matched nothing (score %.3f), want %s", tt.q, got.Score, tt.want)
			}
			if got.FAQID != tt.want {
				t.Errorf("Ask(%q) matched %s, want %s", tt.q, got.FAQID, tt.want)
			}
		})
	}
}

// TestOffTopicAnchorsSpareKindsOfPerson checks that a question naming a kind
// of person, such as a sole trader, about a matter of the hall is answered,
// which is why the anchor list names matters and never kinds of person.
func TestOffTopicAnchorsSpareKindsOfPerson(t *testing.T) {
	e := newTestEngine(t, loadShippedKB(t), Options{})
	for _, q := range []string{"个体户能不能买农村宅基地", "供水管道施工要办规划许可吗"} {
		if got := e.Ask(q); !got.Matched {
			t.Errorf("Ask(%q) matched nothing (score %.3f), want a match", q, got.Score)
		}
	}
}
