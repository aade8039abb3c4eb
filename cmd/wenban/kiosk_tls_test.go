package main

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
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

func TestHubCertPathFindsProvisionedFile(t *testing.T) {
	provisioned := t.TempDir()
	if err := os.WriteFile(filepath.Join(provisioned, "hub.pem"), []byte("pem"), 0o644); err != nil {
		t.Fatal(err)
	}
	bare := t.TempDir()

	tests := []struct {
		name   string
		flag   string
		config string
		want   string
	}{
		{"flag wins", "/etc/other.pem", filepath.Join(provisioned, "wenban.yaml"), "/etc/other.pem"},
		{"hub.pem beside the config", "", filepath.Join(provisioned, "wenban.yaml"), filepath.Join(provisioned, "hub.pem")},
		{"no hub.pem beside the config", "", filepath.Join(bare, "wenban.yaml"), ""},
		{"no config", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := pflag.NewFlagSet("kiosk", pflag.ContinueOnError)
			fs.String("config", "", "")
			if tt.config != "" {
				if err := fs.Set("config", tt.config); err != nil {
					t.Fatal(err)
				}
			}
			if got := hubCertPath(tt.flag, fs); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
