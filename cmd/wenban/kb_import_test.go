package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"wenban/appliance/config"
	"wenban/appliance/kb"
	"wenban/appliance/store"
)

// writeEntries writes entries to a CSV file in a temporary folder.
func writeEntries(t *testing.T, entries []kb.Entry) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "import.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := kb.Encode(f, kb.FormatCSV, entries); err != nil {
		t.Fatal(err)
	}
	return path
}

// exportedCount exports the data folder's knowledge base and returns the
// number of entries in the file.
func exportedCount(t *testing.T, data string) int {
	t.Helper()
	path := filepath.Join(t.TempDir(), "export.jsonl")
	if _, errOut, err := wenban(t, "kb", "export", "--data", data, path); err != nil {
		t.Fatalf("export: %v\n%s", err, errOut)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := kb.Decode(f, kb.FormatJSONL)
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// newSeededHubData returns a hub data folder whose live knowledge base is
// the shipped one, as after the hub's first start.
func newSeededHubData(t *testing.T) string {
	t.Helper()
	cfg := config.Default()
	cfg.Data = newHubData(t)
	master, err := cfg.OpenMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(cfg.DatabasePath(), master)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, _, err := kb.Seed(db, time.Now()); err != nil {
		t.Fatalf("kb.Seed: %v", err)
	}
	return cfg.Data
}

func TestKBImportReplaceLossNeedsForce(t *testing.T) {
	shipped, err := kb.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	total := len(shipped)
	half := shipped[:total/2+total%2]

	tests := []struct {
		name    string
		entries []kb.Entry
		force   bool
		wantErr bool
		warned  bool
		want    int
	}{
		{"one row rejected", shipped[:1], false, true, false, total},
		{"one row forced", shipped[:1], true, false, true, 1},
		// --force here only overrides the retrain gate, whose verdict on
		// half the entries is not what this test is about.
		{"half kept", half, true, false, false, len(half)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := newSeededHubData(t)
			args := []string{"kb", "import", "--data", data, "--replace"}
			if tt.force {
				args = append(args, "--force")
			}
			out, errOut, err := wenban(t, append(args, writeEntries(t, tt.entries))...)

			lost := strconv.Itoa(total - len(tt.entries))
			remain := strconv.Itoa(len(tt.entries))
			switch {
			case tt.wantErr:
				var exit *exec.ExitError
				if !errors.As(err, &exit) || exit.ExitCode() != 1 {
					t.Fatalf("got %v, want exit status 1; stdout %q", err, out)
				}
				for _, want := range []string{lost + " 条被删除或停用", "只保留 " + remain + " 条", "--force", "知识库保持不变"} {
					if !strings.Contains(errOut, want) {
						t.Errorf("got stderr %q, want it to contain %q", errOut, want)
					}
				}
			case err != nil:
				t.Fatalf("import: %v\n%s", err, errOut)
			case tt.warned:
				if want := lost + " 条已删除或停用，保留 " + remain + " 条"; !strings.Contains(out, want) {
					t.Errorf("got stdout %q, want the warning %q", out, want)
				}
			case strings.Contains(out, "整体替换"):
				t.Errorf("got stdout %q, want no warning when at most half goes", out)
			}
			if got := exportedCount(t, data); got != tt.want {
				t.Errorf("got %d entries after the import, want %d", got, tt.want)
			}
		})
	}
}

func TestKBImportChecksCitations(t *testing.T) {
	shipped, err := kb.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	uncited := shipped[0]
	uncited.Basis = []string{"不存在的法规#第一条"}

	data := filepath.Join(t.TempDir(), "data")
	_, errOut, err := wenban(t, "kb", "import", "--data", data, writeEntries(t, []kb.Entry{uncited}))
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("got %v, want exit status 1; stderr %q", err, errOut)
	}
	for _, want := range []string{"条目 " + uncited.ID, "政策法规库中没有编号为“不存在的法规”的文件", "知识库保持不变"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("got stderr %q, want it to contain %q", errOut, want)
		}
	}

	// The knowledge base's own export cites only documents of the starter
	// library, which a new data folder gets before the check.
	export := filepath.Join(t.TempDir(), "export.csv")
	if _, errOut, err := wenban(t, "kb", "export", "--data", data, export); err != nil {
		t.Fatalf("export: %v\n%s", err, errOut)
	}
	if _, errOut, err := wenban(t, "kb", "import", "--data", data, export); err != nil {
		t.Errorf("re-importing the export: got %v, want success\n%s", err, errOut)
	}
}
