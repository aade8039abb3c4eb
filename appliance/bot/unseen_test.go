package bot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Floors on the knowledge bases in testdata/unseen, which an author who
// never read this engine, its lexicon or the shipped knowledge base wrote.
// Set a was used for tuning the lexicon and the scoring weights, so its
// figures overstate how the engine does on a new knowledge base. Set b was
// never used for tuning: only its totals were read, a few times, and no
// change followed from its misses. Its floors are the measured figures
// minus 2 points.
//
// NOTE: set a stays below the acceptance target of 97% top-1. The floors
// record what the engine reaches, not the target.
//
// Set c, written later by another author in the manner of a city office,
// is tuned on like a. The floors of all three are the figures measured
// after the matter catalogue was added, minus 2 points.
var unseenFloors = map[string]struct{ top1, rejection float64 }{
	"a": {top1: 0.91, rejection: 0.96},
	"b": {top1: 0.78, rejection: 0.86},
	"c": {top1: 0.84, rejection: 0.95},
}

func TestAccuracyOnUnseenKB(t *testing.T) {
	for _, set := range []string{"a", "b", "c"} {
		t.Run(set, func(t *testing.T) {
			dir := filepath.Join("testdata", "unseen", set)
			kbPath := filepath.Join(dir, "kb.csv")
			if _, err := os.Stat(kbPath); err != nil {
				t.Skipf("unseen set %s missing: %v", set, err)
			}
			e := newTestEngine(t, loadKBFile(t, kbPath), Options{})
			r := Evaluate(e, casesAt(t, filepath.Join(dir, "questions.jsonl")))
			t.Logf("unseen %s: top-1 %d/%d = %.1f%%, rejected %d/%d = %.1f%%, p50 %v, p99 %v", set,
				r.Correct, r.InScope, 100*r.Top1, r.Rejected, r.OutOfScope, 100*r.Rejection, r.P50, r.P99)
			if set != "b" && testing.Verbose() && os.Getenv("BOT_MISSES") != "" {
				var b strings.Builder
				if err := r.WriteText(&b); err != nil {
					t.Fatalf("WriteText: %v", err)
				}
				t.Log(b.String())
			}

			floor := unseenFloors[set]
			if r.Top1 < floor.top1 {
				t.Errorf("got top-1 accuracy %.3f, want at least %.2f", r.Top1, floor.top1)
			}
			if r.Rejection < floor.rejection {
				t.Errorf("got out-of-scope rejection %.3f, want at least %.2f", r.Rejection, floor.rejection)
			}
		})
	}
}
