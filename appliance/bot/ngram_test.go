package bot

import (
	"math"
	"slices"
	"testing"
)

func TestNgramsStayInsideRuns(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"one run", "抵押注销", []string{"抵押", "押注", "注销", "抵押注", "押注销"}},
		{"two runs", "抵押 注销", []string{"抵押", "注销"}},
		{"single characters", "房 证", nil},
		{"repeated pair once", "登记登记", []string{"登记", "记登", "登记登", "记登记"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ngrams(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("ngrams(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestNgramRankerScoresSharedRuns(t *testing.T) {
	r := newNgramRanker([][]string{
		{"抵押注销", "贷款还清解押"},
		{"抵押登记", "办抵押"},
		{"采矿权延续"},
	})
	ids := r.queryIDs("还清了贷款怎么解押")

	release, mortgage, mining := r.score(ids, 0), r.score(ids, 1), r.score(ids, 2)
	if release <= 0 {
		t.Errorf("got score %.3f for the entry with 解押, want above 0", release)
	}
	if mortgage != 0 {
		t.Errorf("got score %.3f for an entry sharing no n-gram, want 0", mortgage)
	}
	if mining != 0 {
		t.Errorf("got score %.3f for the mining entry, want 0", mining)
	}
}

func TestNgramRankerIDF(t *testing.T) {
	r := newNgramRanker([][]string{{"抵押登记"}, {"抵押注销"}, {"采矿权"}})
	common, rare := r.vocabulary["抵押"], r.vocabulary["注销"]
	if r.idf[common] >= r.idf[rare] {
		t.Errorf("got idf %.3f for 抵押 in two entries and %.3f for 注销 in one, want the first lower",
			r.idf[common], r.idf[rare])
	}
	want := math.Log(1 + (3-1+0.5)/(1+0.5))
	if math.Abs(r.idf[rare]-want) > 1e-12 {
		t.Errorf("got idf %.6f for 注销, want %.6f", r.idf[rare], want)
	}
}

func TestNgramRerank(t *testing.T) {
	r := newNgramRanker([][]string{{"抵押登记"}, {"抵押注销 解押"}})
	tests := []struct {
		name      string
		weight    float64
		wantFirst int
	}{
		{"off keeps the classifier order", 0, 0},
		{"on moves the entry sharing 解押 up", 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ranked := []candidate{{entry: 0, score: 0.50}, {entry: 1, score: 0.45}}
			r.rerank("解押", ranked, 8, tt.weight)
			if ranked[0].entry != tt.wantFirst {
				t.Errorf("got entry %d first, want %d", ranked[0].entry, tt.wantFirst)
			}
		})
	}
}

func TestNgramRerankKeepsScores(t *testing.T) {
	r := newNgramRanker([][]string{{"抵押登记"}, {"抵押注销 解押"}, {"采矿权延续"}})
	ranked := []candidate{{entry: 0, score: 0.5}, {entry: 1, score: 0.45}, {entry: 2, score: 0.1}}
	r.rerank("解押", ranked, 8, 2)

	if ranked[0].entry != 1 {
		t.Errorf("got entry %d first, want 1", ranked[0].entry)
	}
	for i, want := range []float64{0.5, 0.45, 0.1} {
		if ranked[i].score != want {
			t.Errorf("got score %.3f at position %d, want %.3f", ranked[i].score, i, want)
		}
	}
}
