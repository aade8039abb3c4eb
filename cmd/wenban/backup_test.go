package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
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

// wenbanWithEnv runs the binary like wenban with the extra variables set.
func wenbanWithEnv(t *testing.T, env []string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(binary, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.Env = append(cleanEnv(), env...)
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

func TestBackupRestoreWithRecoveryKeyEnv(t *testing.T) {
	dir := t.TempDir()
	data := newHubData(t)
	env := []string{recoveryKeyEnv + "=qrst-uvwx-yz23-4567-abcd-efgh"}

	file := filepath.Join(dir, "backup.wbk")
	out, errOut, err := wenbanWithEnv(t, env, "backup", "--data", data, "-o", file)
	if err != nil {
		t.Fatalf("backup with %s set: got %v, want success\n%s", recoveryKeyEnv, err, errOut)
	}
	if strings.Contains(out, "备份恢复密钥（只显示这一次") {
		t.Errorf("backup output %q shows a generated key, want the key from %s used", out, recoveryKeyEnv)
	}

	target := filepath.Join(dir, "restored")
	out, errOut, err = wenbanWithEnv(t, env, "restore", "--data", target, file)
	if err != nil {
		t.Fatalf("restore with %s set: got %v, want success\n%s", recoveryKeyEnv, err, errOut)
	}
	if !strings.Contains(out, "已将备份") {
		t.Errorf("restore output %q lacks the confirmation", out)
	}
	if _, err := os.Stat(filepath.Join(target, "master.key")); err != nil {
		t.Errorf("restored master key: %v", err)
	}
}

func TestBackupRejectsShortKey(t *testing.T) {
	dir := t.TempDir()
	data := newHubData(t)
	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte("abcd-efgh\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		env  []string
		args []string
	}{
		{"environment", []string{recoveryKeyEnv + "=abcd-efgh"}, nil},
		{"key file", nil, []string{"--recovery-key-file", keyFile}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, tt.name+".wbk")
			args := append([]string{"backup", "--data", data, "-o", file}, tt.args...)
			_, errOut, err := wenbanWithEnv(t, tt.env, args...)
			if err == nil {
				t.Fatalf("got success, want the short key rejected")
			}
			for _, want := range []string{"恢复密钥过短", "至少需要 16 个字符", "由它生成"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("got message %q, want it to contain %q", errOut, want)
				}
			}
			if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("backup file after rejection: got %v, want none", err)
			}
		})
	}
}

func TestBackupOutputErrorsInChinese(t *testing.T) {
	data := newHubData(t)
	missing := filepath.Join(t.TempDir(), "no-such-folder")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
	}{
		{"without -o", []string{"backup", "--data", data}, 2, []string{"缺少 -o", "usage: wenban backup"}},
		{"missing folder", []string{"backup", "--data", data, "-o", filepath.Join(missing, "x.wbk")}, 1, []string{missing, "不存在"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, err := wenban(t, tt.args...)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != tt.wantCode {
				t.Fatalf("got %v, want exit status %d; stderr %q", err, tt.wantCode, errOut)
			}
			for _, want := range tt.want {
				if !strings.Contains(errOut, want) {
					t.Errorf("got message %q, want it to contain %q", errOut, want)
				}
			}
			if strings.Contains(errOut, "no such file") {
				t.Errorf("got message %q, want no English system error", errOut)
			}
		})
	}
}
