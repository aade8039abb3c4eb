package provision

import (
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	"wenban/appliance/testcert"
)

func testCertificatePEM(t *testing.T) ([]byte, []byte) {
	return testcert.CA(t, "test hub CA")
}

func readYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("parsing %s: %v\n%s", path, err, data)
	}
	return doc
}

func TestWriteKeepsOperatorSections(t *testing.T) {
	hub := Settings{Role: RoleHub, NTPServer: "10.12.0.1", Listen: "0.0.0.0:8080"}
	kiosk := Settings{Role: RoleKiosk, HubURL: "https://10.12.0.5:8443", WindowID: "w02", NTPServer: "10.12.0.1"}
	_, certPEM := testCertificatePEM(t)
	kiosk.HubCertificate = string(certPEM)

	tests := []struct {
		name     string
		first    Settings
		operator string // wenban.yaml as the operator left it; empty keeps the first Write's
		second   Settings
		wantKept []string
		want     map[string]string // dotted path to the expected value
		absent   []string          // top-level keys that must be gone
	}{
		{
			name:  "hub keeps tls and media",
			first: hub,
			operator: "listen: 0.0.0.0:8080\n# HTTPS for the seats.\ntls:\n  mode: auto\n  hosts: [10.12.0.5]\n" +
				"media:\n  token_ttl: 2h\n",
			second:   Settings{Role: RoleHub, NTPServer: "10.12.0.1", Listen: "0.0.0.0:8443"},
			wantKept: []string{"tls", "media"},
			want:     map[string]string{"listen": "0.0.0.0:8443", "tls.mode": "auto", "media.token_ttl": "2h"},
		},
		{
			name:     "hub provisioned twice unchanged",
			first:    hub,
			second:   hub,
			wantKept: nil,
			want:     map[string]string{"listen": "0.0.0.0:8080"},
		},
		{
			name:  "kiosk keeps camera settings",
			first: kiosk,
			operator: "kiosk:\n  hub: https://10.12.0.5:8443\n  window: w02\n  camera:\n    device: /dev/video2\n" +
				"log:\n  level: debug\n",
			second:   Settings{Role: RoleKiosk, HubURL: "https://10.12.0.6:8443", WindowID: "w03", NTPServer: "10.12.0.1", HubCertificate: string(certPEM)},
			wantKept: []string{"log", "kiosk.camera"},
			want: map[string]string{"kiosk.hub": "https://10.12.0.6:8443", "kiosk.window": "w03",
				"kiosk.camera.device": "/dev/video2", "log.level": "debug"},
		},
		{
			name:     "role change starts afresh",
			first:    hub,
			operator: "listen: 0.0.0.0:8080\ntls:\n  mode: auto\n",
			second:   kiosk,
			wantKept: nil,
			want:     map[string]string{"kiosk.window": "w02"},
			absent:   []string{"tls", "listen"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "wenban.yaml")
			if _, err := Write(dir, tt.first); err != nil {
				t.Fatalf("first Write: %v", err)
			}
			if tt.operator != "" {
				if err := os.WriteFile(path, []byte(tt.operator), 0o644); err != nil {
					t.Fatal(err)
				}
			}

			got, err := Write(dir, tt.second)
			if err != nil {
				t.Fatalf("second Write: %v", err)
			}
			if !slices.Equal(got.Kept, tt.wantKept) {
				t.Errorf("Kept: got %q, want %q", got.Kept, tt.wantKept)
			}
			doc := readYAML(t, path)
			for key, want := range tt.want {
				if value := lookUp(doc, key); value != want {
					t.Errorf("%s: got %q, want %q", key, value, want)
				}
			}
			for _, key := range tt.absent {
				if _, ok := doc[key]; ok {
					t.Errorf("%s: got %v, want no such key", key, doc[key])
				}
			}
		})
	}
}

func TestWriteKeepsOperatorComments(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "wenban.yaml")
	hub := Settings{Role: RoleHub, NTPServer: "10.12.0.1"}
	if _, err := Write(dir, hub); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path, "# Seats reach the hub by address.\ntls:\n  mode: auto # local CA\n")

	if _, err := Write(dir, hub); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Seats reach the hub by address.", "# local CA", "listen: 127.0.0.1:8080"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("wenban.yaml: got %q, want it to contain %q", data, want)
		}
	}
}

