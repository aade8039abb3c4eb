package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestBackupRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	data := newHubData(t)
	if _, errOut, err := wenban(t, "staff", "add", "--data", data, "--login", "clerk1", "--name", "窗口一", "--password", "Passw0rd-123456"); err != nil {
		t.Logf("staff add (only seeds the database): %v\n%s", err, errOut)
	}
	if err := os.MkdirAll(filepath.Join(data, "blobs"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "blobs", "x"), []byte("attachment"), 0o600); err != nil {
		t.Fatal(err)
	}

	file := filepath.Join(dir, "backup.wbk")
	out, errOut, err := wenban(t, "backup", "--data", data, "-o", file)
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, errOut)
	}
	key := regexp.MustCompile(`[a-z2-7]{4}(-[a-z2-7]{4}){7}`).FindString(out)
	if key == "" {
		t.Fatalf("backup printed no recovery key:\n%s", out)
	}
	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	target := filepath.Join(dir, "restored")
	out, errOut, err = wenban(t, "restore", "--data", target, "--recovery-key-file", keyFile, file)
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "已将备份") {
		t.Errorf("restore output %q lacks the confirmation", out)
	}
	got, err := os.ReadFile(filepath.Join(target, "blobs", "x"))
	if err != nil || string(got) != "attachment" {
		t.Errorf("got restored blob %q (%v), want %q", got, err, "attachment")
	}

	// A second restore into the now non-empty folder needs --force.
	_, errOut, err = wenban(t, "restore", "--data", target, "--recovery-key-file", keyFile, file)
	if err == nil || !strings.Contains(errOut, "--force") {
		t.Errorf("restore into a full folder: got error %v, stderr %q, want the --force hint", err, errOut)
	}
}
