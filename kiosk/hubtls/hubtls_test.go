package hubtls

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testCA is a CA that signs server certificates for test hubs.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newTestCA(t *testing.T) testCA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test hub CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	return testCA{cert: createCert(t, tmpl, tmpl, key, key), key: key}
}

func (ca testCA) pem() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw})
}

// serverCert issues a certificate for the IP addresses and DNS names in
// hosts. A nil CA makes it self-signed.
func serverCert(t *testing.T, ca *testCA, hosts ...string) (tls.Certificate, []byte) {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: hosts[0]},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}

	parent, signer := tmpl, key
	if ca != nil {
		parent, signer = ca.cert, ca.key
	}
	leaf := createCert(t, tmpl, parent, key, signer)
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw})
	return tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: key, Leaf: leaf}, pemBytes
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func createCert(t *testing.T, tmpl, parent *x509.Certificate, key, signer *ecdsa.PrivateKey) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// startHub serves 200 over TLS with cert on 127.0.0.1.
func startHub(t *testing.T, cert tls.Certificate) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func TestClientTrustsOnlyProvisionedCertificate(t *testing.T) {
	hubCA := newTestCA(t)
	otherCA := newTestCA(t)
	signed, _ := serverCert(t, &hubCA, "127.0.0.1")
	wrongName, _ := serverCert(t, &hubCA, "hub.example")
	selfSigned, selfSignedPEM := serverCert(t, nil, "127.0.0.1")

	tests := []struct {
		name     string
		served   tls.Certificate
		trusted  []byte
		wantErr  string // empty means the request must succeed
		wantCert bool   // the error must be a CertificateError
	}{
		{"hub CA", signed, hubCA.pem(), "", false},
		{"self-signed hub certificate", selfSigned, selfSignedPEM, "", false},
		{"other CA", signed, otherCA.pem(), "不符", true},
		{"self-signed hub, CA provisioned", selfSigned, hubCA.pem(), "不符", true},
		{"certificate without the address", wrongName, hubCA.pem(), "不包含本机使用的地址", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startHub(t, tt.served)
			cfg, err := Config(tt.trusted)
			if err != nil {
				t.Fatalf("Config: %v", err)
			}
			client := Client(cfg, 5*time.Second)
			defer client.CloseIdleConnections()

			resp, err := client.Get(srv.URL + "/healthz")
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("got error %v, want status 200", err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("got status %d, want 200", resp.StatusCode)
				}
				return
			}

			if err == nil {
				resp.Body.Close()
				t.Fatalf("got status %d, want a certificate error", resp.StatusCode)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got error %q, want it to contain %q", err, tt.wantErr)
			}
			var certErr *CertificateError
			if got := errors.As(err, &certErr); got != tt.wantCert {
				t.Errorf("errors.As CertificateError: got %v, want %v", got, tt.wantCert)
			}
			var verifyErr *tls.CertificateVerificationError
			if !errors.As(err, &verifyErr) {
				t.Errorf("got error %v, want it to wrap tls.CertificateVerificationError", err)
			}
		})
	}
}

func TestClientIgnoresSystemRoots(t *testing.T) {
	// A nil RootCAs would mean the system roots, so the pool must be set
	// and a server whose certificate is not in hub.pem must fail.
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()

	cfg, err := Config(newTestCA(t).pem())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RootCAs == nil {
		t.Fatal("RootCAs: got nil (system roots), want the provisioned pool")
	}
	if cfg.InsecureSkipVerify {
		t.Error("InsecureSkipVerify: got true, want false")
	}
	if _, err := Client(cfg, 5*time.Second).Get(srv.URL); err == nil {
		t.Error("got a response from an untrusted server, want a certificate error")
	}
}

func TestConfigRejectsInvalidPEM(t *testing.T) {
	ca := newTestCA(t)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}})
	tests := []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{"empty", nil, "no PEM certificate"},
		{"text", []byte("not a certificate"), "no PEM certificate"},
		{"private key", keyPEM, `"PRIVATE KEY"`},
		{"certificate then key", append(ca.pem(), keyPEM...), "PEM block 2"},
		{"garbage DER", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 1}}), "parsing PEM block 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Config(tt.data)
			if err == nil {
				t.Fatalf("got config %v, want an error", cfg)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got error %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "hub.pem")
	if err := os.WriteFile(path, newTestCA(t).pem(), 0o644); err != nil {
		t.Fatal(err)
	}

	if _, err := LoadConfig(path); err != nil {
		t.Errorf("LoadConfig of a CA: got %v, want nil", err)
	}
	missing := filepath.Join(dir, "absent.pem")
	if _, err := LoadConfig(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadConfig of a missing file: got %v, want os.ErrNotExist", err)
	}
}

func FuzzConfig(f *testing.F) {
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("junk"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Config(data)
		if err == nil && (cfg.RootCAs == nil || cfg.InsecureSkipVerify) {
			t.Fatalf("got config with RootCAs %v and InsecureSkipVerify %v, want a pool and verification",
				cfg.RootCAs, cfg.InsecureSkipVerify)
		}
	})
}
