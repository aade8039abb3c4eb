package bot

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"wenban/appliance/kb"
)

// loadShippedKB returns the knowledge base built into the binary.
func loadShippedKB(t testing.TB) []kb.Entry {
	t.Helper()
	entries, err := kb.Shipped()
	if err != nil {
		t.Fatalf("loading shipped knowledge base: %v", err)
	}
	if len(entries) == 0 {
		t.Skip("shipped knowledge base has no entries yet")
	}
	return entries
}

// newTestEngine builds an engine over entries and closes it when the test
// ends.
func newTestEngine(t testing.TB, entries []kb.Entry, opts Options) *Engine {
	t.Helper()
	e, err := New(entries, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return e
}

// loadCases reads a case file from testdata, or skips the test when it does
// not exist.
func loadCases(t testing.TB, name string) []Case {
	t.Helper()
	path := filepath.Join("testdata", name)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("case file %s does not exist yet", path)
	}
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

// loadEmbeddedLexicon returns a normalizer and the embedded lexicon, or ends
// the test when either fails to load.
func loadEmbeddedLexicon(t testing.TB) (*normalizer, *lexicon) {
	t.Helper()
	n, err := newNormalizer()
	if err != nil {
		t.Fatalf("newNormalizer: %v", err)
	}
	lx, err := loadLexicon(n, "")
	if err != nil {
		t.Fatalf("loadLexicon: %v", err)
	}
	return n, lx
}
