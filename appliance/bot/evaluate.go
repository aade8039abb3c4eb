package bot

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// ExpectNone is the Expect value of a case whose question is outside the
// knowledge base and must not be matched.
const ExpectNone = "none"

// maxCaseLine bounds one line of a case file in bytes.
const maxCaseLine = 64 << 10

// Case is one labelled question: Expect is the ID of the entry that should
// answer it, or ExpectNone.
type Case struct {
	Q      string `json:"q"`
	Expect string `json:"expect"`
}

// ReadCases parses JSON Lines of cases. Blank lines are skipped. A line
// that is not one JSON object with a non-empty q and expect, and nothing
// else, is rejected with its line number.
func ReadCases(r io.Reader) ([]Case, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxCaseLine)

	var cases []Case
	for line := 1; sc.Scan(); line++ {
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		c, err := parseCase(raw)
		if err != nil {
			return nil, fmt.Errorf("case line %d: %w", line, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading cases after line %d: %w", len(cases), err)
	}
	return cases, nil
}

func parseCase(raw []byte) (Case, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()

	var c Case
	if err := dec.Decode(&c); err != nil {
		return Case{}, fmt.Errorf("invalid case JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Case{}, errors.New("text after the JSON object")
	}
	if strings.TrimSpace(c.Q) == "" {
		return Case{}, errors.New("missing q")
	}
	if strings.TrimSpace(c.Expect) == "" {
		return Case{}, errors.New(`missing expect: give an entry ID or "none"`)
	}
	return c, nil
}

// Miss is a case the engine got wrong. Got is the matched entry ID, or
// empty when the engine reported no match.
type Miss struct {
	Q      string  `json:"q"`
	Expect string  `json:"expect"`
	Got    string  `json:"got"`
	Score  float64 `json:"score"`
}

// Report is the outcome of Evaluate.
type Report struct {
	InScope    int           // cases expecting an entry
	Correct    int           // in-scope cases matched to the expected entry
	OutOfScope int           // cases expecting no match
	Rejected   int           // out-of-scope cases that got no match
	Top1       float64       // Correct / InScope, 0 without in-scope cases
	Rejection  float64       // Rejected / OutOfScope, 0 without out-of-scope cases
	P50, P99   time.Duration // latency of Ask over all cases
	Misses     []Miss
}

// Evaluate runs Ask on every case in order and reports accuracy,
// rejection and latency. An in-scope case counts as correct only when it is
// matched to the expected entry.
func Evaluate(e *Engine, cases []Case) Report {
	var r Report
	latencies := make([]time.Duration, 0, len(cases))
	for _, c := range cases {
		start := time.Now()
		res := e.Ask(c.Q)
		latencies = append(latencies, time.Since(start))

		got := ""
		if res.Matched {
			got = res.FAQID
		}
		if c.Expect == ExpectNone {
			r.OutOfScope++
			if !res.Matched {
				r.Rejected++
				continue
			}
		} else {
			r.InScope++
			if got == c.Expect {
				r.Correct++
				continue
			}
		}
		r.Misses = append(r.Misses, Miss{Q: c.Q, Expect: c.Expect, Got: got, Score: res.Score})
	}

	if r.InScope > 0 {
		r.Top1 = float64(r.Correct) / float64(r.InScope)
	}
	if r.OutOfScope > 0 {
		r.Rejection = float64(r.Rejected) / float64(r.OutOfScope)
	}
	r.P50, r.P99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
	return r
}

// percentile returns the nearest-rank percentile of ds, sorting ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	rank := int(p*float64(len(ds))+0.999999) - 1
	return ds[min(max(rank, 0), len(ds)-1)]
}

// WriteText prints the report for a person: top-1 accuracy, rejection
// share, latency percentiles and one line per miss.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "top-1 accuracy: %d/%d = %.1f%%\n", r.Correct, r.InScope, 100*r.Top1)
	fmt.Fprintf(&b, "out-of-scope rejected: %d/%d = %.1f%%\n", r.Rejected, r.OutOfScope, 100*r.Rejection)
	fmt.Fprintf(&b, "latency: p50 %v, p99 %v\n", r.P50, r.P99)
	if len(r.Misses) > 0 {
		fmt.Fprintf(&b, "misses (%d):\n", len(r.Misses))
	}
	for _, m := range r.Misses {
		got := m.Got
		if got == "" {
			got = "(no match)"
		}
		fmt.Fprintf(&b, "  %q: expected %s, got %s, score %.3f\n", m.Q, m.Expect, got, m.Score)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
