package update

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

func TestPullNewestBundle(t *testing.T) {
	served := t.TempDir()
	classDir := filepath.Join(served, testHardware)
	if err := os.MkdirAll(classDir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeBundle(t, classDir, bundleSpec{version: "1.1.0"})
	newest := writeBundle(t, classDir, bundleSpec{version: "1.2.0"})

	mux := http.NewServeMux()
	mux.Handle("GET /firmware/{class}/latest", Handler(served, discard))
	hub := httptest.NewServer(mux)
	defer hub.Close()

	term := newTerminal(t)
	path, err := Pull(context.Background(), term, hub.Client(), hub.URL, t.TempDir(), discard)
	if err != nil {
		t.Fatalf("Pull: %v", err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(newest)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("pulled %d bytes, want the 1.2.0 bundle's %d", len(got), len(want))
	}

	applied, err := Apply(context.Background(), term, path, Options{}, discard)
	if err != nil {
		t.Fatalf("Apply pulled bundle: %v", err)
	}
	if applied.Version.String() != "1.2.0" {
		t.Errorf("applied %s, want 1.2.0", applied.Version)
	}

	setInfo(t, term, "1.2.0", "1.0.0")
	if _, err := Pull(context.Background(), term, hub.Client(), hub.URL, t.TempDir(), discard); !errors.Is(err, ErrNoUpdate) {
		t.Errorf("Pull when up to date: got %v, want ErrNoUpdate", err)
	}
}
