package bot

import "math"

// Discriminative term weights. At training time each held-out phrasing is
// ranked (see loo.go). The entries it lands on instead of its own, or that
// come close behind it, are its entry's near neighbours, such as 抵押登记
// and 抵押注销. For each entry with neighbours, every feature of its own or
// its neighbours' phrasings gets the log-odds of appearing in a phrasing of
// the entry against a phrasing of a neighbour. At question time those
// log-odds reorder the leading candidates, so two neighbours split on the
// words that differ and not on the words they share.

// nearMargin is the share of the top score that a runner-up behind a
// correctly ranked held-out phrasing must reach to count as a near
// neighbour of the phrasing's entry.
var nearMargin = 0.8

const (
	// logOddsPrior is the add-k prior on phrasing counts, and maxLogOdds
	// the bound on the absolute log-odds, so that one phrasing cannot give
	// a term unbounded weight.
	logOddsPrior = 0.5
	maxLogOdds   = 2.0
	// minLogOdds drops features whose log-odds is too small to separate.
	minLogOdds = 0.5
)

// discriminationK is how many leading candidates discriminate considers.
const discriminationK = 8

// learnDiscrimination sets, for each pair of near neighbours, the bounded
// log-odds of each matter feature in the first entry's phrasings against
// the second's.
func (c *classifier) learnDiscrimination(neighbours []map[int]bool) {
	c.logOdds = make([]map[int]map[int32]float64, len(c.byEntry))
	matter := c.matterFeatures()
	for en, near := range neighbours {
		if len(near) == 0 {
			continue
		}
		own, ownN := c.phrasingCounts(en)
		c.logOdds[en] = make(map[int]map[int32]float64, len(near))
		for n := range near {
			other, otherN := c.phrasingCounts(n)
			c.logOdds[en][n] = pairLogOdds(own, ownN, other, otherN, matter)
		}
	}
}

// pairLogOdds returns the bounded log-odds of each matter feature of two
// entries' phrasings, leaving out those too rare or too even to separate.
func pairLogOdds(own map[int32]float64, ownN float64, other map[int32]float64, otherN float64, matter map[int32]bool) map[int32]float64 {
	odds := make(map[int32]float64)
	for _, counts := range []map[int32]float64{own, other} {
		for id := range counts {
			if !matter[id] || own[id]+other[id] < discMinCount {
				continue
			}
			lo := math.Log((own[id]+logOddsPrior)/(ownN+2*logOddsPrior)) -
				math.Log((other[id]+logOddsPrior)/(otherN+2*logOddsPrior))
			if math.Abs(lo) >= minLogOdds {
				odds[id] = max(-maxLogOdds, min(maxLogOdds, lo))
			}
		}
	}
	return odds
}

// matterFeatures returns the ids of the phrase-space features that name a
// matter: lexicon terms and character pairs. Ask types and single
// characters are left out, because they are what near neighbours share.
func (c *classifier) matterFeatures() map[int32]bool {
	out := make(map[int32]bool)
	for key, id := range c.phrases.vocabulary {
		if discKinds[key[:2]] {
			out[id] = true
		}
	}
	return out
}

// discKinds are the feature-key prefixes of matter features, and
// discMinCount the fewest phrasings of a pair that must contain a feature
// for it to get log-odds.
var (
	discKinds    = map[string]bool{"t:": true, "b:": true}
	discMinCount = 2.0
)

// phrasingCounts returns how many phrasings of entry e contain each
// feature, and the number of phrasings.
func (c *classifier) phrasingCounts(e int) (map[int32]float64, float64) {
	counts := make(map[int32]float64)
	for _, p := range c.byEntry[e] {
		for _, id := range c.phrasings[p].vector.ids {
			counts[id]++
		}
	}
	return counts, float64(len(c.byEntry[e]))
}

