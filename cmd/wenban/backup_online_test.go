package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"wenban/appliance/audit"
	"wenban/appliance/config"
	"wenban/appliance/control"
	"wenban/appliance/store"
)

// startServe runs `wenban serve` on data and waits until it answers
// /healthz. The hub is stopped with SIGTERM at the end of the test.
func startServe(t *testing.T, data string) string {
	t.Helper()
	addr := freePort(t)
	cmd := exec.Command(binary, "serve", "--data", data, "--listen", addr)
	cmd.Env = cleanEnv()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})

	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return "http://" + addr
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("hub did not become healthy; stderr:\n%s", stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestBackupWhileHubServes(t *testing.T) {
	dir := t.TempDir()
	data := newHubData(t)
	addStaff(t, data, "duty01")
	if err := os.MkdirAll(filepath.Join(data, "attachments"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "attachments", "upload.part"), []byte("half an upload"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := startServe(t, data)
	if !control.Running(control.SocketPath(data)) {
		t.Fatal("the serving hub has no control socket")
	}

	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte("abcd-efgh-ijkl-mnop-qrst-uvwx-yz23-4567\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "online.wbk")
	out, errOut, err := wenban(t, "backup", "--data", data, "-o", file, "--recovery-key-file", keyFile)
	if err != nil {
		t.Fatalf("backup while serving: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "服务未中断") {
		t.Errorf("got backup output %q, want it to say the service kept running", out)
	}

	// The hub kept serving through the backup.
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("healthz after the backup: got %d, want 200", resp.StatusCode)
	}

	target := filepath.Join(dir, "restored")
	if _, errOut, err := wenban(t, "restore", "--data", target, "--recovery-key-file", keyFile, file); err != nil {
		t.Fatalf("restore: %v\n%s", err, errOut)
	}
	if out, errOut, err := wenban(t, "staff", "list", "--data", target); err != nil || !strings.Contains(out, "duty01") {
		t.Errorf("staff list on the restored folder: got %q (%v, %s), want duty01", out, err, errOut)
	}
	for _, left := range []string{"attachments/upload.part", control.SocketName} {
		if _, err := os.Lstat(filepath.Join(target, left)); !os.IsNotExist(err) {
			t.Errorf("restored folder has %s (%v), want it left out of an online backup", left, err)
		}
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, ".online.wbk.tmp*")); len(matches) != 0 {
		t.Errorf("temporary backup files left behind: %v", matches)
	}

	// The first backup is on the audit trail, which a second one carries.
	second := filepath.Join(dir, "second.wbk")
	if _, errOut, err := wenban(t, "backup", "--data", data, "-o", second, "--recovery-key-file", keyFile); err != nil {
		t.Fatalf("second backup: %v\n%s", err, errOut)
	}
	target2 := filepath.Join(dir, "restored2")
	if _, errOut, err := wenban(t, "restore", "--data", target2, "--recovery-key-file", keyFile, second); err != nil {
		t.Fatalf("restore of the second backup: %v\n%s", err, errOut)
	}
	if got := auditedActions(t, target2, audit.Filter{Group: "system"}); len(got) != 1 || got[0].Action != audit.BackupWritten || got[0].ActorID != audit.CLIActor {
		t.Errorf("system entries on the audit trail: got %+v, want the first online backup", got)
	}
}

// auditedActions opens the data folder's database and lists its audit
// trail under f.
func auditedActions(t *testing.T, data string, f audit.Filter) []audit.Entry {
	t.Helper()
	cfg := config.Default()
	cfg.Data = data
	master, err := cfg.OpenMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(cfg.DatabasePath(), master)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	entries, _, err := audit.New(db, audit.Options{}).List(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return entries
}
