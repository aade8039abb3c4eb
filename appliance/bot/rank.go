package bot

import (
	"math"
	"sort"
)

// candidate is one scored entry.
type candidate struct {
	entry int
	score float64
}

// rank scores the given entries against the question, best first, and
// leaves out entries with no similarity. It scores every entry by cosine
// similarity, then reorders the leading ones twice: by the likelihood of
// the question under each one's language model, and by a question vector
// reweighed to the features that separate them.
func (c *classifier) rank(a analysis, entries []int) []candidate {
	q := c.phrases.query(a.features)
	if len(q) == 0 {
		return nil
	}
	qv := newQueryVector(q)
	qa := newQueryVector(c.answers.query(a.features))

	out := make([]candidate, 0, len(entries))
	for _, e := range entries {
		if s := c.score(qv, qa, a, e); s > 0 {
			out = append(out, candidate{entry: e, score: s})
		}
	}
	sortCandidates(out)
	if len(out) < 2 {
		return out
	}

	top := out[:min(2*c.params.localK, len(out))]
	ll := make([]float64, len(top))
	best := math.Inf(-1)
	for i, cand := range top {
		ll[i] = c.lm.logLikelihood(c, a, cand.entry)
		best = max(best, ll[i])
	}
	for i := range top {
		top[i].score *= math.Exp(c.params.likelihood * (ll[i] - best))
	}
	sortCandidates(out)

	top = out[:min(c.params.localK, len(out))]
	ql := newQueryVector(c.localQuery(q, top))
	for i := range top {
		top[i].score = c.score(ql, qa, a, top[i].entry)
	}
	sortCandidates(out)
	return out
}

// reorderKeepingScores sorts the entries of top by fused, their scores of
// a second ranker, and gives them back top's scores in descending order.
// So only entries move, and the confidence, which is taken from the two
// best scores, stays that of the classifier.
func reorderKeepingScores(top []candidate, fused []float64) {
	kept := make([]float64, len(top))
	order := make([]candidate, len(top))
	for i, c := range top {
		kept[i] = c.score
		order[i] = candidate{entry: c.entry, score: fused[i]}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(kept)))
	sortCandidates(order)
	for i := range top {
		top[i] = candidate{entry: order[i].entry, score: kept[i]}
	}
}

func sortCandidates(out []candidate) {
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].entry < out[j].entry
	})
}

// score returns the similarity of entry e to a question whose unit vectors
// are q over phrasings and qa over answers.
func (c *classifier) score(q, qa queryVector, a analysis, e int) float64 {
	nearest := 0.0
	for _, p := range c.byEntry[e] {
		ph := c.phrasings[p]
		nearest = max(nearest, ph.vector.dotQuery(q)*c.askFactor(a.askTypes, ph.askTypes))
	}
	central, covered := c.centroids[e].mergeQuery(q)
	central *= c.askFactor(a.askTypes, c.entryAsks[e])
	_, answerCovered := c.answerOnly[e].mergeQuery(q)
	covered += c.params.answerCover * answerCovered

	s := c.params.nearest*nearest + (1-c.params.nearest)*central
	s *= math.Pow(covered, c.params.coverage)
	s = (1-c.params.answer)*s + c.params.answer*c.answerVec[e].dotQuery(qa)

	for _, t := range a.offTopics {
		if !c.offTopics[e][t] {
			s *= math.Pow(c.params.offTopic, c.offTopicShare(a))
			break
		}
	}
	return s
}

// localQuery reweighs a unit question vector by how well each feature
// separates the leading candidates: a feature that only some of them
// contain gains weight, one that all contain keeps it. Global inverse
// document frequency cannot see that 到期 is what separates two entries
// about the same certificate, because many other entries mention 到期.
func (c *classifier) localQuery(q map[int32]float64, top []candidate) map[int32]float64 {
	k := float64(len(top))
	maxIDF := math.Log((k + 1) / 0.5)
	out := make(map[int32]float64, len(q))
	known, norm := 0.0, 0.0
	for _, id := range sortedIDs(q) {
		w := q[id]
		known += w * w
		df := 0
		for _, cand := range top {
			if c.centroids[cand.entry].has(id) {
				df++
			}
		}
		if df > 0 {
			w *= 1 + c.params.local*math.Log((k+1)/(float64(df)+0.5))/maxIDF
		}
		out[id] = w
		norm += w * w
	}

	// Unknown features keep their share of the norm.
	norm = math.Sqrt(norm + max(1-known, 0))
	for id := range out {
		out[id] /= norm
	}
	return out
}

// askFactor compares the ask types of a question with those of a phrasing.
func (c *classifier) askFactor(question, phrasing []string) float64 {
	switch {
	case len(question) == 0 && len(phrasing) == 0:
		return 1
	case len(question) == 0:
		return c.params.askQuestionNone
	case len(phrasing) == 0:
		return c.params.askPhrasingNone
	}
	strength := 0.0
	for _, t := range question {
		if containsString(phrasing, t) {
			return 1
		}
		strength = max(strength, c.askStrength(t))
	}
	return 1 - (1-c.params.askMismatch)*strength
}

// askStrength returns how much a mismatch on ask type t weighs, from 0 to
// 1: the inverse document frequency of t over that of a feature no entry
// has. An ask type that most entries name, such as 流程, carries little
// weight, and one that few name, such as 收费, marks the entries that
// answer it.
func (c *classifier) askStrength(t string) float64 {
	id, ok := c.phrases.vocabulary["a:"+t]
	if !ok {
		return 1
	}
	return c.phrases.idf[id] / c.phrases.unknownIDF
}

// offTopicShare returns how much of a question its off-topic terms make
// up, from 0 to 1: offTopicSpread times their share of its squared feature
// weight. A short question about 物业费 is mostly off-topic. A long account
// that mentions the property manager in passing is not, so it keeps most
// of its score.
func (c *classifier) offTopicShare(a analysis) float64 {
	off, total := 0.0, 0.0
	for _, f := range a.features {
		w := c.phrases.weight(f)
		total += w * w
		if f.kind == featOffTopic {
			off += w * w
		}
	}
	if total == 0 {
		return 1
	}
	return min(1, c.params.offTopicSpread*off/total)
}
