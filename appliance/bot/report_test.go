package bot

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wenban/appliance/kb"
)

// TestReportSets prints top-1 accuracy and rejection on the development
// sets, and with BOT_REPORT=all also on eval.jsonl. BOT_MISSES adds the
// misses. Run it with BOT_REPORT set and -v. frozen.jsonl is never read
// here.
func TestReportSets(t *testing.T) {
	mode := os.Getenv("BOT_REPORT")
	if mode == "" {
		t.Skip("BOT_REPORT not set")
	}
	e := newTestEngine(t, loadShippedKB(t), Options{})
	names := []string{"dev.jsonl", "dev2.jsonl", "dev3.jsonl", "dev4.jsonl", "holdout.jsonl"}
	if mode == "all" {
		names = append(names, "eval.jsonl")
	}
	for _, n := range names {
		logReport(t, n, Evaluate(e, loadCases(t, n)), os.Getenv("BOT_MISSES") != "")
	}
}

// logReport writes the summary of a report and, when misses is true, its
// misses.
func logReport(t *testing.T, name string, r Report, misses bool) {
	t.Helper()
	if misses {
		var b strings.Builder
		if err := r.WriteText(&b); err != nil {
			t.Fatalf("WriteText: %v", err)
		}
		t.Logf("%s:\n%s", name, b.String())
		return
	}
	t.Logf("%s: top-1 %d/%d = %.1f%%, rejected %d/%d = %.1f%%, p50 %v, p99 %v", name,
		r.Correct, r.InScope, 100*r.Top1, r.Rejected, r.OutOfScope, 100*r.Rejection, r.P50, r.P99)
}

// loadKBFile decodes a knowledge-base file in any format kb.Decode reads.
func loadKBFile(t testing.TB, path string) []kb.Entry {
	t.Helper()
	format, err := kb.FormatFromPath(path)
	if err != nil {
		t.Fatalf("format of %s: %v", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("opening %s: %v", path, err)
	}
	defer f.Close()
	entries, err := kb.Decode(f, format)
	if err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
	return entries
}

// casesAt reads a case file at any path.
func casesAt(t testing.TB, path string) []Case {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("opening %s: %v", path, err)
	}
	defer f.Close()
	cases, err := ReadCases(f)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return cases
}

// TestReportFile evaluates BOT_CASES against the knowledge base in BOT_KB
// (the shipped one when unset) and prints the calibrated threshold and the
// report, with its misses when BOT_MISSES is set.
func TestReportFile(t *testing.T) {
	casesPath := os.Getenv("BOT_CASES")
	if casesPath == "" {
		t.Skip("BOT_CASES not set")
	}
	var entries []kb.Entry
	if p := os.Getenv("BOT_KB"); p != "" {
		entries = loadKBFile(t, p)
	} else {
		entries = loadShippedKB(t)
	}
	e := newTestEngine(t, entries, Options{})
	t.Logf("threshold %.3f", e.Threshold())
	logReport(t, filepath.Base(casesPath), Evaluate(e, casesAt(t, casesPath)), os.Getenv("BOT_MISSES") != "")
}

// TestReportSweep prints, for BOT_CASES against BOT_KB, how many in-scope
// cases the classifier ranks first whatever their confidence, and top-1
// accuracy and rejection over a range of thresholds. It runs only with
// BOT_SWEEP set.
func TestReportSweep(t *testing.T) {
	casesPath := os.Getenv("BOT_CASES")
	if casesPath == "" || os.Getenv("BOT_SWEEP") == "" {
		t.Skip("BOT_CASES or BOT_SWEEP not set")
	}
	entries := loadKBFile(t, os.Getenv("BOT_KB"))
	e := newTestEngine(t, entries, Options{})
	scores := scoreAll(e, casesAt(t, casesPath))
	var b strings.Builder
	rankOK, in := 0, 0
	for _, s := range scores {
		if s.inScope {
			in++
			if s.correct {
				rankOK++
			}
		}
	}
	fmt.Fprintf(&b, "ranking top-1 %d/%d\n", rankOK, in)
	for th := 0.05; th < 0.255; th += 0.01 {
		acc, rej := rates(scores, th)
		fmt.Fprintf(&b, "threshold %.2f top-1 %.3f rejected %.3f\n", th, acc, rej)
	}
	t.Log("\n" + b.String())
}
