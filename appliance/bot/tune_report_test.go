package bot

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestReportTuningSets prints the totals on the three sets every change to
// the scoring is judged on together: unseen set a, eval.jsonl and
// frozen.jsonl. It runs only with BOT_TUNING set and never reads set b.
func TestReportTuningSets(t *testing.T) {
	if os.Getenv("BOT_TUNING") == "" {
		t.Skip("BOT_TUNING not set")
	}
	misses := os.Getenv("BOT_MISSES") != ""
	if w := os.Getenv("BOT_NGRAM_WEIGHT"); w != "" {
		v, err := strconv.ParseFloat(w, 64)
		if err != nil {
			t.Fatalf("BOT_NGRAM_WEIGHT %q: %v", w, err)
		}
		ngramWeight = v
	}
	if k := os.Getenv("BOT_NGRAM_K"); k != "" {
		v, err := strconv.Atoi(k)
		if err != nil {
			t.Fatalf("BOT_NGRAM_K %q: %v", k, err)
		}
		ngramRerankK = v
	}

	dir := filepath.Join("testdata", "unseen", "a")
	ea := newTestEngine(t, loadKBFile(t, filepath.Join(dir, "kb.csv")), Options{})
	t.Logf("unseen a threshold %.3f", ea.Threshold())
	logReport(t, "unseen a", Evaluate(ea, casesAt(t, filepath.Join(dir, "questions.jsonl"))), misses)

	es := newTestEngine(t, loadShippedKB(t), Options{})
	t.Logf("shipped threshold %.3f", es.Threshold())
	logReport(t, "eval.jsonl", Evaluate(es, loadCases(t, "eval.jsonl")), false)
	logReport(t, "frozen.jsonl", Evaluate(es, loadCases(t, "frozen.jsonl")), false)
}