func TestWriteRejectsBrokenConfig(t *testing.T) {
	tests := []struct {
		name   string
		config string
	}{
		{"invalid YAML", "tls: [mode: auto\n"},
		{"list at the top", "- listen\n- tls\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "wenban.yaml")
			if err := os.WriteFile(path, []byte(tt.config), 0o644); err != nil {
				t.Fatal(err)
			}

			_, err := Write(dir, Settings{Role: RoleHub, NTPServer: "10.12.0.1"})
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("got error %v, want ErrInvalid", err)
			}
			data, _ := os.ReadFile(path)
			if string(data) != tt.config {
				t.Errorf("wenban.yaml: got %q, want it unchanged %q", data, tt.config)
			}
		})
	}
}

func TestWriteBrowserPolicy(t *testing.T) {
	der, certPEM := testCertificatePEM(t)
	seat := Settings{Role: RoleSeat, HubURL: "https://10.12.0.5:8443", NTPServer: "10.12.0.1", HubCertificate: string(certPEM)}
	dir := t.TempDir()
	policyPath := filepath.Join(dir, browserPolicyName)

	if _, err := Write(dir, seat); err != nil {
		t.Fatalf("Write seat: %v", err)
	}
	data, err := os.ReadFile(policyPath)
	if err != nil {
		t.Fatal(err)
	}
	var policy map[string][]string
	if err := json.Unmarshal(data, &policy); err != nil {
		t.Fatalf("parsing %s: %v", browserPolicyName, err)
	}
	if len(policy) != 1 {
		t.Errorf("policies: got %v, want CACertificates only", policy)
	}
	want := []string{base64.StdEncoding.EncodeToString(der)}
	if got := policy["CACertificates"]; !slices.Equal(got, want) {
		t.Errorf("CACertificates: got %q, want the DER of hub.pem %q", got, want)
	}

	plain := Settings{Role: RoleSeat, HubURL: "http://10.12.0.5:8080", NTPServer: "10.12.0.1"}
	if _, err := Write(dir, plain); err != nil {
		t.Fatalf("Write plain-HTTP seat: %v", err)
	}
	if _, err := os.Stat(policyPath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s after provisioning a plain-HTTP seat: got stat error %v, want it removed", browserPolicyName, err)
	}
}

func TestValidateRejectsKeyBesideCertificate(t *testing.T) {
	_, certPEM := testCertificatePEM(t)
	key := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}})
	s := Settings{Role: RoleSeat, HubURL: "https://hub", NTPServer: "10.12.0.1", HubCertificate: string(certPEM) + string(key)}

	err := s.Validate()
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "PRIVATE KEY") {
		t.Errorf("got error %v, want ErrInvalid naming the PRIVATE KEY block", err)
	}
}

func FuzzRenderConfig(f *testing.F) {
	f.Add([]byte("listen: 0.0.0.0:8080\ntls:\n  mode: auto\n"))
	f.Add([]byte("kiosk:\n  camera:\n    device: /dev/video0\n"))
	f.Add([]byte("- a\n"))
	f.Add([]byte("&a [*a]"))
	hub := Settings{Role: RoleHub, Listen: "0.0.0.0:8443"}
	kiosk := Settings{Role: RoleKiosk, HubURL: "https://10.12.0.5:8443", WindowID: "w01"}

	f.Fuzz(func(t *testing.T, previous []byte) {
		for _, s := range []Settings{hub, kiosk} {
			out, _, err := renderConfig(s, previous)
			if err != nil {
				continue
			}
			var doc map[string]any
			if err := yaml.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("rendered wenban.yaml does not parse: %v\n%s", err, out)
			}
			key, want := "listen", s.Listen
			if s.Role == RoleKiosk {
				key, want = "kiosk.window", s.WindowID
			}
			if got := lookUp(doc, key); got != want {
				t.Fatalf("%s: got %q, want %q\n%s", key, got, want, out)
			}
		}
	})
}

// lookUp returns the value at a dotted path of doc as a string, or "".
func lookUp(doc map[string]any, path string) string {
	var value any = doc
	for _, key := range strings.Split(path, ".") {
		m, ok := value.(map[string]any)
		if !ok {
			return ""
		}
		value = m[key]
	}
	s, _ := value.(string)
	return s
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}
