package bot

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestCandidatesMatchBleve checks that the candidate index returns the
// entries the bleve index returns, for every question of unseen set a,
// whose 100 entries the bleve index returns in full.
func TestCandidatesMatchBleve(t *testing.T) {
	dir := filepath.Join("testdata", "unseen", "a")
	kbPath := filepath.Join(dir, "kb.csv")
	if _, err := os.Stat(kbPath); err != nil {
		t.Skipf("unseen set a missing: %v", err)
	}
	e := newTestEngine(t, loadKBFile(t, kbPath), Options{})
	docs := engineDocuments(e)
	ref, err := newPhrasingIndex(docs)
	if err != nil {
		t.Fatalf("newPhrasingIndex: %v", err)
	}
	t.Cleanup(func() { ref.close() })

	for _, c := range casesAt(t, filepath.Join(dir, "questions.jsonl")) {
		pieces := e.segmenter.segment(e.clean(c.Q))
		a := analyze(pieces)
		joined := joinPieces(pieces)
		d := indexDocument{text: joined, features: indexFeatures(a, joined)}

		want, err := ref.search(d)
		if err != nil {
			t.Fatalf("search %q: %v", joined, err)
		}
		sort.Ints(want)
		if got := e.candidates.top(d, candidateHits); !slices.Equal(got, want) {
			t.Errorf("candidates for %q: got %d entries %v, want bleve's %d %v", joined, len(got), got, len(want), want)
		}
	}
}

// engineDocuments rebuilds the index documents of an engine's entries as
// train makes them.
func engineDocuments(e *Engine) []indexDocument {
	docs := make([]indexDocument, len(e.entries))
	for i, en := range e.entries {
		var text, features []string
		for _, p := range phrasingsOf(en) {
			pieces := e.segmenter.segment(e.normalizer.normalize(p))
			joined := joinPieces(pieces)
			text = append(text, joined)
			features = append(features, indexFeatures(analyze(pieces), joined))
		}
		docs[i] = indexDocument{text: strings.Join(text, " "), features: uniqueTokens(features)}
	}
	return docs
}

func TestCandidateIndexTop(t *testing.T) {
	ci, err := newCandidateIndex([]indexDocument{
		{text: "抵押登记"},
		{text: "采矿权", features: "t:采矿权"},
		{text: "抵押注销 解押"},
	})
	if err != nil {
		t.Fatalf("newCandidateIndex: %v", err)
	}
	tests := []struct {
		name string
		doc  indexDocument
		n    int
		want []int
	}{
		{"shared bigram", indexDocument{text: "办抵押"}, 10, []int{0, 2}},
		{"single characters only", indexDocument{text: "押记"}, 10, nil},
		{"feature token", indexDocument{text: "开矿", features: "t:采矿权"}, 10, []int{1}},
		{"nothing shared", indexDocument{text: "天气"}, 10, nil},
		{"cut keeps the rarer token", indexDocument{text: "抵押 解押"}, 1, []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ci.top(tt.doc, tt.n); !slices.Equal(got, tt.want) {
				t.Errorf("top(%q, %d) = %v, want %v", tt.doc.text, tt.n, got, tt.want)
			}
		})
	}
}

// TestReportSyntheticRetrieval prints top-1 accuracy and rejection on
// eval.jsonl over the synthetic knowledge base of 1,000 entries, with the
// candidate index and with the bleve index as retrieval. Each question
// names the county of one copy and expects that copy's entry. It runs
// only with BOT_SYNTHETIC set, because training takes seconds.
func TestReportSyntheticRetrieval(t *testing.T) {
	if os.Getenv("BOT_SYNTHETIC") == "" {
		t.Skip("BOT_SYNTHETIC not set")
	}
	const n = 1000
	e := newTestEngine(t, syntheticKB(t, n), Options{})
	ref, err := newPhrasingIndex(engineDocuments(e))
	if err != nil {
		t.Fatalf("newPhrasingIndex: %v", err)
	}
	t.Cleanup(func() { ref.close() })

	places := syntheticPlaces(n/196 + 1)
	var cases []Case
	for i, c := range loadCases(t, "eval.jsonl") {
		copyNo := 1 + i%4
		placed := Case{Q: places[copyNo] + c.Q, Expect: c.Expect}
		if c.Expect != ExpectNone {
			placed.Expect = fmt.Sprintf("%s-%d", c.Expect, copyNo)
		}
		cases = append(cases, placed)
	}

	r := Evaluate(e, cases)
	t.Logf("candidate index: top-1 %d/%d, rejected %d/%d, p50 %v", r.Correct, r.InScope, r.Rejected, r.OutOfScope, r.P50)

	correct, rejected := 0, 0
	for _, c := range cases {
		got := askWithBleve(t, e, ref, c.Q)
		switch {
		case c.Expect == ExpectNone && got == "":
			rejected++
		case c.Expect != ExpectNone && got == c.Expect:
			correct++
		}
	}
	t.Logf("bleve index: top-1 %d/%d, rejected %d/%d", correct, r.InScope, rejected, r.OutOfScope)
}

// askWithBleve returns the entry ID that Ask would match for q if the
// bleve index picked the candidates, or "" for no match.
func askWithBleve(t *testing.T, e *Engine, ref *phrasingIndex, q string) string {
	t.Helper()
	pieces := e.segmenter.segment(e.clean(q))
	a := analyze(pieces)
	joined := joinPieces(pieces)
	hits, err := ref.search(indexDocument{text: joined, features: indexFeatures(a, joined)})
	if err != nil {
		t.Fatalf("search %q: %v", joined, err)
	}

	ranked := e.classifier.rank(a, hits)
	e.ngrams.rerank(joined, ranked, ngramRerankK, ngramWeight)
	if len(ranked) == 0 || confidence(ranked, a) < e.threshold {
		return ""
	}
	return e.entries[ranked[0].entry].ID
}
