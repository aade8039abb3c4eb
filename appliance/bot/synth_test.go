package bot

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"
	"time"

	"wenban/appliance/kb"
)

// placeChars are the characters of the county names that tell copies of a
// shipped entry apart in a synthetic knowledge base.
const placeChars = "安平永宁新华兴隆清河阳山桃源石门临澧汉寿澧县津市慈利桑植龙山保靖古丈凤凰泸溪吉首花垣辰溪溆浦会同靖州通道芷江新晃麻阳洪江中方沅陵"

// syntheticPlaces returns n distinct two-character county names.
func syntheticPlaces(n int) []string {
	chars := []rune(placeChars)
	seen := make(map[string]bool)
	var out []string
	for i := 0; len(out) < n; i++ {
		a, b := chars[i%len(chars)], chars[(i/len(chars)+i)%len(chars)]
		name := string([]rune{a, b}) + "县"
		if a == b || seen[name] {
			if i > 100*n {
				panic(fmt.Sprintf("cannot make %d place names", n))
			}
			continue
		}
		seen[name] = true
		out = append(out, name)
	}
	return out
}

// syntheticKB returns n entries: the shipped knowledge base first, then
// copies of it whose every phrasing and answer names one county, so each
// copy is a distinct entry with words of its own, as the entries of a
// large provincial knowledge base differ by place and case.
func syntheticKB(t testing.TB, n int) []kb.Entry {
	t.Helper()
	shipped := loadShippedKB(t)
	places := syntheticPlaces(n/len(shipped) + 1)
	entries := make([]kb.Entry, 0, n)
	for i := 0; len(entries) < n; i++ {
		en := shipped[i%len(shipped)]
		copyNo := i / len(shipped)
		if copyNo > 0 {
			en = placedEntry(en, places[copyNo])
			en.ID = fmt.Sprintf("%s-%d", en.ID, copyNo)
		}
		entries = append(entries, en)
	}
	return entries
}

func placedEntry(en kb.Entry, place string) kb.Entry {
	out := en
	out.Question = place + en.Question
	out.Similar = make([]string, len(en.Similar))
	for i, s := range en.Similar {
		out.Similar[i] = place + s
	}
	out.Answer = place + en.Answer
	return out
}

// syntheticQuestions returns the development questions, each naming one
// county of the synthetic knowledge base at random, so questions reach
// every copy.
func syntheticQuestions(t testing.TB, entries int) []string {
	t.Helper()
	cases := loadCases(t, "dev.jsonl")
	cases = append(cases, loadCases(t, "dev3.jsonl")...)
	places := syntheticPlaces(entries/196 + 1)
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]string, len(cases))
	for i, c := range cases {
		out[i] = places[rng.IntN(len(places))] + c.Q
	}
	return out
}

// benchEngines caches one engine per knowledge-base size, because the
// benchmark framework calls a benchmark several times with growing b.N and
// training 5,000 entries each time would cost minutes. The engines stay
// open until the test binary exits.
var benchEngines = map[int]*Engine{}

func benchmarkAskEntries(b *testing.B, n int) {
	e, ok := benchEngines[n]
	if !ok {
		start := time.Now()
		var err error
		e, err = New(syntheticKB(b, n), Options{})
		if err != nil {
			b.Fatalf("New: %v", err)
		}
		b.Logf("trained %d entries in %v, threshold %.3f", n, time.Since(start), e.Threshold())
		benchEngines[n] = e
	}
	runtime.GC()
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	questions := syntheticQuestions(b, n)
	latencies := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		e.Ask(questions[i%len(questions)])
		latencies = append(latencies, time.Since(start))
	}
	b.StopTimer()
	b.ReportMetric(float64(percentile(latencies, 0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(latencies, 0.99).Microseconds())/1000, "p99-ms")
	// The heap holds every engine cached so far, so the figure of the
	// largest size is an upper bound on that engine alone.
	b.ReportMetric(float64(mem.HeapAlloc)/(1<<20), "heap-MiB")
}

// BenchmarkAsk150 and its siblings measure the ask path on synthetic
// knowledge bases of 150, 1,000 and 5,000 entries and report the p50 and
// p99 latency of single questions besides the mean.
func BenchmarkAsk150(b *testing.B)  { benchmarkAskEntries(b, 150) }
func BenchmarkAsk1000(b *testing.B) { benchmarkAskEntries(b, 1000) }
func BenchmarkAsk5000(b *testing.B) { benchmarkAskEntries(b, 5000) }

// TestTrainingTimeSynthetic logs how long New takes on synthetic knowledge
// bases of 1,000 and 5,000 entries. It runs with BOT_TRAINING_TIME set
// only, because it takes tens of seconds.
func TestTrainingTimeSynthetic(t *testing.T) {
	if os.Getenv("BOT_TRAINING_TIME") == "" {
		t.Skip("BOT_TRAINING_TIME not set")
	}
	for _, n := range []int{1000, 5000} {
		entries := syntheticKB(t, n)
		start := time.Now()
		e := newTestEngine(t, entries, Options{})
		t.Logf("%d entries: trained in %v, threshold %.3f", n, time.Since(start), e.Threshold())
	}
}

func TestSyntheticKBDistinct(t *testing.T) {
	entries := syntheticKB(t, 1000)
	if len(entries) != 1000 {
		t.Fatalf("got %d entries, want 1000", len(entries))
	}
	if err := kb.ValidateAll(entries); err != nil {
		t.Fatalf("synthetic entries invalid: %v", err)
	}
	questions := make(map[string]bool)
	for _, en := range entries {
		if questions[en.Question] {
			t.Errorf("question %q appears twice", en.Question)
		}
		questions[en.Question] = true
	}
}
