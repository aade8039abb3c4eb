package main

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKioskHubTLS(t *testing.T) {
	dir := t.TempDir()
	hubPEM := filepath.Join(dir, "hub.pem")
	if err := os.WriteFile(hubPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: selfSignedDER(t)}), 0o644); err != nil {
		t.Fatal(err)
	}
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "absent.pem")

	tests := []struct {
		name     string
		hub      string
		certPath string
		wantTLS  bool
		wantErr  string
	}{
		{"https hub with hub.pem", "https://10.12.0.5:8443", hubPEM, true, ""},
		{"https hub without a flag", "https://10.12.0.5:8443", "", false, ""},
		{"plain hub ignores the file", "http://10.12.0.5:8080", missing, false, ""},
		{"https hub with a missing file", "https://10.12.0.5:8443", missing, false, "找不到证书文件"},
		{"https hub with junk", "https://10.12.0.5:8443", junk, false, "服务中心证书文件"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := kioskHubTLS(tt.hub, tt.certPath)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("got error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			if got := cfg != nil; got != tt.wantTLS {
				t.Errorf("TLS config: got %v, want %v", got, tt.wantTLS)
			}
			if cfg != nil && cfg.RootCAs == nil {
				t.Error("RootCAs: got nil (system roots), want hub.pem only")
			}
		})
	}
}
