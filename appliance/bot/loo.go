package bot

import (
	"log/slog"
	"math"
)

// Leave-one-out learning of the fusion weights for one knowledge base. Each
// fold removes one phrasing from the trained statistics of its entry (the
// phrasing list, the centroid, the language-model counts and the n-gram
// counts), ranks it as a question and restores the statistics, so no fold
// retrains. Inverse document frequencies, the candidate index and the
// speller keep the held-out phrasing, which makes the folds slightly easier
// than a real question.

// fusion is the pair of weights that leave-one-out picks per knowledge base:
// the classifier's share of the answer text (scoring.answer) and the
// exponent of the n-gram ranker's relative BM25 score (see rerank).
type fusion struct {
	answer float64
	ngram  float64
}

// answerGrid and ngramGrid list the weights leave-one-out chooses from.
// Their first elements are the defaults, set on the development sets, which
// a knowledge base keeps unless another pair gains clearly (see
// fusionMinGain).
var (
	answerGrid = []float64{defaultScoring.answer, 0.2, 0.4}
	ngramGrid  = []float64{0.3, 0.15, 0.5}
)

const (
	// maxFolds caps the phrasings held out, taken at an even stride, so a
	// knowledge base of thousands of entries trains in bounded time. Each
	// fold is ranked three times, four with discrimination on, and the
	// folds added 0.7 s to training 1,000 synthetic entries
	// (BenchmarkNewThousandEntries, load average 5).
	maxFolds = 300
	// minFolds is the fewest folds that let leave-one-out move the weights
	// from the default, so a small knowledge base cannot overfit.
	minFolds = 100
	// fusionMinGain is the share of folds by which another weight pair
	// must beat the default to replace it, and fusionMinGainFolds the
	// least number of folds. At 1% and 3 folds, adding one phrasing to
	// the shipped knowledge base flipped the weights and cost two frozen
	// questions elsewhere, so a staff member's edit failed the gate.
	fusionMinGain      = 0.03
	fusionMinGainFolds = 5
)

// fold is one held-out phrasing: its entry, its position among the
// entry's phrasings, and its analysis and segmented text.
type fold struct {
	entry, position int
	analysis        analysis
	joined          string
}

// looFolds returns the phrasings to hold out, at an even stride when
// there are more than maxFolds. Entries with one phrasing are left out,
// because removing it leaves nothing to match.
func looFolds(analysed [][]analysis, joined [][]string) []fold {
	var all []fold
	for e, texts := range analysed {
		if len(texts) < 2 {
			continue
		}
		for p, a := range texts {
			all = append(all, fold{entry: e, position: p, analysis: a, joined: joined[e][p]})
		}
	}
	if len(all) <= maxFolds {
		return all
	}

	out := make([]fold, 0, maxFolds)
	stride := float64(len(all)) / maxFolds
	for i := range maxFolds {
		out = append(out, all[int(float64(i)*stride)])
	}
	return out
}

// learnFusion ranks every fold under each pair of weights of answerGrid and
// ngramGrid, sets the pair with the most folds ranked first on the engine,
// and returns it with the count of folds it ranks first. It also returns
// the near neighbours of each entry under the default weights, symmetric:
// the entries ranked above a held-out phrasing of the entry, and the
// runner-up when it comes within nearMargin of the top.
func (e *Engine) learnFusion(folds []fold) (fusion, int, []map[int]bool) {
	c := e.classifier
	neighbours := make([]map[int]bool, len(e.entries))
	correct := make([]int, len(answerGrid)*len(ngramGrid))
	for _, f := range folds {
		restore := e.holdOut(f)
		hits := e.candidates.top(indexDocument{text: f.joined, features: indexFeatures(f.analysis, f.joined)}, candidateHits)
		for i, answer := range answerGrid {
			c.params.answer = answer
			ranked := c.rank(f.analysis, hits)
			for j, w := range ngramGrid {
				reranked := append([]candidate(nil), ranked...)
				e.ngrams.rerank(f.joined, reranked, ngramRerankK, w)
				if len(reranked) > 0 && reranked[0].entry == f.entry {
					correct[i*len(ngramGrid)+j]++
				}
				if i == 0 && j == 0 {
					linkNeighbours(neighbours, f.entry, reranked)
				}
			}
		}
		restore()
	}

	best := pickClearGain(correct, len(folds))
	w := fusion{answer: answerGrid[best/len(ngramGrid)], ngram: ngramGrid[best%len(ngramGrid)]}
	e.setFusion(w)
	e.fusion = w
	return w, correct[best], neighbours
}

// linkNeighbours records the near neighbours that the ranking of one
// held-out phrasing of entry en shows.
func linkNeighbours(neighbours []map[int]bool, en int, ranked []candidate) {
	link := func(a, b int) {
		if neighbours[a] == nil {
			neighbours[a] = make(map[int]bool)
		}
		neighbours[a][b] = true
	}
	for i, c := range ranked {
		if c.entry == en {
			if i == 0 && len(ranked) > 1 && ranked[1].score >= nearMargin*c.score {
				link(en, ranked[1].entry)
				link(ranked[1].entry, en)
			}
			return
		}
		link(en, c.entry)
		link(c.entry, en)
	}
}

