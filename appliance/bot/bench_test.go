package bot

import (
	"fmt"
	"testing"

	"wenban/appliance/kb"
)

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

// BenchmarkNewThousandEntries trains on 1,000 entries: the shipped
// knowledge base repeated with new ids. Training must stay under 10 s.
func BenchmarkNewThousandEntries(b *testing.B) {
	shipped := loadShippedKB(b)
	var entries []kb.Entry
	for i := 0; len(entries) < 1000; i++ {
		en := shipped[i%len(shipped)]
		en.ID = fmt.Sprintf("%s-%d", en.ID, i/len(shipped))
		entries = append(entries, en)
	}
	for b.Loop() {
		e, err := New(entries, Options{})
		if err != nil {
			b.Fatal(err)
		}
		e.Close()
	}
}
