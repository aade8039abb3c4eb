package main

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"wenban/appliance/config"
	"wenban/appliance/media/token"
)

func TestMediaTokenVerifiesWithStoreKey(t *testing.T) {
	data := t.TempDir()
	out, errOut, err := wenban(t, "media", "token", "--data", data, "--room", "hall", "--publish", "--ttl", "10m")
	if err != nil {
		t.Fatalf("media token: %v %s", err, errOut)
	}
	tok := strings.TrimSpace(out)

	cfg := config.Default()
	cfg.Data = data
	db, err := openStore(cfg)
	if err != nil {
		t.Fatalf("openStore: %v", err)
	}
	defer db.Close()
	signer, err := token.OpenSigner(db)
	if err != nil {
		t.Fatalf("OpenSigner: %v", err)
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
