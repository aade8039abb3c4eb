package main

import (
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"wenban/appliance/config"
	"wenban/appliance/server"
)

func TestServeTakenPortLeavesDataUntouched(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	data := filepath.Join(t.TempDir(), "data")

	out, errOut, err := wenban(t, "serve", "--data", data, "--listen", ln.Addr().String())
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("got %v, want exit status 1; stderr %q", err, errOut)
	}
	if !strings.Contains(errOut, ln.Addr().String()) || !strings.Contains(errOut, "--listen") {
		t.Errorf("got message %q, want the address and the --listen flag named", errOut)
	}
	if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("data folder after a failed bind: got %v, want it not created", err)
	}
	if strings.Contains(out, "管理员账号") {
		t.Errorf("stdout %q speaks of an administrator that must not exist", out)
	}
}

func TestLostAdminPasswordShown(t *testing.T) {
	cfg := config.Default()
	cfg.Data = t.TempDir()
	tests := []struct {
		name    string
		admin   server.Admin
		journal bool
		want    string
	}{
		{"terminal", server.Admin{Login: "admin", Password: "Secret-Pass-123", Created: true}, false, "Secret-Pass-123"},
		{"systemd", server.Admin{Login: "admin", Password: "Secret-Pass-456", Created: true}, true, initialPasswordFile},
		{"existing accounts", server.Admin{}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w bytes.Buffer
			printLostAdmin(&w, cfg, tt.admin, tt.journal)
			if tt.want == "" {
				if w.Len() != 0 {
					t.Errorf("got %q, want no output", w.String())
				}
				return
			}
			if !strings.Contains(w.String(), tt.want) {
				t.Errorf("got %q, want it to contain %q", w.String(), tt.want)
			}
			if tt.journal && strings.Contains(w.String(), tt.admin.Password) {
				t.Errorf("systemd start: the password went to standard output, which the journal keeps")
			}
		})
	}
}
