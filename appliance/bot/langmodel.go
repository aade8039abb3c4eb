package bot

import "math"

// languageModel scores entries by query likelihood: the probability that
// an entry's own words produce the question's features, smoothed towards
// the whole knowledge base by a Dirichlet prior. Unlike cosine similarity
// it charges an entry for every question feature it lacks in proportion to
// how common that feature is elsewhere, which separates entries that share
// their main term, such as two about releasing a mortgage.
type languageModel struct {
	counts     []map[int32]float64 // feature counts of each entry
	totals     []float64
	background []float64 // probability of each feature over all entries
	mu         float64
}

// dirichletMu is the Dirichlet prior mass, in feature counts. Entries have
// a few dozen features, so a prior of that size lets an entry's own counts
// and the background weigh about the same.
const dirichletMu = 30

// answerCount is how much one feature of an entry's answer counts against
// one feature of a phrasing, because answers are long and cover more than
// the question.
const answerCount = 0.3

func newLanguageModel(c *classifier, entries [][]analysis, answers []analysis) *languageModel {
	n := len(c.phrases.idf)
	lm := &languageModel{
		counts:     make([]map[int32]float64, len(entries)),
		totals:     make([]float64, len(entries)),
		background: make([]float64, n),
		mu:         dirichletMu,
	}
	total := 0.0
	for e, texts := range entries {
		counts := make(map[int32]float64)
		for _, a := range texts {
			for _, f := range a.features {
				if id, ok := c.phrases.vocabulary[f.key]; ok {
					counts[id]++
				}
			}
		}
		if e < len(answers) {
			for _, f := range answers[e].features {
				if id, ok := c.phrases.vocabulary[f.key]; ok {
					counts[id] += answerCount
				}
			}
		}
		for id, k := range counts {
			lm.totals[e] += k
			lm.background[id] += k
			total += k
		}
		lm.counts[e] = counts
	}
	for id := range lm.background {
		lm.background[id] = (lm.background[id] + 1) / (total + float64(n))
	}
	return lm
}

// logLikelihood returns the weighted log-likelihood ratio of the question's
// known features under entry e against the background.
func (lm *languageModel) logLikelihood(c *classifier, a analysis, e int) float64 {
	sum := 0.0
	for _, f := range a.features {
		id, ok := c.phrases.vocabulary[f.key]
		if !ok {
			continue
		}
		bg := lm.background[id]
		p := (lm.counts[e][id] + lm.mu*bg) / (lm.totals[e] + lm.mu)
		sum += c.phrases.kind[f.kind] * math.Log(p/bg)
	}
	return sum
}
