package bot

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestReportTuningSets prints the totals on the sets every change to the
// scoring is judged on together: unseen sets a and c, eval.jsonl and
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

	if w := os.Getenv("BOT_DISC_WEIGHT"); w != "" {
		v, err := strconv.ParseFloat(w, 64)
		if err != nil {
			t.Fatalf("BOT_DISC_WEIGHT %q: %v", w, err)
		}
		saved := discriminationGrid
		discriminationGrid = []float64{v}
		defer func() { discriminationGrid = saved }()
	}
	if k := os.Getenv("BOT_DISC_KINDS"); k != "" {
		discKinds = map[string]bool{}
		for _, p := range strings.Split(k, ",") {
			discKinds[p+":"] = true
		}
	}
	if m := os.Getenv("BOT_DISC_MIN"); m != "" {
		discMinCount, _ = strconv.ParseFloat(m, 64)
	}
	if m := os.Getenv("BOT_NEAR"); m != "" {
		nearMargin, _ = strconv.ParseFloat(m, 64)
	}
	if os.Getenv("BOT_NO_LOO") != "" {
		learnByLeaveOneOut = false
		defer func() { learnByLeaveOneOut = true }()
	}

	dir := filepath.Join("testdata", "unseen", "a")
	ea := newTestEngine(t, loadKBFile(t, filepath.Join(dir, "kb.csv")), Options{})
	t.Logf("unseen a threshold %.3f, fusion %+v, discrimination %v", ea.Threshold(), ea.fusion, ea.discriminationWeight)
	logReport(t, "unseen a", Evaluate(ea, casesAt(t, filepath.Join(dir, "questions.jsonl"))), misses)

	dir = filepath.Join("testdata", "unseen", "c")
	ec := newTestEngine(t, loadKBFile(t, filepath.Join(dir, "kb.csv")), Options{})
	t.Logf("unseen c threshold %.3f, fusion %+v", ec.Threshold(), ec.fusion)
	logReport(t, "unseen c", Evaluate(ec, casesAt(t, filepath.Join(dir, "questions.jsonl"))), misses)

	es := newTestEngine(t, loadShippedKB(t), Options{})
	t.Logf("shipped threshold %.3f, fusion %+v, discrimination %v", es.Threshold(), es.fusion, es.discriminationWeight)
	logReport(t, "eval.jsonl", Evaluate(es, loadCases(t, "eval.jsonl")), false)
	logReport(t, "frozen.jsonl", Evaluate(es, loadCases(t, "frozen.jsonl")), false)
}
