package bot

import (
	"math"
	"strings"
)

// Okapi BM25 parameters of the character n-gram ranker: the defaults of
// bleve v2.6.3 (search.BM25_k1 and search.BM25_b), not tuned here.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// ngramSizes are the lengths, in characters, of the n-grams the ranker
// counts. The classifier has characters and pairs already, so the ranker
// adds triples, which match a phrase of three characters that no lexicon
// term covers, such as 名下无 or 未开工.
var ngramSizes = []int{2, 3}

// ngramRanker scores entries by Okapi BM25 over the character n-grams of
// their phrasings, with inverse document frequency over the entries of the
// knowledge base. It is a second ranker beside the classifier, which
// reorders the leading candidates (see rerank), so that a paraphrase that
// shares runs of characters with an entry but few lexicon terms still
// lands on it.
type ngramRanker struct {
	vocabulary map[string]int32
	idf        []float64
	counts     []map[int32]float64 // n-gram counts of each entry
	lengths    []float64           // n-grams of each entry
	avgLength  float64
}

// newNgramRanker counts the n-grams of each entry's normalised and
// segmented phrasings.
func newNgramRanker(entries [][]string) *ngramRanker {
	r := &ngramRanker{
		vocabulary: make(map[string]int32),
		counts:     make([]map[int32]float64, len(entries)),
		lengths:    make([]float64, len(entries)),
	}
	var df []int
	total := 0.0
	for e, texts := range entries {
		counts := make(map[int32]float64)
		for _, t := range texts {
			for _, g := range ngrams(t) {
				id, ok := r.vocabulary[g]
				if !ok {
					id = int32(len(df))
					r.vocabulary[g] = id
					df = append(df, 0)
				}
				if counts[id] == 0 {
					df[id]++
				}
				counts[id]++
				r.lengths[e]++
			}
		}
		r.counts[e] = counts
		total += r.lengths[e]
	}

	n := float64(len(entries))
	r.idf = make([]float64, len(df))
	for id, d := range df {
		r.idf[id] = math.Log(1 + (n-float64(d)+0.5)/(float64(d)+0.5))
	}
	if n > 0 {
		r.avgLength = total / n
	}
	return r
}

// ngrams returns the distinct character n-grams of text within each of its
// space-separated runs, so no n-gram spans an ask-type phrase or a break.
// Each n-gram is a substring of text, so no n-gram is copied.
func ngrams(text string) []string {
	var out []string
	var offsets []int
	seen := make(map[string]bool, 2*len(text)/3)
	for _, run := range strings.Fields(text) {
		offsets = offsets[:0]
		for i := range run {
			offsets = append(offsets, i)
		}
		offsets = append(offsets, len(run))
		chars := len(offsets) - 1
		for _, n := range ngramSizes {
			for i := 0; i+n <= chars; i++ {
				g := run[offsets[i]:offsets[i+n]]
				if !seen[g] {
					seen[g] = true
					out = append(out, g)
				}
			}
		}
	}
	return out
}

// queryIDs returns the ids of the known n-grams of a question.
func (r *ngramRanker) queryIDs(text string) []int32 {
	var ids []int32
	for _, g := range ngrams(text) {
		if id, ok := r.vocabulary[g]; ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// score returns the BM25 score of entry e for a question's n-gram ids.
func (r *ngramRanker) score(ids []int32, e int) float64 {
	norm := bm25K1 * (1 - bm25B + bm25B*r.lengths[e]/max(r.avgLength, 1))
	sum := 0.0
	for _, id := range ids {
		tf := r.counts[e][id]
		if tf == 0 {
			continue
		}
		sum += r.idf[id] * tf * (bm25K1 + 1) / (tf + norm)
	}
	return sum
}

// rerank reorders the leading candidates by their classifier score times
// s^weight, where s is their BM25 score as a share of the best BM25 score
// among them. The scores stay where they were, in descending order, and
// only the entries move. So the confidence, which Ask derives from the
// two best scores, and the threshold calibrated on it are those of the
// classifier alone, and the n-gram ranker decides only which entry leads.
func (r *ngramRanker) rerank(text string, ranked []candidate, k int, weight float64) {
	if weight == 0 || len(ranked) < 2 {
		return
	}
	ids := r.queryIDs(text)
	if len(ids) == 0 {
		return
	}

	top := ranked[:min(k, len(ranked))]
	bm25 := make([]float64, len(top))
	best := 0.0
	for i, c := range top {
		bm25[i] = r.score(ids, c.entry)
		best = max(best, bm25[i])
	}
	if best == 0 {
		return
	}

	fused := make([]float64, len(top))
	for i, c := range top {
		fused[i] = c.score * math.Pow(max(bm25[i]/best, minShare), weight)
	}
	reorderKeepingScores(top, fused)
}

// minShare is the least BM25 share rerank counts, so a candidate that
// shares no n-gram with the question is pushed down but not to zero.
const minShare = 0.05

// ngramRerankK is how many leading candidates rerank reorders, and
// ngramWeight the exponent of their relative BM25 score.
var (
	ngramRerankK = 8
	ngramWeight  = 0.3
)
