package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wenban/appliance/config"
	"wenban/appliance/media/token"
)

func TestMediaTokenVerifiesWithStoreKey(t *testing.T) {
	data := newHubData(t)
	cfg := config.Default()
	cfg.Data = data
	db, err := openStore(cfg)
	if err != nil {
		t.Fatalf("openStore: %v", err)
	}

	// The hub holds the database open while a technician issues a token.
	out, errOut, err := wenban(t, "media", "token", "--data", data, "--room", "hall", "--publish", "--ttl", "10m")
	if err != nil {
		t.Fatalf("media token: %v %s", err, errOut)
	}
	tok := strings.TrimSpace(out)
	db.Close()

	master, err := cfg.OpenMasterKey()
	if err != nil {
		t.Fatalf("OpenMasterKey: %v", err)
	}
	signer, err := token.FromMaster(master)
	if err != nil {
		t.Fatalf("FromMaster: %v", err)
	}
	c, err := signer.Authorize(tok, "hall", token.PermissionPublish, time.Now())
	if err != nil {
		t.Fatalf("Authorize printed token: %v", err)
	}
	if left := time.Until(c.Expires); left > 10*time.Minute || left < 9*time.Minute {
		t.Errorf("got token lifetime %s, want about 10m", left)
	}
}

func TestMediaTokenUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"no subcommand", []string{"media"}},
		{"no room", []string{"media", "token", "--publish"}},
		{"both permissions", []string{"media", "token", "--room", "r", "--publish", "--play"}},
		{"no permission", []string{"media", "token", "--room", "r"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(tt.args, "--data", t.TempDir())
			_, _, err := wenban(t, args...)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 {
				t.Errorf("got %v, want exit status 2 for a usage error", err)
			}
		})
	}
}

func TestMediaTokenNeedsHubData(t *testing.T) {
	data := t.TempDir()
	_, errOut, err := wenban(t, "media", "token", "--data", data, "--room", "hall", "--play")

	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("got %v, want exit status 1 for a folder without a database", err)
	}
	if !strings.Contains(errOut, "没有问办数据库") {
		t.Errorf("got message %q, want it to say the folder has no database", errOut)
	}
	if _, err := os.Stat(filepath.Join(data, "master.key")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("master.key in an empty folder: got %v, want none created", err)
	}
}