// discriminate lets a near neighbour of the leading candidate among the
// next k take the lead when the question's features separate them in its
// favour: the leader's score times exp(weight*d/2) is compared with the
// neighbour's times exp(-weight*d/2), where d sums q_f² times the pair's
// log-odds over the question's unit feature weights q. Only neighbours
// are compared, because the log-odds carry no evidence about other
// entries. Like
// rerank, it moves entries and keeps the scores in place, so the
// confidence stays the classifier's.
func (c *classifier) discriminate(a analysis, ranked []candidate, k int, weight float64) {
	if weight == 0 || len(ranked) < 2 || c.logOdds == nil {
		return
	}
	top := ranked[:min(k, len(ranked))]
	if c.logOdds[top[0].entry] == nil {
		return
	}

	q := c.phrases.query(a.features)
	lead, leadScore := 0, top[0].score
	for i := 1; i < len(top); i++ {
		odds, ok := c.logOdds[top[lead].entry][top[i].entry]
		if !ok {
			continue
		}
		d := 0.0
		for id, w := range q {
			d += w * w * odds[id]
		}
		if top[i].score*math.Exp(-weight*d/2) > leadScore*math.Exp(weight*d/2) {
			lead, leadScore = i, top[i].score
		}
	}
	if lead == 0 {
		return
	}

	winner := top[lead].entry
	for i := lead; i > 0; i-- {
		top[i].entry = top[i-1].entry
	}
	top[0].entry = winner
}

// discriminationGrid lists the weights learnDiscriminationWeight chooses
// from, and its first element is the default. When it holds only 0,
// training skips discrimination.
//
// NOTE: discrimination is off because it did not generalise. With the
// grid {0, 0.5, 1}, leave-one-out kept 0 on unseen set a and the shipped
// knowledge base and picked 1 on set b, gaining 3 of 300 folds there, but
// set b's top-1 fell by 3 questions. Forced to 0.5 it gained 1 question on
// set a and lost 1 on eval.jsonl; forced to 1 it lost 4 on eval.jsonl.
var discriminationGrid = []float64{0}

// learnDiscriminationWeight picks the weight of discriminate for this
// knowledge base by leave-one-out. Each fold also drops its phrasing from
// the log-odds of its entry's pairs, so a phrasing does not vote for the
// weights it made. Another weight replaces the default only when it ranks
// clearly more folds first (see fusionMinGain).
func (e *Engine) learnDiscriminationWeight(folds []fold, neighbours []map[int]bool) (float64, []int) {
	c := e.classifier
	matter := c.matterFeatures()
	correct := make([]int, len(discriminationGrid))
	for _, f := range folds {
		restore := e.holdOut(f)
		restoreOdds := c.holdOutLogOdds(f.entry, neighbours[f.entry], matter)
		ranked := c.rank(f.analysis, e.candidates.top(indexDocument{text: f.joined, features: indexFeatures(f.analysis, f.joined)}, candidateHits))
		e.ngrams.rerank(f.joined, ranked, ngramRerankK, e.ngramWeight)
		for i, w := range discriminationGrid {
			reordered := append([]candidate(nil), ranked...)
			c.discriminate(f.analysis, reordered, discriminationK, w)
			if len(reordered) > 0 && reordered[0].entry == f.entry {
				correct[i]++
			}
		}
		restoreOdds()
		restore()
	}
	return discriminationGrid[pickClearGain(correct, len(folds))], correct
}

// holdOutLogOdds recomputes the log-odds of entry en's pairs from its
// current phrasings and returns the function that puts the old ones back.
func (c *classifier) holdOutLogOdds(en int, near map[int]bool, matter map[int32]bool) func() {
	if len(near) == 0 {
		return func() {}
	}
	saved := c.logOdds[en]
	savedBack := make(map[int]map[int32]float64, len(near))
	own, ownN := c.phrasingCounts(en)
	c.logOdds[en] = make(map[int]map[int32]float64, len(near))
	for n := range near {
		other, otherN := c.phrasingCounts(n)
		c.logOdds[en][n] = pairLogOdds(own, ownN, other, otherN, matter)
		savedBack[n] = c.logOdds[n][en]
		c.logOdds[n][en] = pairLogOdds(other, otherN, own, ownN, matter)
	}
	return func() {
		c.logOdds[en] = saved
		for n, odds := range savedBack {
			c.logOdds[n][en] = odds
		}
	}
}
