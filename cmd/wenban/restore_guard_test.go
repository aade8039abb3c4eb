package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"wenban/appliance/config"
	"wenban/appliance/store"
)

// writeTestBackup backs up data with a fixed recovery key and returns the
// backup file and the key file.
func writeTestBackup(t *testing.T, data string) (file, keyFile string) {
	t.Helper()
	dir := t.TempDir()
	keyFile = filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte("abcd-efgh-ijkl-mnop-qrst-uvwx-yz23-4567\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	file = filepath.Join(dir, "backup.wbk")
	if _, errOut, err := wenban(t, "backup", "--data", data, "-o", file, "--recovery-key-file", keyFile); err != nil {
		t.Fatalf("backup: %v\n%s", err, errOut)
	}
	return file, keyFile
}

func TestRestoreRejectsHeldDatabase(t *testing.T) {
	file, keyFile := writeTestBackup(t, newHubData(t))
	target := newHubData(t)
	marker := filepath.Join(target, "marker")
	if err := os.WriteFile(marker, []byte("live"), 0o600); err != nil {
		t.Fatal(err)
	}

	// Hold the database as a running hub does: store.Open takes bbolt's
	// exclusive lock until Close.
	cfg := config.Default()
	cfg.Data = target
	master, err := cfg.OpenMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(cfg.DatabasePath(), master)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	_, errOut, err := wenban(t, "restore", "--data", target, "--force", "--recovery-key-file", keyFile, file)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("got %v, want exit status 1; stderr %q", err, errOut)
	}
	for _, want := range []string{target, "systemctl stop wenban", "Ctrl+C", "未恢复任何数据"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("got stderr %q, want it to contain %q", errOut, want)
		}
	}
	if got, err := os.ReadFile(marker); err != nil || string(got) != "live" {
		t.Errorf("got marker %q (%v), want the held folder untouched", got, err)
	}
	if aside, _ := filepath.Glob(target + ".replaced-*"); len(aside) != 0 {
		t.Errorf("got folders moved aside %v, want none", aside)
	}
}

func TestRestoreAfterHubStopsPrintsHubTime(t *testing.T) {
	file, keyFile := writeTestBackup(t, newHubData(t))
	target := newHubData(t)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}

	out, errOut, err := wenbanWithEnv(t, []string{"TZ=UTC"}, "restore", "--data", target, "--force", "--recovery-key-file", keyFile, file)
	if err != nil {
		t.Fatalf("restore of a stopped hub's folder: %v\n%s", err, errOut)
	}
	m := regexp.MustCompile(`制作于 (\d{4}-\d\d-\d\d \d\d:\d\d)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("got output %q, want the backup's time", out)
	}
	created, err := time.ParseInLocation("2006-01-02 15:04", m[1], shanghai)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(created); d < 0 || d > 10*time.Minute {
		t.Errorf("got backup time %s, %v from now, want the current Beijing time", m[1], d)
	}
	if !strings.Contains(out, "原数据目录已移到 "+target+".replaced-") {
		t.Errorf("got output %q, want where the old folder went", out)
	}
}
