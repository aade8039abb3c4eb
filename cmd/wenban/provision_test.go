package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestProvisionHubKeepsTLS(t *testing.T) {
	dir := t.TempDir()
	args := []string{"provision", "--role", "hub", "--ntp", "10.12.0.1", "--listen", "0.0.0.0:8443",
		"--dir", dir, "--recovery-key-file", filepath.Join(dir, "no-recovery-key")}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("first provision: %v (stderr %q)", err, errOut.String())
	}

	config := filepath.Join(dir, "wenban.yaml")
	operator := "listen: 0.0.0.0:8443\ntls:\n  mode: auto\n  hosts: [10.12.0.5]\n"
	if err := os.WriteFile(config, []byte(operator), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("second provision: %v (stderr %q)", err, errOut.String())
	}

	if want := "已保留配置文件 wenban.yaml 中原有的设置：tls。"; !strings.Contains(out.String(), want) {
		t.Errorf("output: got %q, want it to contain %q", out.String(), want)
	}
	data, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tls:", "mode: auto", "hosts: [10.12.0.5]", "listen: 0.0.0.0:8443"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("wenban.yaml: got %q, want it to contain %q", data, want)
		}
	}
}
