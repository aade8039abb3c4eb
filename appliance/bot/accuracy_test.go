package bot

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Accuracy targets of the engine on a labelled set. Latency is measured
// by BenchmarkAsk and kb eval, not asserted here, because a timed test
// fails on a busy machine for reasons that are no property of the engine.
//
// NOTE: on eval.jsonl the engine reaches 96.9% top-1 (597 of 616) and
// 97.1% rejection (99 of 102), so six more in-scope misses or three more
// false matches fail the test.
const (
	minTop1      = 0.96
	minRejection = 0.95
)

// accuracyCases returns the independent labelled set when it exists, and
// otherwise both halves of the development set.
func accuracyCases(t *testing.T) (string, []Case) {
	t.Helper()
	if _, err := os.Stat(filepath.Join("testdata", "eval.jsonl")); err == nil {
		return "eval.jsonl", loadCases(t, "eval.jsonl")
	} else if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("checking eval set: %v", err)
	}
	cases := loadCases(t, "dev.jsonl")
	cases = append(cases, loadCases(t, "holdout.jsonl")...)
	return "dev.jsonl and holdout.jsonl", cases
}

func TestAccuracyOnShippedKB(t *testing.T) {
	e := newTestEngine(t, loadShippedKB(t), Options{})
	name, cases := accuracyCases(t)
	r := Evaluate(e, cases)

	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatalf("WriteText: %v", err)
	}
	t.Logf("on %s:\n%s", name, b.String())

	if r.Top1 < minTop1 {
		t.Errorf("got top-1 accuracy %.3f, want at least %.2f", r.Top1, minTop1)
	}
	if r.Rejection < minRejection {
		t.Errorf("got out-of-scope rejection %.3f, want at least %.2f", r.Rejection, minRejection)
	}
}
