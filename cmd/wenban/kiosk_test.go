package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"wenban/appliance/kioskhub"
)

func TestKioskRequiresHubAndWindow(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no hub", []string{"kiosk"}, "--hub"},
		{"no window", []string{"kiosk", "--hub", "http://127.0.0.1:1"}, "--window"},
		{"hub without scheme", []string{"kiosk", "--hub", "127.0.0.1:1", "--window", "w1"}, "kiosk.hub"},
		{"no key file", []string{"kiosk", "--hub", "http://127.0.0.1:1", "--window", "w1",
			"--data", "/nonexistent-wenban-data"}, "kiosk key"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, err := wenban(t, tt.args...)
			if err == nil {
				t.Fatalf("got exit status 0, want a failure naming %q", tt.want)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr: got %q, want it to name %q", errOut, tt.want)
			}
		})
	}
}

func TestKioskKeyCreatesWindowKey(t *testing.T) {
	data := t.TempDir()
	out, errOut, err := wenban(t, "kiosk", "key", "--data", data, "--window", "hall-1")
	if err != nil {
		t.Fatalf("wenban kiosk key: %v\n%s", err, errOut)
	}

	lines := strings.Split(strings.TrimSpace(out), "\n")
	key := lines[len(lines)-1]
	if len(key) != 64 {
		t.Fatalf("printed key: got %q, want 64 hex digits", key)
	}
	if !(kioskhub.DirKeys{Dir: filepath.Join(data, "kiosks")}).Verify("hall-1", key) {
		t.Error("the printed key does not verify against the stored one")
	}

	if _, _, err := wenban(t, "kiosk", "key", "--data", data, "--window", "../x"); err == nil {
		t.Error("window ../x: got success, want an invalid-window error")
	}
}

// TestStaticBuild runs `make build` and checks that the binary is one
// statically linked executable, codecs included.
func TestStaticBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("static build takes minutes; skipped in -short")
	}
	for _, tool := range []string{"make", "file", "ldd", "gcc", "pkg-config"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed; .ci/run installs the build tools", tool)
		}
	}

	bin := filepath.Join(t.TempDir(), "wenban")
	build := exec.Command("make", "-C", "../..", "build", "BIN="+bin)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("make build: %v\n%s", err, out)
	}

	out, err := exec.Command("file", bin).Output()
	if err != nil {
		t.Fatalf("file: %v", err)
	}
	if !strings.Contains(string(out), "statically linked") {
		t.Errorf("file output: got %q, want it to say statically linked", out)
	}

	// ldd exits with status 1 for a static binary.
	out, _ = exec.Command("ldd", bin).CombinedOutput()
	if !strings.Contains(string(out), "not a dynamic executable") {
		t.Errorf("ldd output: got %q, want not a dynamic executable", out)
	}

	version, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("running the static binary: %v", err)
	}
	if !strings.HasPrefix(string(version), "wenban ") {
		t.Errorf("version output: got %q, want it to start with \"wenban \"", version)
	}

	if info, err := os.Stat(bin); err == nil {
		t.Logf("static binary: %d MiB", info.Size()>>20)
	}
}
