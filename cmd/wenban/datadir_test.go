package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"wenban/appliance/config"
	"wenban/appliance/kb"
	"wenban/appliance/store"
)

// newHubData returns a data folder containing a master key and an empty hub
// database, as the tools find after a first serve.
func newHubData(t *testing.T) string {
	t.Helper()
	cfg := config.Default()
	cfg.Data = t.TempDir()
	master, err := cfg.OpenMasterKey()
	if err != nil {
		t.Fatalf("OpenMasterKey: %v", err)
	}
	db, err := store.Open(cfg.DatabasePath(), master)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("closing store: %v", err)
	}
	return cfg.Data
}

func TestToolsRejectFolderWithoutDatabase(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"staff list", []string{"staff", "list"}},
		{"staff add", []string{"staff", "add", "--login", "clerk1", "--name", "窗口一"}},
		{"staff reset-password", []string{"staff", "reset-password", "--login", "admin"}},
		{"kb train", []string{"kb", "train"}},
		{"kb export", []string{"kb", "export", "out.csv"}},
		{"kb eval", []string{"kb", "eval", "set.jsonl"}},
		{"policy update", []string{"policy", "update", "--source", "/nonexistent-source"}},
		{"backup", []string{"backup", "-o", "out.wbk"}},
		{"media token", []string{"media", "token", "--room", "hall", "--play"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			data := filepath.Join(dir, "data")
			if err := os.Mkdir(data, 0o700); err != nil {
				t.Fatal(err)
			}
			writeToolInputs(t, dir)
			args := append(append([]string{}, tt.args...), "--data", data)
			for i, a := range args {
				if strings.Contains(a, ".") && !strings.HasPrefix(a, "/") {
					args[i] = filepath.Join(dir, a)
				}
			}

			_, errOut, err := wenban(t, args...)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("got %v, want exit status 1; stderr %q", err, errOut)
			}
			for _, want := range []string{"没有问办数据库", data, "--data"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("got message %q, want it to contain %q", errOut, want)
				}
			}
			entries, err := os.ReadDir(data)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 0 {
				t.Errorf("data folder after the run: got %d files (first %s), want none", len(entries), entries[0].Name())
			}
		})
	}
}

// writeToolInputs writes valid input files, so that a tool reaches the
// data folder instead of failing on its input.
func writeToolInputs(t *testing.T, dir string) {
	t.Helper()
	set := `{"q":"二手房过户要带什么材料","expect":"none"}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "set.jsonl"), []byte(set), 0o600); err != nil {
		t.Fatal(err)
	}

	shipped, err := kb.Shipped()
	if err != nil {
		t.Fatalf("kb.Shipped: %v", err)
	}
	var csv bytes.Buffer
	if err := kb.Encode(&csv, kb.FormatCSV, shipped[:1]); err != nil {
		t.Fatalf("kb.Encode: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "in.csv"), csv.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestToolsOpenExistingDatabase(t *testing.T) {
	data := newHubData(t)
	out, errOut, err := wenban(t, "staff", "list", "--data", data)
	if err != nil {
		t.Fatalf("staff list: got %v, want success; stderr %q", err, errOut)
	}
	if out != "" {
		t.Errorf("staff list on an empty database: got %q, want no accounts", out)
	}
}

func TestToolsReportLockedDatabaseInChinese(t *testing.T) {
	data := newHubData(t)
	cfg := config.Default()
	cfg.Data = data
	db, err := openStore(cfg)
	if err != nil {
		t.Fatalf("openStore: %v", err)
	}
	defer db.Close()

	tests := []struct {
		name string
		args []string
	}{
		{"staff list", []string{"staff", "list", "--data", data}},
		{"kb train", []string{"kb", "train", "--data", data}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, err := wenban(t, tt.args...)
			if err == nil {
				t.Fatalf("got success, want the locked database reported")
			}
			for _, want := range []string{"正被问办服务占用", "systemctl stop wenban", "make run", "Ctrl+C"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("got message %q, want it to contain %q", errOut, want)
				}
			}
		})
	}
}

// A knowledge base can be imported before the hub's first start, which is
// how an unseen knowledge base is loaded onto a fresh checkout.
func TestKBImportCreatesDataFolder(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "new-hub")
	file := filepath.Join(dir, "kb.csv")
	csv := "编号,分类,标准问题,相似问题,答案\n" +
		"n-001,测试,新问题一？,问法一,答案一。\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}

	out, errOut, err := wenban(t, "kb", "import", "--data", data, "--replace", file)
	if err != nil {
		t.Fatalf("kb import into a new folder: %v %s", err, errOut)
	}
	if !strings.Contains(out, "共 1 条") {
		t.Errorf("import output %q, want 1 entry in all", out)
	}
	if _, err := os.Stat(filepath.Join(data, "wenban.db")); err != nil {
		t.Errorf("database after import: %v, want it created", err)
	}
}
