package provision

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		s       Settings
		wantErr bool
	}{
		{"hub with DHCP", Settings{Role: RoleHub, NTPServer: "ntp.hn.gov"}, false},
		{"hub static", Settings{Role: RoleHub, NTPServer: "10.12.0.1", Network: Network{Address: "10.12.0.5/24", Gateway: "10.12.0.1", DNS: []string{"10.12.0.2"}}}, false},
		{"kiosk", Settings{Role: RoleKiosk, HubURL: "http://10.12.0.5:8080", WindowID: "w01", NTPServer: "10.12.0.1"}, false},
		{"unknown role", Settings{Role: "printer", NTPServer: "10.12.0.1"}, true},
		{"missing time server", Settings{Role: RoleHub}, true},
		{"time server with scheme", Settings{Role: RoleHub, NTPServer: "ntp://x"}, true},
		{"kiosk without window", Settings{Role: RoleKiosk, HubURL: "http://10.12.0.5:8080", NTPServer: "10.12.0.1"}, true},
		{"seat without hub", Settings{Role: RoleSeat, NTPServer: "10.12.0.1"}, true},
		{"https hub without certificate", Settings{Role: RoleSeat, HubURL: "https://hub", NTPServer: "10.12.0.1"}, true},
		{"bad certificate", Settings{Role: RoleSeat, HubURL: "https://hub", NTPServer: "10.12.0.1", HubCertificate: "junk"}, true},
		{"address without prefix", Settings{Role: RoleHub, NTPServer: "10.12.0.1", Network: Network{Address: "10.12.0.5"}}, true},
		{"gateway with DHCP", Settings{Role: RoleHub, NTPServer: "10.12.0.1", Network: Network{Gateway: "10.12.0.1"}}, true},
		{"window with slash", Settings{Role: RoleKiosk, HubURL: "http://hub", WindowID: "a/b", NTPServer: "10.12.0.1"}, true},
		{"interface with newline", Settings{Role: RoleHub, NTPServer: "10.12.0.1", Network: Network{Interface: "en*\n[Network]"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Validate()
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("got error %v, want it to wrap ErrInvalid", err)
			}
		})
	}
}

func TestWriteRoleFiles(t *testing.T) {
	dir := t.TempDir()
	hub := Settings{Role: RoleHub, NTPServer: "10.12.0.1", Listen: "0.0.0.0:8080", Network: Network{Address: "10.12.0.5/24"}}
	if _, err := Write(dir, hub); err != nil {
		t.Fatalf("Write hub: %v", err)
	}
	for name, want := range map[string]string{
		"role-hub":          "",
		"wenban.yaml":       "listen: 0.0.0.0:8080\n",
		"timesyncd.conf":    "NTP=10.12.0.1\n",
		"10-wenban.network": "Address=10.12.0.5/24\n",
	} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("reading %s: %v", name, err)
			continue
		}
		if !strings.Contains(string(got), want) {
			t.Errorf("%s = %q, want it to contain %q", name, got, want)
		}
	}

	kiosk := Settings{Role: RoleKiosk, HubURL: "http://10.12.0.5:8080/", WindowID: "w01", NTPServer: "10.12.0.1"}
	if _, err := Write(dir, kiosk); err != nil {
		t.Fatalf("Write kiosk: %v", err)
	}
	yaml, err := os.ReadFile(filepath.Join(dir, "wenban.yaml"))
	if err != nil || !strings.Contains(string(yaml), "kiosk:\n  hub: http://10.12.0.5:8080\n  window: w01\n") {
		t.Errorf("got kiosk wenban.yaml %q (%v)", yaml, err)
	}
	for _, gone := range []string{"role-hub"} {
		if _, err := os.Stat(filepath.Join(dir, gone)); !os.IsNotExist(err) {
			t.Errorf("%s still exists after re-provisioning as kiosk (stat error %v)", gone, err)
		}
	}
	env, err := os.ReadFile(filepath.Join(dir, "kiosk.env"))
	if err != nil || !strings.Contains(string(env), "WENBAN_KIOSK_URL=http://10.12.0.5:8080/?window=w01\n") {
		t.Errorf("got kiosk.env %q (%v)", env, err)
	}
	got, err := Read(dir)
	if err != nil || got.Role != RoleKiosk || got.HubURL != "http://10.12.0.5:8080" {
		t.Errorf("got Read %+v (%v), want the kiosk settings", got, err)
	}
}

func TestGate(t *testing.T) {
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
	defer healthy.Close()
	sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer sick.Close()

	tests := []struct {
		name    string
		s       *Settings
		active  bool
		wantErr bool
	}{
		{"not provisioned", nil, false, false},
		{"hub healthy", &Settings{Role: RoleHub, NTPServer: "10.12.0.1", Listen: strings.TrimPrefix(healthy.URL, "http://")}, false, false},
		{"hub unhealthy", &Settings{Role: RoleHub, NTPServer: "10.12.0.1", Listen: strings.TrimPrefix(sick.URL, "http://")}, false, true},
		{"kiosk browser up", &Settings{Role: RoleKiosk, HubURL: "http://hub", WindowID: "w1", NTPServer: "10.12.0.1"}, true, false},
		{"kiosk browser down", &Settings{Role: RoleKiosk, HubURL: "http://hub", WindowID: "w1", NTPServer: "10.12.0.1"}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.s != nil {
				if _, err := Write(dir, *tt.s); err != nil {
					t.Fatal(err)
				}
			}
			g := Gate{
				Dir: dir, Timeout: 300 * time.Millisecond, Poll: 20 * time.Millisecond,
				UnitActive: func(context.Context, string) bool { return tt.active },
				Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
			}
			err := g.Check(context.Background())
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrUnhealthy) {
				t.Errorf("got error %v, want ErrUnhealthy", err)
			}
		})
	}
}

func TestGateMissingDataPartition(t *testing.T) {
	g := Gate{Dir: filepath.Join(t.TempDir(), "absent"), Timeout: time.Second, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := g.Check(context.Background()); !errors.Is(err, ErrUnhealthy) {
		t.Fatalf("got error %v, want ErrUnhealthy", err)
	}
}
