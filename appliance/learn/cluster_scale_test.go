package learn

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// syntheticQuestions returns n distinct questions built from matter and
// ask words, so most share grams with many others, as real traffic does.
func syntheticQuestions(n int) []*question {
	matters := []string{"抵押登记", "抵押注销", "采矿权延续", "采矿权变更", "建设用地规划许可", "宅基地确权", "不动产权证补证", "继承过户", "赠与过户", "测绘资质", "地质灾害评估", "土地征收补偿", "林地占用", "查询本人房产", "二手房交易", "新建商品房首次登记"}
	asks := []string{"要什么材料", "怎么办理", "多久能办好", "收费多少", "在哪里办", "进度怎么查", "需要什么条件", "能网上办吗"}
	extras := []string{"请问", "我想问一下", "你好", "麻烦问下", "急", "我家", "我父亲", "公司", "长沙", "株洲", "湘潭", "衡阳"}
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	var out []*question
	for len(out) < n {
		var b strings.Builder
		b.WriteString(extras[r.IntN(len(extras))])
		b.WriteString(matters[r.IntN(len(matters))])
		b.WriteString(asks[r.IntN(len(asks))])
		for range r.IntN(3) {
			b.WriteRune(rune(0x4e00 + r.IntN(2000)))
		}
		text := b.String()
		key := phrasingKey(text)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, &question{text: text, key: key, count: 1 + r.IntN(3), last: t0})
	}
	return out
}

func TestClusterQuestionsScale(t *testing.T) {
	if testing.Short() {
		t.Skip("clusters 5,000 questions")
	}
	clusters := clusterQuestions(syntheticQuestions(5000), nil)
	if len(clusters) == 0 {
		t.Errorf("got no clusters, want some")
	}
}

// BenchmarkClusterQuestions measures what the clusters page computes on
// every load; docs/benchmarks.md records the figure.
func BenchmarkClusterQuestions(b *testing.B) {
	qs := syntheticQuestions(5000)
	for b.Loop() {
		clusterQuestions(qs, nil)
	}
}
