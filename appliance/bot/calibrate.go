package bot

import (
	"math"
	"sort"
)

// Bounds of the threshold that calibrate derives for a knowledge base.
// They keep one odd outofscope file or a knowledge base of a few entries
// from setting a threshold that matches every question or none.
const (
	// calibrationQuantile is the minimum share of the calibrating
	// questions that the calibrated threshold rejects, unless the upper
	// bound cuts it.
	calibrationQuantile = 0.6
	// calibrationMargin is added to the quantile, so a question scoring
	// just like the quantile is rejected too.
	calibrationMargin = 0.01
	// minCalibrationQuestions is how many calibrating questions the
	// quantile needs. With fewer, DefaultThreshold applies.
	minCalibrationQuestions = 10

	minCalibratedThreshold = 0.12
	maxCalibratedThreshold = 0.25
)

// calibrate returns the threshold for the engine's knowledge base: just
// above the confidence that calibrationQuantile of the calibrating
// questions reach against it, within the bounds above. The calibrating
// questions are the out-of-scope questions that name no off-topic term of
// the lexicon. The off-topic penalty already rejects the others, so they
// would only pull the quantile down, and more so the more anchors staff
// add. Confidence depends on the knowledge base, because an entry with few
// phrasings scores lower than one with many, and so does a question that
// shares generic words with many entries. The out-of-scope questions take
// the place of the held-back out-of-scope cases of a labelled set, which a
// new knowledge base does not have.
func (e *Engine) calibrate(questions []string) float64 {
	scores := make([]float64, 0, len(questions))
	for _, q := range questions {
		ranked, a, r := e.rankQuestion(q)
		if len(a.offTopics) > 0 {
			continue
		}
		// A question the catalogue lifts counts at the threshold in
		// force, DefaultThreshold while calibrating. Leaving the lift out
		// lowered the threshold and cost 4 rejections on the shipped
		// knowledge base's labelled sets.
		score := 0.0
		if len(ranked) > 0 {
			score = e.confidence(ranked, a, r)
		}
		scores = append(scores, score)
	}
	if len(scores) < minCalibrationQuestions {
		return DefaultThreshold
	}
	sort.Float64s(scores)

	rank := int(math.Ceil(calibrationQuantile*float64(len(scores)))) - 1
	t := scores[min(max(rank, 0), len(scores)-1)] + calibrationMargin
	return min(max(t, minCalibratedThreshold), maxCalibratedThreshold)
}
