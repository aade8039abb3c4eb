package bot

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	blevea "github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/mapping"
)

// candidateHits is how many entries the candidate index returns for the
// classifier to rank.
const candidateHits = 100

// candidateIndex is an inverted index from index tokens to entries, which
// picks the entries the classifier ranks. Its tokens are those a bleve
// index with the mapping of newIndexMapping makes: the CJK bigrams and
// words of an entry's normalised phrasings, and its term, ask-type and
// pinyin-key tokens (see indexFeatures). It replaced a bleve in-memory
// index, whose scoring and top-N collection took about half of a
// question's time. On a knowledge base of up to candidateHits entries it
// returns the same entries as that index did (TestCandidatesMatchBleve).
// Sharing single characters only does not make an entry a candidate, and
// that keeps questions outside the knowledge base from matching an entry
// on common characters.
type candidateIndex struct {
	text     blevea.Analyzer  // the analyser of the bleve text field
	postings map[string][]int // token to entry indices, ascending
	entries  int
	// scratch is a pool of zeroed score slices, one score per entry, that
	// top borrows so that a question allocates none.
	scratch sync.Pool
}

// newCandidateIndex indexes the tokens of docs, one document per entry.
func newCandidateIndex(docs []indexDocument) (*candidateIndex, error) {
	m, err := newIndexMapping()
	if err != nil {
		return nil, err
	}
	text := m.(*mapping.IndexMappingImpl).AnalyzerNamed(cjk.AnalyzerName)
	if text == nil {
		return nil, fmt.Errorf("analyzer %q not found", cjk.AnalyzerName)
	}

	ci := &candidateIndex{text: text, postings: make(map[string][]int), entries: len(docs)}
	ci.scratch.New = func() any {
		scores := make([]float64, len(docs))
		return &scores
	}
	for i, d := range docs {
		for tok := range ci.tokens(d) {
			ci.postings[tok] = append(ci.postings[tok], i)
		}
	}
	return ci, nil
}

// tokens returns the distinct tokens of a document: the CJK bigrams and
// words of its text and its space-separated feature tokens.
func (ci *candidateIndex) tokens(d indexDocument) map[string]bool {
	out := make(map[string]bool)
	for _, t := range ci.text.Analyze([]byte(d.text)) {
		out[string(t.Term)] = true
	}
	for _, f := range strings.Fields(d.features) {
		out[f] = true
	}
	return out
}

// top returns up to n entries that share a token with d. When more share
// one, it returns those whose shared tokens have the largest summed
// inverse document frequency, ties to the lower index. The result is in
// ascending order, which carries no meaning because the classifier ranks
// it.
func (ci *candidateIndex) top(d indexDocument, n int) []int {
	scores := ci.scratch.Get().(*[]float64)
	defer ci.scratch.Put(scores)

	var touched []int
	for tok := range ci.tokens(d) {
		p := ci.postings[tok]
		if len(p) == 0 {
			continue
		}
		idf := math.Log(1 + float64(ci.entries)/float64(len(p)))
		for _, e := range p {
			if (*scores)[e] == 0 {
				touched = append(touched, e)
			}
			(*scores)[e] += idf
		}
	}

	if len(touched) > n {
		slices.SortFunc(touched, func(a, b int) int {
			if c := cmp.Compare((*scores)[b], (*scores)[a]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
	}
	for _, e := range touched {
		(*scores)[e] = 0
	}
	touched = touched[:min(n, len(touched))]
	slices.Sort(touched)
	return touched
}
