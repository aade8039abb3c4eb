package bot

import "math"

// Shape of the confidence that Ask compares with the threshold. These
// were set on the development set in testdata.
const (
	// tieWeight is the largest share of the top score that a tie with the
	// runner-up takes away. tieSharpness sets how close the runner-up must
	// be for it to matter. With 4, a runner-up at 90% of the top score
	// takes 66% of tieWeight and one at half of it takes 6%.
	tieWeight    = 0.2
	tieSharpness = 4.0

	// longQuestion is the number of features above which a question
	// counts as long, and longBoost the exponent of the length ratio that
	// raises its confidence.
	longQuestion = 20.0
	longBoost    = 0.5
)

// confidence turns the two best scores into the value compared with the
// threshold. A near tie with the runner-up lowers it, because a question
// that fits two entries equally well is better handed to staff than
// answered by a coin toss.
func confidence(ranked []candidate, a analysis) float64 {
	top := ranked[0].score
	if top <= 0 {
		return 0
	}
	if len(ranked) > 1 {
		ratio := ranked[1].score / top
		top *= 1 - tieWeight*math.Pow(ratio, tieSharpness)
	}

	// Cosine similarity falls with the square root of the question's
	// length, so a long account of a case scores low even when it matches
	// well. Giving part of that back keeps long questions answerable.
	n := float64(len(a.features))
	if n > longQuestion {
		top *= math.Pow(n/longQuestion, longBoost)
	}
	return min(top, 1)
}
