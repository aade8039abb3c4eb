package bot

import "testing"

// BenchmarkAsk measures the ask path on the shipped knowledge base over the
// development questions, which mix short, long, colloquial and off-topic
// ones.
func BenchmarkAsk(b *testing.B) {
	e := newTestEngine(b, loadShippedKB(b), Options{})
	cases := loadCases(b, "dev.jsonl")
	cases = append(cases, loadCases(b, "dev3.jsonl")...)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Ask(cases[i%len(cases)].Q)
	}
}

// BenchmarkNew measures training on the shipped knowledge base.
func BenchmarkNew(b *testing.B) {
	entries := loadShippedKB(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		e, err := New(entries, Options{})
		if err != nil {
			b.Fatalf("New: %v", err)
		}
		if err := e.Close(); err != nil {
			b.Fatalf("Close: %v", err)
		}
	}
}

// BenchmarkNewThousandEntries trains on 1,000 entries of the synthetic
// knowledge base (see syntheticKB), whose copies differ in words as the
// entries of a real one do. Training must stay under 10 s.
func BenchmarkNewThousandEntries(b *testing.B) {
	entries := syntheticKB(b, 1000)
	for b.Loop() {
		e, err := New(entries, Options{})
		if err != nil {
			b.Fatal(err)
		}
		e.Close()
	}
}
