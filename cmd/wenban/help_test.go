package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestSubcommandHelpExitsZero(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		absent []string
	}{
		{"serve", []string{"serve", "--help"}, nil},
		{"backup", []string{"backup", "--help"}, []string{"--listen", "--log-level"}},
		{"restore", []string{"restore", "--help"}, []string{"--listen", "--log-level"}},
		{"kb import", []string{"kb", "import", "--help"}, []string{"--listen", "--log-level"}},
		{"kb", []string{"kb", "--help"}, nil},
		{"staff list", []string{"staff", "list", "-h"}, []string{"--listen", "--log-level"}},
		{"policy check", []string{"policy", "check", "--help"}, []string{"--listen", "--log-level"}},
		{"media token", []string{"media", "token", "--help"}, []string{"--listen", "--log-level"}},
		{"update status", []string{"update", "status", "--help"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, err := wenban(t, tt.args...)
			if err != nil {
				t.Fatalf("got %v, want exit status 0; stderr %q", err, errOut)
			}
			if errOut == "" {
				t.Errorf("got no help text, want the usage")
			}
			for _, flag := range tt.absent {
				if strings.Contains(errOut, flag) {
					t.Errorf("help lists %s, which this command does not use:\n%s", flag, errOut)
				}
			}
		})
	}
}

func TestKioskHelpListenDefault(t *testing.T) {
	_, errOut, err := wenban(t, "kiosk", "--help")
	if err != nil {
		t.Fatalf("got %v, want exit status 0", err)
	}
	line := regexp.MustCompile(`(?m)^.*--listen.*$`).FindString(errOut)
	if !strings.Contains(line, `"127.0.0.1:8090"`) {
		t.Errorf("kiosk --listen help: got %q, want the kiosk.listen default 127.0.0.1:8090", line)
	}
}

func TestUsageAlignsSummaries(t *testing.T) {
	var w bytes.Buffer
	usage(&w)
	column := -1
	for _, line := range strings.Split(w.String(), "\n") {
		if !strings.HasPrefix(line, "  ") {
			continue
		}
		name := strings.Fields(line)[0]
		at := strings.Index(line, name) + len(name)
		start := at + len(line[at:]) - len(strings.TrimLeft(line[at:], " "))
		if column == -1 {
			column = start
		}
		if start != column {
			t.Errorf("summary of %s starts at byte %d, want %d", name, start, column)
		}
	}
	if column == -1 {
		t.Fatalf("usage lists no commands:\n%s", w.String())
	}
}

func TestUpdateStatusErrorSpeaksOfStatus(t *testing.T) {
	dir := t.TempDir()
	cmdline := filepath.Join(dir, "cmdline")
	if err := os.WriteFile(cmdline, []byte("quiet\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, err := wenban(t, "update", "status", "--esp", dir, "--cmdline", cmdline)
	if err == nil {
		t.Fatalf("got success, want a layout error")
	}
	if !strings.Contains(errOut, "无法读取更新状态") {
		t.Errorf("got %q, want it to say the status could not be read", errOut)
	}
	if strings.Contains(errOut, "无法安装更新") {
		t.Errorf("got %q, which speaks of installing when only the status was requested", errOut)
	}
}

func TestPolicyCheckInvalidSourceInChinese(t *testing.T) {
	_, errOut, err := wenban(t, "policy", "check", "relative-folder")
	if err == nil {
		t.Fatalf("got success, want the relative source rejected")
	}
	if !strings.Contains(errOut, "更新源 relative-folder 无效") {
		t.Errorf("got %q, want the Chinese reason naming the source", errOut)
	}
}