// pickClearGain returns the index of the choice with the most folds ranked
// first, or 0 for the default. A choice replaces the default only with at
// least minFolds folds, and only when it ranks more folds first than the
// default by fusionMinGain of the folds or fusionMinGainFolds, whichever
// is more.
func pickClearGain(correct []int, folds int) int {
	best := 0
	if folds < minFolds {
		return best
	}
	need := max(fusionMinGainFolds, int(math.Ceil(fusionMinGain*float64(folds))))
	for i := 1; i < len(correct); i++ {
		if correct[i] >= correct[0]+need && correct[i] > correct[best] {
			best = i
		}
	}
	return best
}

func (e *Engine) setFusion(w fusion) {
	e.classifier.params.answer = w.answer
	e.ngramWeight = w.ngram
}

// holdOut removes the phrasing of f from the statistics of its entry and
// returns the function that puts it back.
func (e *Engine) holdOut(f fold) func() {
	c := e.classifier
	en := f.entry
	byEntry, centroid := c.byEntry[en], c.centroids[en]
	lmCounts, lmTotal := c.lm.counts[en], c.lm.totals[en]
	ngCounts, ngLength := e.ngrams.counts[en], e.ngrams.lengths[en]

	kept := make([]int, 0, len(byEntry)-1)
	sum := make(map[int32]float64)
	for j, p := range byEntry {
		if j == f.position {
			continue
		}
		kept = append(kept, p)
		weight := 1.0
		if j == 0 {
			weight = c.params.questionWeight
		}
		v := c.phrasings[p].vector
		for i, id := range v.ids {
			sum[id] += weight * float64(v.weights[i])
		}
	}
	c.byEntry[en] = kept
	c.centroids[en] = newSparseVector(sum)
	c.lm.counts[en], c.lm.totals[en] = c.lm.without(lmCounts, lmTotal, c, f.analysis)
	e.ngrams.counts[en], e.ngrams.lengths[en] = e.ngrams.without(ngCounts, ngLength, f.joined)

	return func() {
		c.byEntry[en], c.centroids[en] = byEntry, centroid
		c.lm.counts[en], c.lm.totals[en] = lmCounts, lmTotal
		e.ngrams.counts[en], e.ngrams.lengths[en] = ngCounts, ngLength
	}
}

// without returns a copy of an entry's language-model counts and total
// less the known features of one phrasing.
func (lm *languageModel) without(counts map[int32]float64, total float64, c *classifier, a analysis) (map[int32]float64, float64) {
	out := make(map[int32]float64, len(counts))
	for id, k := range counts {
		out[id] = k
	}
	for _, f := range a.features {
		if id, ok := c.phrases.vocabulary[f.key]; ok && out[id] > 0 {
			out[id]--
			total--
		}
	}
	return out, total
}

// without returns a copy of an entry's n-gram counts and length less the
// n-grams of one phrasing.
func (r *ngramRanker) without(counts map[int32]float64, length float64, text string) (map[int32]float64, float64) {
	out := make(map[int32]float64, len(counts))
	for id, k := range counts {
		out[id] = k
	}
	for _, g := range ngrams(text) {
		if id, ok := r.vocabulary[g]; ok && out[id] > 0 {
			out[id]--
			length--
		}
	}
	return out, length
}

// learnByLeaveOneOut turns leave-one-out learning of the weights on. Tests
// turn it off to compare against the defaults.
var learnByLeaveOneOut = true

// learnWeights learns this knowledge base's fusion weights, near
// neighbours, discriminative log-odds and discrimination weight from
// leave-one-out over its phrasings, and logs what it picked.
func (e *Engine) learnWeights(analysed [][]analysis, joined [][]string) {
	e.ngramWeight = ngramWeight
	if !learnByLeaveOneOut {
		return
	}
	folds := looFolds(analysed, joined)
	w, correct, neighbours := e.learnFusion(folds)
	e.log.Info("fusion weights learned by leave-one-out",
		slog.Float64("answer", w.answer),
		slog.Float64("ngram", w.ngram),
		slog.Int("folds", len(folds)),
		slog.Int("ranked_first", correct))

	if len(discriminationGrid) == 1 && discriminationGrid[0] == 0 {
		return
	}
	e.classifier.learnDiscrimination(neighbours)
	dw, counts := e.learnDiscriminationWeight(folds, neighbours)
	e.discriminationWeight = dw
	e.log.Info("discrimination weight learned by leave-one-out",
		slog.Float64("weight", dw),
		slog.Int("folds", len(folds)),
		slog.Any("ranked_first", counts))
}
