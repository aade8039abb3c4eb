package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPolicyCheckStarterSource(t *testing.T) {
	starter, err := filepath.Abs("../../appliance/policy/starter")
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, err := wenban(t, "policy", "check", starter)
	if err != nil {
		t.Fatalf("policy check: %v %s", err, errOut)
	}
	if !strings.Contains(out, "已完成：新增 15 件") {
		t.Errorf("policy check output: got %q, want 15 documents added", out)
	}
}

func TestPolicyUpdateRejectsEscapingPath(t *testing.T) {
	src := t.TempDir()
	manifest := `{"format":1,"documents":[{"id":"a","version":"1","sha256":"` +
		strings.Repeat("0", 64) + `","path":"../outside.md"}]}`
	if err := os.WriteFile(filepath.Join(src, "manifest.json"), []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}

	data := newHubData(t)
	out, _, err := wenban(t, "policy", "update", "--data", data, "--source", src)
	if err == nil {
		t.Fatalf("policy update: got success, want the run rejected; output %q", out)
	}
	if !strings.Contains(out, "指向更新源之外") || !strings.Contains(out, "政策法规库保持不变") {
		t.Errorf("policy update output: got %q, want the path reason and the unchanged notice", out)
	}
}
