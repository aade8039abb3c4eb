package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/mediadevices"
	_ "github.com/pion/mediadevices/pkg/driver/videotest"
	"github.com/pion/webrtc/v4"

	"wenban/appliance/config"
	"wenban/appliance/media/token"
	"wenban/appliance/provision"
	"wenban/appliance/testcert"
	"wenban/kiosk/hubtls"
	"wenban/kiosk/media"
)

// trustCase is one certificate a kiosk was provisioned with, against a
// hub that serves tls.mode auto.
type trustCase struct {
	name    string
	hubPEM  string // path of the provisioned hub.pem
	wantErr string // empty means the hub must be reached
}

// trustCases provisions kiosks for the hub at base, one with the hub's
// exported CA and one with the CA of another hub.
func trustCases(t *testing.T, base string, cfg config.Config) []trustCase {
	t.Helper()
	hubCA, err := ExportCA(cfg)
	if err != nil {
		t.Fatalf("ExportCA: %v", err)
	}
	return []trustCase{
		{"provisioned hub CA", provisionKiosk(t, base, hubCA), ""},
		{"CA of another hub", provisionKiosk(t, base, otherCAPEM(t)), "与本机初始化时导入的证书（hub.pem）不符"},
	}
}

// provisionKiosk runs provisioning for a kiosk that trusts caPEM and
// returns the path of the hub.pem it stored.
func provisionKiosk(t *testing.T, base string, caPEM []byte) string {
	t.Helper()
	dir := t.TempDir()
	kiosk := provision.Settings{Role: provision.RoleKiosk, HubURL: base, WindowID: "w01",
		NTPServer: "127.0.0.1", HubCertificate: string(caPEM)}
	if _, err := provision.Write(dir, kiosk); err != nil {
		t.Fatalf("provision.Write: %v", err)
	}
	return filepath.Join(dir, "hub.pem")
}

func TestKioskHTTPClientTrustsProvisionedCA(t *testing.T) {
	base, cfg := startTLSHub(t)

	for _, tt := range trustCases(t, base, cfg) {
		t.Run(tt.name, func(t *testing.T) {
			client := provisionedClient(t, tt.hubPEM, 5*time.Second)

			resp, err := client.Get(base + "/healthz")
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("GET /healthz: got %v, want status 200", err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("GET /healthz: got status %d, want 200", resp.StatusCode)
				}
				return
			}
			checkCertificateError(t, resp, err, tt.wantErr)
		})
	}
}

func TestKioskWHIPClientTrustsProvisionedCA(t *testing.T) {
	base, cfg := startTLSHub(t)
	tok := publishToken(t, cfg, "hall")

	for _, tt := range trustCases(t, base, cfg) {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			selector, camera := openTestCamera(t)

			pub, err := media.Publish(ctx, media.PublishOptions{
				Endpoint:      base + "/whip/hall",
				Token:         tok,
				Tracks:        []mediadevices.Track{camera},
				Selector:      selector,
				SettingEngine: loopbackOnly(),
				HTTPClient:    provisionedClient(t, tt.hubPEM, 10*time.Second),
			})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Publish: got %v, want the hub's SDP answer", err)
				}
				// Closing before ICE connects can hang in mediadevices'
				// track unbinding, and a connected publication shows
				// that media reach the hub too.
				select {
				case <-pub.Connected():
				case <-ctx.Done():
					t.Fatal("publication did not connect to the hub within the test deadline")
				}
				if err := pub.Close(ctx); err != nil {
					t.Errorf("Close: %v", err)
				}
				return
			}
			checkCertificateError(t, nil, err, tt.wantErr)
		})
	}
}

func checkCertificateError(t *testing.T, resp *http.Response, err error, want string) {
	t.Helper()
	if err == nil {
		if resp != nil {
			resp.Body.Close()
		}
		t.Fatal("got a response from the hub, want a certificate error")
	}
	t.Logf("certificate error: %v", err)
	if !strings.Contains(err.Error(), want) {
		t.Errorf("got error %q, want it to contain %q", err, want)
	}
	var certErr *hubtls.CertificateError
	if !errors.As(err, &certErr) {
		t.Errorf("got error %v, want a hubtls.CertificateError", err)
	}
}

func provisionedClient(t *testing.T, hubPEM string, timeout time.Duration) *http.Client {
	t.Helper()
	tlsConfig, err := hubtls.LoadConfig(hubPEM)
	if err != nil {
		t.Fatalf("hubtls.LoadConfig: %v", err)
	}
	client := hubtls.Client(tlsConfig, timeout)
	t.Cleanup(client.CloseIdleConnections)
	return client
}

// publishToken signs a WHIP token with the key the running hub derives
// from the same master key, as `wenban media token` does.
func publishToken(t *testing.T, cfg config.Config, room string) string {
	t.Helper()
	master, err := cfg.OpenMasterKey()
	if err != nil {
		t.Fatalf("OpenMasterKey: %v", err)
	}
	signer, err := token.FromMaster(master)
	if err != nil {
		t.Fatalf("token.FromMaster: %v", err)
	}
	tok, err := signer.Issue(room, token.PermissionPublish, time.Hour, time.Now())
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	return tok
}

func openTestCamera(t *testing.T) (*mediadevices.CodecSelector, mediadevices.Track) {
	t.Helper()
	selector, err := media.NewCodecSelector(media.EncoderOptions{})
	if err != nil {
		t.Fatalf("NewCodecSelector: %v", err)
	}
	camera, err := media.OpenCamera(media.VideoOptions{Device: "VideoTest", Width: 320, Height: 240}, selector)
	if err != nil {
		t.Fatalf("OpenCamera: %v", err)
	}
	t.Cleanup(func() { camera.Close() })
	return selector, camera
}

// loopbackOnly keeps the publisher's ICE candidates on 127.0.0.1, where
// the test hub listens.
func loopbackOnly() *webrtc.SettingEngine {
	var se webrtc.SettingEngine
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	return &se
}

// otherCAPEM returns a CA certificate that did not issue the hub's.
func otherCAPEM(t *testing.T) []byte {
	_, pemBytes := testcert.CA(t, "Wenban hub local CA")
	return pemBytes
}
