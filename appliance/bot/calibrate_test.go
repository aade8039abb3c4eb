package bot

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestCalibrateThreshold prints, for a range of thresholds, the top-1
// accuracy and the out-of-scope rejection on each development set, which
// together set DefaultThreshold. The labelled sets eval.jsonl and
// frozen.jsonl take no part in it. It ranks every
// entry with the classifier alone, so it measures the scoring model without
// the candidate cut of the index. Run it with BOT_CALIBRATE=1 and -v.
func TestCalibrateThreshold(t *testing.T) {
	if os.Getenv("BOT_CALIBRATE") == "" {
		t.Skip("BOT_CALIBRATE not set")
	}
	e := newTestEngine(t, loadShippedKB(t), Options{})
	names := []string{"dev.jsonl", "dev2.jsonl", "dev3.jsonl", "dev4.jsonl", "holdout.jsonl"}
	scored := make(map[string][]calibrationScore)
	for _, n := range names {
		scored[n] = scoreAll(e, loadCases(t, n))
	}

	var b strings.Builder
	for th := 0.05; th < 0.255; th += 0.01 {
		fmt.Fprintf(&b, "threshold %.2f", th)
		for _, n := range names {
			acc, rej := rates(scored[n], th)
			fmt.Fprintf(&b, " | %s top-1 %.3f rejected %.3f", n, acc, rej)
		}
		b.WriteByte('\n')
	}
	t.Log("\n" + b.String())
}

// calibrationScore is one case ranked against every entry.
type calibrationScore struct {
	inScope    bool
	correct    bool
	confidence float64
}

func scoreAll(e *Engine, cases []Case) []calibrationScore {
	all := make([]int, len(e.entries))
	for i := range all {
		all[i] = i
	}
	var out []calibrationScore
	for _, c := range cases {
		a := e.analyzeText(c.Q)
		ranked := e.classifier.rank(a, all)
		s := calibrationScore{inScope: c.Expect != ExpectNone}
		if len(ranked) > 0 {
			s.confidence = confidence(ranked, a)
			s.correct = e.entries[ranked[0].entry].ID == c.Expect
		}
		out = append(out, s)
	}
	return out
}

// rates returns the share of in-scope cases matched correctly and the share
// of out-of-scope cases rejected at a threshold.
func rates(scores []calibrationScore, threshold float64) (top1, rejection float64) {
	var in, correct, out, rejected int
	for _, s := range scores {
		if s.inScope {
			in++
			if s.correct && s.confidence >= threshold {
				correct++
			}
			continue
		}
		out++
		if s.confidence < threshold {
			rejected++
		}
	}
	return ratio(correct, in), ratio(rejected, out)
}

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}
