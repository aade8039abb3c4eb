package policy

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"
)

// TestStarterManifestMatchesFiles keeps starter/manifest.json in step with
// the files in starter/docs. After editing a starter document, run
// go test -run TestStarterManifestMatchesFiles -update ./appliance/policy
// to rewrite the manifest.
func TestStarterManifestMatchesFiles(t *testing.T) {
	names, err := filepath.Glob("starter/docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	idLine := regexp.MustCompile(`(?m)^id: (.+)$`)

	want := Manifest{Format: ManifestFormat}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		m := idLine.FindSubmatch(data)
		if m == nil {
			t.Fatalf("%s: no id line in the header", name)
		}
		want.Documents = append(want.Documents, ManifestEntry{
			ID: string(m[1]), Version: starterVersion, SHA256: sha256Hex(data),
			Path: "docs/" + filepath.Base(name), Size: int64(len(data)),
		})
	}

	path := filepath.Join("starter", ManifestName)
	if *update {
		raw, err := json.MarshalIndent(want, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(raw, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	raw, err := fs.ReadFile(starterFiles, "starter/"+ManifestName)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseManifest(raw)
	if err != nil {
		t.Fatalf("starter manifest: %v", err)
	}
	if len(got.Documents) != len(want.Documents) {
		t.Fatalf("starter manifest: got %d documents, want %d (run with -update)", len(got.Documents), len(want.Documents))
	}
	for i := range want.Documents {
		if got.Documents[i] != want.Documents[i] {
			t.Errorf("starter manifest entry %d: got %+v, want %+v (run with -update)", i, got.Documents[i], want.Documents[i])
		}
	}
}

// starterVersion labels every starter document. Change it when the
// starter texts are revised, so that upgraded appliances record a change.
const starterVersion = "2026-12-04"
