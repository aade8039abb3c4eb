package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wenban/appliance/config"
	"wenban/appliance/server"
)

func TestWelcomeKeepsPasswordOutOfTheJournal(t *testing.T) {
	cfg := config.Default()
	cfg.Data = t.TempDir()
	admin := server.Admin{Login: "admin", Password: "Secret-Pass-123", Created: true}

	var terminal bytes.Buffer
	if err := printWelcome(&terminal, cfg, admin, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(terminal.String(), admin.Password) {
		t.Errorf("terminal start: welcome lacks the password:\n%s", terminal.String())
	}

	var journal bytes.Buffer
	if err := printWelcome(&journal, cfg, admin, true); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(journal.String(), admin.Password) {
		t.Errorf("systemd start: the password went to standard output, which the journal keeps")
	}
	path := filepath.Join(cfg.Data, initialPasswordFile)
	raw, err := os.ReadFile(path)
	if err != nil || strings.TrimSpace(string(raw)) != admin.Password {
		t.Fatalf("password file: got %q, %v", raw, err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("password file mode: got %v, want 0600", info.Mode().Perm())
	}
}
