package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wenban/appliance/config"
)

// startTLSHub serves a hub with tls.mode auto for 127.0.0.1 and returns
// its HTTPS base URL and config.
func startTLSHub(t *testing.T) (string, config.Config) {
	t.Helper()
	cfg := config.Default()
	cfg.Data = t.TempDir()
	cfg.ShutdownTimeout = 5 * time.Second
	cfg.TLS.Mode = config.TLSAuto
	cfg.TLS.Hosts = []string{"127.0.0.1"}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("validating config: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	srv, _, err := Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		cancel()
		t.Fatalf("opening hub: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serving: %v", err)
		}
		srv.Close()
	})
	return "https://" + ln.Addr().String(), cfg
}

func clientTrusting(t *testing.T, caPEM []byte) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	if caPEM != nil && !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("exported CA is not a PEM certificate: %q", caPEM)
	}
	return &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
}

// getHealthz polls /healthz until it returns 200 or the deadline passes.
func getHealthz(t *testing.T, client *http.Client, base string) *http.Response {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := client.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return resp
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s/healthz: got error %v, want 200", base, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestHubServesHTTPSWithAutoCA(t *testing.T) {
	base, cfg := startTLSHub(t)
	caPEM, err := ExportCA(cfg)
	if err != nil {
		t.Fatalf("exporting CA: %v", err)
	}

	resp := getHealthz(t, clientTrusting(t, caPEM), base)
	if got := resp.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("Strict-Transport-Security: got %q, want max-age=...", got)
	}
	if got := resp.TLS.NegotiatedProtocol; got == "h2" {
		t.Errorf("negotiated protocol: got %q, want HTTP/1.1 for WebSockets", got)
	}

	login, err := clientTrusting(t, caPEM).Get(base + "/seat/login")
	if err != nil {
		t.Fatalf("GET /seat/login: %v", err)
	}
	login.Body.Close()
	cookies := login.Cookies()
	if len(cookies) == 0 {
		t.Fatalf("GET /seat/login: got no cookie, want the CSRF cookie")
	}
	for _, c := range cookies {
		if !c.Secure {
			t.Errorf("cookie %s: got Secure false, want true over HTTPS", c.Name)
		}
	}

	_, err = clientTrusting(t, nil).Get(base + "/healthz")
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Errorf("client without the CA: got error %v, want x509.UnknownAuthorityError", err)
	}

	for _, name := range []string{caKeyName, serverKeyName} {
		info, err := os.Stat(filepath.Join(cfg.TLSDir(), name))
		if err != nil {
			t.Fatalf("stat %s: %v", name, err)
		}
		if got := info.Mode().Perm(); got != 0o600 {
			t.Errorf("%s mode: got %o, want 600", name, got)
		}
	}
}

func TestPlainHubSendsNoHSTS(t *testing.T) {
	r := startHub(t, t.TempDir())
	resp, err := http.Get(r.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("Strict-Transport-Security on plain HTTP: got %q, want none", got)
	}
	if r.srv.secureCookies() {
		t.Errorf("secure cookies on plain HTTP: got true, want false")
	}
}

func TestAutoCertificateReuseAndReissue(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	first, err := ensureAutoCertificate(dir, []string{"127.0.0.1", "hub.local"}, now)
	if err != nil {
		t.Fatalf("first start: %v", err)
	}
	caBefore, err := os.ReadFile(filepath.Join(dir, caCertName))
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		hosts   []string
		now     time.Time
		reissue bool
	}{
		{"same hosts", []string{"127.0.0.1", "hub.local"}, now, false},
		{"subset of hosts", []string{"hub.local"}, now, false},
		{"new host", []string{"127.0.0.1", "10.12.0.5"}, now, true},
		{"near expiry", []string{"127.0.0.1", "hub.local"}, now.Add(serverLifetime - renewBefore/2), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ensureAutoCertificate(dir, tt.hosts, tt.now)
			if err != nil {
				t.Fatalf("restart: %v", err)
			}
			reissued := !got.Leaf.Equal(first.Leaf)
			if reissued != tt.reissue {
				t.Errorf("reissued: got %v, want %v", reissued, tt.reissue)
			}
			for _, h := range tt.hosts {
				if err := got.Leaf.VerifyHostname(h); err != nil {
					t.Errorf("certificate for %s: %v", h, err)
				}
			}
			caAfter, err := os.ReadFile(filepath.Join(dir, caCertName))
			if err != nil {
				t.Fatal(err)
			}
			if string(caAfter) != string(caBefore) {
				t.Errorf("CA certificate changed on restart, want it kept so enrolled seats still trust the hub")
			}
			first = got
		})
	}
}

func TestAutoCertificateMissingCAKey(t *testing.T) {
	dir := t.TempDir()
	if _, err := ensureAutoCertificate(dir, []string{"127.0.0.1"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, caKeyName)); err != nil {
		t.Fatal(err)
	}
	_, err := ensureAutoCertificate(dir, []string{"127.0.0.1"}, time.Now())
	if err == nil || !strings.Contains(err.Error(), caKeyName) {
		t.Errorf("CA key missing: got error %v, want one naming %s", err, caKeyName)
	}
}

