package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// signFor issues a server certificate for host with the CA, the way
// anyone holding ca.key could, without the hub's own checks.
func signFor(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, host string, now time.Time) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: host},
		NotBefore:   now.Add(-time.Hour),
		NotAfter:    now.Add(24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{host}
	}
	leaf, err := createCertificate(tmpl, ca, key, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return leaf
}

func TestLocalCASignsOnlyHubNames(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name    string
		hosts   []string
		allowed []string
		refused []string
	}{
		{
			name:    "name and address",
			hosts:   []string{"wenban.hall.local", "10.12.0.5"},
			allowed: []string{"wenban.hall.local", "seat.wenban.hall.local", "10.12.0.5", "192.168.3.9", "127.0.0.1"},
			refused: []string{"oa.hunan.gov.cn", "www.baidu.com", "hall.local", "8.8.8.8"},
		},
		{
			name:    "addresses only",
			hosts:   []string{"192.168.1.20"},
			allowed: []string{"192.168.1.20", "10.0.0.1"},
			refused: []string{"oa.hunan.gov.cn", "localhost", "1.2.3.4"},
		},
		{
			name:    "public address",
			hosts:   []string{"203.0.113.7"},
			allowed: []string{"203.0.113.7"},
			refused: []string{"203.0.113.8", "oa.hunan.gov.cn"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ca, caKey, err := ensureCA(t.TempDir(), tt.hosts, now)
			if err != nil {
				t.Fatal(err)
			}
			roots := x509.NewCertPool()
			roots.AddCert(ca)
			verify := func(host string) error {
				leaf := signFor(t, ca, caKey, host, now)
				_, err := leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: roots, CurrentTime: now})
				return err
			}
			for _, h := range tt.allowed {
				if err := verify(h); err != nil {
					t.Errorf("certificate for %s: got %v, want it trusted", h, err)
				}
				if !caCovers(ca, h) {
					t.Errorf("caCovers(%s): got false, want true", h)
				}
			}
			for _, h := range tt.refused {
				if err := verify(h); err == nil {
					t.Errorf("certificate for %s: got trusted, want a name-constraint failure", h)
				}
				if caCovers(ca, h) {
					t.Errorf("caCovers(%s): got true, want false", h)
				}
			}
		})
	}
}

func TestAutoCertificateRejectsHostOutsideCA(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	if _, err := ensureAutoCertificate(dir, []string{"wenban.hall.local"}, now); err != nil {
		t.Fatalf("first start: %v", err)
	}
	if _, err := ensureAutoCertificate(dir, []string{"wenban.hall.local", "10.1.2.3"}, now); err != nil {
		t.Errorf("adding a LAN address: %v, want it signed by the same CA", err)
	}
	_, err := ensureAutoCertificate(dir, []string{"wenban.other.local"}, now)
	if err == nil || !strings.Contains(err.Error(), "wenban.other.local") || !strings.Contains(err.Error(), caKeyName) {
		t.Errorf("host outside the CA: got %v, want an error naming the host and what to move aside", err)
	}
}

func TestUnconstrainedCAStillIssues(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		Subject: pkix.Name{CommonName: "Wenban hub local CA"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour * 24 * 365),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true, MaxPathLenZero: true,
	}
	ca, err := createCertificate(tmpl, tmpl, key, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeKeyPair(filepath.Join(dir, caCertName), filepath.Join(dir, caKeyName), ca.Raw, key); err != nil {
		t.Fatal(err)
	}
	cert, err := ensureAutoCertificate(dir, []string{"any.example.org"}, now)
	if err != nil {
		t.Fatalf("CA from before name constraints: %v, want it still usable", err)
	}
	if err := cert.Leaf.VerifyHostname("any.example.org"); err != nil {
		t.Errorf("certificate: %v", err)
	}
}
