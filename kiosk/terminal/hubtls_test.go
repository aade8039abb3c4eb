package terminal

import (
	"bytes"
	"crypto/tls"
	"encoding/pem"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"wenban/appliance/testcert"
	"wenban/kiosk/control"
	"wenban/kiosk/hubtls"
	"wenban/kiosk/media"
	"wenban/ui/static"
)

// newTLSFakeHub serves the fake hub over HTTPS and returns its
// certificate as PEM, as `wenban provision --hub-cert` would store it.
func newTLSFakeHub(t *testing.T) (*fakeHub, []byte) {
	t.Helper()
	hub := newFakeHub(t)
	hub.srv.Close()
	hub.srv = httptest.NewTLSServer(hub.mux)

	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hub.srv.Certificate().Raw})
	return hub, certPEM
}

// otherHubPEM returns a certificate that did not sign the fake hub's,
// since every httptest server shares one built-in certificate.
func otherHubPEM(t *testing.T) []byte {
	_, pemBytes := testcert.CA(t, "another hub", net.IPv4(127, 0, 0, 1))
	return pemBytes
}

func hubTLSConfig(t *testing.T, certPEM []byte) *tls.Config {
	t.Helper()
	cfg, err := hubtls.Config(certPEM)
	if err != nil {
		t.Fatalf("hubtls.Config: %v", err)
	}
	return cfg
}

// logBuffer collects a terminal's logs behind a mutex, because the
// terminal logs from its own goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) contains(s string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Contains(b.buf.String(), s)
}

func TestControlChannelOverTLS(t *testing.T) {
	hub, certPEM := newTLSFakeHub(t)
	startTerminal(t, hub, Options{HubTLS: hubTLSConfig(t, certPEM)})

	devices := hub.next(control.TypeDevices)
	if devices.Devices == nil {
		t.Fatal("devices frame: got no devices, want the terminal's report")
	}
}

func TestControlChannelRejectsOtherCertificate(t *testing.T) {
	hub, _ := newTLSFakeHub(t)
	var logs logBuffer
	startTerminal(t, hub, Options{
		HubTLS: hubTLSConfig(t, otherHubPEM(t)),
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})

	waitFor(t, "a certificate error in the terminal's log", func() bool {
		return logs.contains("与本机初始化时导入的证书（hub.pem）不符")
	})
	hub.mu.Lock()
	conn := hub.conn
	hub.mu.Unlock()
	if conn != nil {
		t.Error("control channel: got a connection, want none with an untrusted certificate")
	}
}

func TestCallPublishesOverTLS(t *testing.T) {
	hub, certPEM := newTLSFakeHub(t)
	startTerminal(t, hub, Options{
		HubTLS:     hubTLSConfig(t, certPEM),
		Camera:     media.VideoOptions{Device: media.DeviceOff},
		Microphone: media.AudioOptions{Device: "AudioTest"},
	})

	hub.send(testCall())
	waitFor(t, "audio packets at the hub over a WHIP session set up with HTTPS", func() bool {
		return hub.audioPackets.Load() >= 10
	})
	hub.send(control.Frame{Type: control.TypeHangup})
	waitFor(t, "WHIP DELETE after hangup", func() bool { return hub.deleteCount() == 1 })
}

func TestScreenForwardsOverTLS(t *testing.T) {
	tests := []struct {
		name       string
		trusted    func(t *testing.T, hubPEM []byte) []byte
		wantStatus int
	}{
		{"provisioned certificate", func(_ *testing.T, hubPEM []byte) []byte { return hubPEM }, http.StatusOK},
		{"other certificate", func(t *testing.T, _ []byte) []byte { return otherHubPEM(t) }, http.StatusBadGateway},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hub, hubPEM := newTLSFakeHub(t)
			hub.mux.HandleFunc("POST /api/v1/echo-origin", func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, r.Header.Get("Origin"))
			})
			term, err := New(Options{Hub: hub.url(), Window: testWindow, Key: testKey,
				HubTLS:         hubTLSConfig(t, tt.trusted(t, hubPEM)),
				DocumentCamera: media.VideoOptions{Device: media.DeviceOff}})
			if err != nil {
				t.Fatal(err)
			}
			page := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "page") })
			screen := httptest.NewServer(term.Handler(ScreenOptions{Page: page, Static: static.FS}))
			defer screen.Close()

			resp := post(t, screen.URL+"/api/v1/echo-origin", screen.URL, true)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status: got %d (%s), want %d", resp.StatusCode, body, tt.wantStatus)
			}
			if tt.wantStatus == http.StatusOK && string(body) != hub.srv.URL {
				t.Errorf("Origin at the hub: got %q, want %q", body, hub.srv.URL)
			}
		})
	}
}