// writeIssuedPair creates a CA-signed certificate and key for 127.0.0.1
// as a department would issue them, valid from about notBefore, and
// returns their paths and the CA certificate.
func writeIssuedPair(t *testing.T, dir string, notBefore time.Time) (string, string, []byte) {
	t.Helper()
	caDir := filepath.Join(dir, "ca")
	if err := os.MkdirAll(caDir, 0o700); err != nil {
		t.Fatal(err)
	}
	ca, caKey, err := ensureCA(caDir, []string{"127.0.0.1"}, notBefore)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := issueServerCert(caDir, ca, caKey, []string{"127.0.0.1"}, notBefore); err != nil {
		t.Fatal(err)
	}
	caPEM, err := os.ReadFile(filepath.Join(caDir, caCertName))
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(caDir, serverCertName), filepath.Join(caDir, serverKeyName), caPEM
}

func TestLoadTLSConfigFiles(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	certFile, keyFile, _ := writeIssuedPair(t, dir, now)
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, otherKey, _ := writeIssuedPair(t, filepath.Join(dir, "other"), now)

	tests := []struct {
		name    string
		cert    string
		key     string
		now     time.Time
		wantErr string
	}{
		{"valid pair", certFile, keyFile, now, ""},
		{"missing cert", filepath.Join(dir, "absent.pem"), keyFile, now, "absent.pem"},
		{"junk cert", junk, keyFile, now, "junk.pem"},
		{"junk key", certFile, junk, now, "junk.pem"},
		{"key of another cert", certFile, otherKey, now, "must match"},
		{"expired", certFile, keyFile, now.Add(serverLifetime + time.Hour), "valid only from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.TLS = config.TLS{Mode: config.TLSFiles, CertFile: tt.cert, KeyFile: tt.key}
			got, err := loadTLSConfig(cfg, tt.now)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if len(got.Certificates) != 1 {
					t.Errorf("certificates: got %d, want 1", len(got.Certificates))
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestHubServesHTTPSWithCertFiles(t *testing.T) {
	certFile, keyFile, caPEM := writeIssuedPair(t, t.TempDir(), time.Now())
	cfg := config.Default()
	cfg.Data = t.TempDir()
	cfg.TLS = config.TLS{Mode: config.TLSFiles, CertFile: certFile, KeyFile: keyFile, Hosts: []string{}}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("validating config: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, _, err := Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("opening hub: %v", err)
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()

	getHealthz(t, clientTrusting(t, caPEM), "https://"+ln.Addr().String())
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serving: %v", err)
	}
}

func TestRedirectHandler(t *testing.T) {
	tests := []struct {
		name   string
		public string
		host   string
		path   string
		want   string
	}{
		{"request host", "", "10.12.0.5:8080", "/seat?x=1", "https://10.12.0.5:8443/seat?x=1"},
		{"host without port", "", "hub.local", "/", "https://hub.local:8443/"},
		{"ipv6 host", "", "[fd00::5]:8080", "/a", "https://[fd00::5]:8443/a"},
		{"public url", "https://wenban.example.gov.cn/", "10.12.0.5:8080", "/seat", "https://wenban.example.gov.cn/seat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Listen = "0.0.0.0:8443"
			cfg.PublicURL = tt.public
			h := redirectHandler(cfg)
			req, err := http.NewRequest(http.MethodGet, "http://"+tt.host+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusPermanentRedirect {
				t.Errorf("status: got %d, want %d", rec.Code, http.StatusPermanentRedirect)
			}
			if got := rec.Header().Get("Location"); got != tt.want {
				t.Errorf("Location: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRedirectListenerServes(t *testing.T) {
	cfg := config.Default()
	cfg.Listen = "127.0.0.1:8443"
	cfg.TLS = config.TLS{Mode: config.TLSAuto, Hosts: []string{"127.0.0.1"}, RedirectListen: "127.0.0.1:0"}
	s := &Server{cfg: cfg, log: slog.New(slog.DiscardHandler), tls: tlsState{config: &tls.Config{}}}

	stop, err := s.startRedirect()
	if err != nil {
		t.Fatalf("starting redirect: %v", err)
	}
	defer stop()
	addr := s.tls.redirectAddr
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get("http://" + addr + "/seat")
	if err != nil {
		t.Fatalf("GET on redirect port: %v", err)
	}
	resp.Body.Close()
	if got, want := resp.Header.Get("Location"), "https://127.0.0.1:8443/seat"; got != want {
		t.Errorf("Location: got %q, want %q", got, want)
	}
}

func FuzzRedirectHandler(f *testing.F) {
	f.Add("10.12.0.5:8080", "/seat?x=1")
	f.Add("[fd00::5]", "/")
	f.Add("", "//evil.example/")
	h := redirectHandler(config.Config{Listen: "0.0.0.0:8443"})
	f.Fuzz(func(t *testing.T, host, path string) {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Host = host
		req.URL.Path = path
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if got := rec.Header().Get("Location"); !strings.HasPrefix(got, "https://") {
			t.Errorf("Location for host %q path %q: got %q, want an https:// URL", host, path, got)
		}
	})
}

func TestAutoCertificateReissuesBrokenPair(t *testing.T) {
	dir := t.TempDir()
	if _, err := ensureAutoCertificate(dir, []string{"127.0.0.1"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, serverCertName), []byte("truncated"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ensureAutoCertificate(dir, []string{"127.0.0.1"}, time.Now())
	if err != nil {
		t.Fatalf("restart with a broken server certificate: got error %v, want a reissued one", err)
	}
	if err := got.Leaf.VerifyHostname("127.0.0.1"); err != nil {
		t.Errorf("reissued certificate: %v", err)
	}
}
