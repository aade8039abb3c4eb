package server

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"wenban/appliance/config"
)

// Lifetimes of the certificates that tls.mode auto creates. The server
// certificate is reissued at start when it has less than renewBefore left,
// so a hub restarted at least monthly never serves an expired one.
const (
	caLifetime     = 10 * 365 * 24 * time.Hour
	serverLifetime = 397 * 24 * time.Hour
	renewBefore    = 30 * 24 * time.Hour
)

// File names in the data folder's tls/ folder. Keys are written 0600.
const (
	caCertName     = "ca.pem"
	caKeyName      = "ca.key"
	serverCertName = "server.pem"
	serverKeyName  = "server.key"
)

// tlsState is the HTTPS configuration of a running hub. Its config is
// nil when the hub serves plain HTTP.
type tlsState struct {
	config *tls.Config
	// redirectAddr is the bound address of tls.redirect_listen, once open.
	redirectAddr string
}

// openTLS loads or creates the hub's certificate when tls.mode is on.
func (s *Server) openTLS() error {
	cfg, err := loadTLSConfig(s.cfg, time.Now())
	if err != nil {
		return err
	}
	s.tls.config = cfg
	if cfg != nil {
		s.log.Info("tls enabled", "mode", s.cfg.TLS.Mode, "hosts", strings.Join(s.cfg.TLSHosts(), ","))
	}
	return nil
}

// loadTLSConfig returns the server TLS configuration for cfg, or nil when
// tls.mode is off.
func loadTLSConfig(cfg config.Config, now time.Time) (*tls.Config, error) {
	var cert tls.Certificate
	var err error
	switch cfg.TLS.Mode {
	case config.TLSFiles:
		cert, err = loadKeyPair(cfg.TLS.CertFile, cfg.TLS.KeyFile, now)
	case config.TLSAuto:
		cert, err = ensureAutoCertificate(cfg.TLSDir(), cfg.TLSHosts(), now)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}

	// HTTP/2 is left out because the seat and citizen WebSockets upgrade
	// over HTTP/1.1.
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"http/1.1"},
	}, nil
}

// loadKeyPair loads a department-issued certificate and key and rejects
// one that is not valid at now.
func loadKeyPair(certFile, keyFile string, now time.Time) (tls.Certificate, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("loading tls.cert_file %q and tls.key_file %q: %w (both must be PEM, and the key must match the first certificate)", certFile, keyFile, err)
	}
	leaf := cert.Leaf
	if now.Before(leaf.NotBefore) || now.After(leaf.NotAfter) {
		return tls.Certificate{}, fmt.Errorf("tls.cert_file %q is valid only from %s to %s: install a current certificate",
			certFile, leaf.NotBefore.Format(time.DateOnly), leaf.NotAfter.Format(time.DateOnly))
	}
	return cert, nil
}

// wrapTLS returns ln unchanged for plain HTTP, or a TLS listener on it.
func (s *Server) wrapTLS(ln net.Listener) net.Listener {
	if s.tls.config == nil {
		return ln
	}
	return tls.NewListener(ln, s.tls.config)
}

// hstsMaxAge is one year, in seconds.
const hstsMaxAge = 365 * 24 * 60 * 60

// withHSTS tells browsers to use HTTPS only, and only when the hub serves
// HTTPS, because HSTS on a plain-HTTP hub would lock browsers out of it.
func (s *Server) withHSTS(next http.Handler) http.Handler {
	if s.tls.config == nil {
		return next
	}
	value := fmt.Sprintf("max-age=%d", hstsMaxAge)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", value)
		next.ServeHTTP(w, r)
	})
}

// secureCookies reports whether cookies carry the Secure attribute.
func (s *Server) secureCookies() bool {
	return s.cfg.Security.SecureCookies || s.cfg.TLS.Enabled()
}

// startRedirect serves tls.redirect_listen, when set, with redirects to
// the HTTPS address. The returned function stops it.
func (s *Server) startRedirect() (func(), error) {
	addr := s.cfg.TLS.RedirectListen
	if s.tls.config == nil || addr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening on tls.redirect_listen %s: %w", addr, err)
	}

	srv := &http.Server{
		Handler:           redirectHandler(s.cfg),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       30 * time.Second,
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("https redirect stopped", "addr", addr, "error", err)
		}
	}()
	s.tls.redirectAddr = ln.Addr().String()
	s.log.Info("https redirect serving", "addr", s.tls.redirectAddr)
	return func() { _ = srv.Close() }, nil
}

// redirectHandler sends each request to the same path on the HTTPS
// address: public_url when set, else the request's host on listen's port.
func redirectHandler(cfg config.Config) http.Handler {
	_, port, _ := net.SplitHostPort(cfg.Listen)
	public := strings.TrimRight(cfg.PublicURL, "/")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := public
		if base == "" {
			host := r.Host
			if h, _, err := net.SplitHostPort(r.Host); err == nil {
				host = h
			}
			base = "https://" + net.JoinHostPort(strings.Trim(host, "[]"), port)
		}
		http.Redirect(w, r, base+r.URL.RequestURI(), http.StatusPermanentRedirect)
	})
}

// ensureAutoCertificate loads the local CA and server certificate from
// dir, creating the CA on first start and reissuing the server
// certificate when it is missing, near its end or does not cover hosts.
func ensureAutoCertificate(dir string, hosts []string, now time.Time) (tls.Certificate, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tls.Certificate{}, fmt.Errorf("creating TLS folder %s: %w", dir, err)
	}
	ca, caKey, err := ensureCA(dir, hosts, now)
	if err != nil {
		return tls.Certificate{}, err
	}
	for _, h := range hosts {
		if !caCovers(ca, h) {
			return tls.Certificate{}, fmt.Errorf("tls.hosts entry %q is outside what the local CA in %s may sign (%s): "+
				"to serve it, move %s and %s aside so that the next start creates a new CA, then enroll that CA again on every seat and kiosk",
				h, dir, describeConstraints(ca), caCertName, caKeyName)
		}
	}

	certPath := filepath.Join(dir, serverCertName)
	keyPath := filepath.Join(dir, serverKeyName)
	// Any server pair that fails to load, such as a key left without its
	// certificate by a crash, is reissued: the enrolled CA stays the same.
	cert, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err == nil && serverCertUsable(cert.Leaf, ca, hosts, now) {
		return cert, nil
	}
	return issueServerCert(dir, ca, caKey, hosts, now)
}

// serverCertUsable reports whether leaf was issued by ca, covers every
// host and stays valid for at least renewBefore.
func serverCertUsable(leaf, ca *x509.Certificate, hosts []string, now time.Time) bool {
	if leaf.CheckSignatureFrom(ca) != nil || now.Add(renewBefore).After(leaf.NotAfter) {
		return false
	}
	for _, h := range hosts {
		if leaf.VerifyHostname(h) != nil {
			return false
		}
	}
	return true
}

// ensureCA loads the local CA from dir or creates it for hosts when
// neither of its files exists.
func ensureCA(dir string, hosts []string, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	certPath := filepath.Join(dir, caCertName)
	keyPath := filepath.Join(dir, caKeyName)
	pair, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err == nil {
		key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
		if !ok {
			return nil, nil, fmt.Errorf("%s is not an ECDSA key", keyPath)
		}
		return pair.Leaf, key, nil
	}
	_, certErr := os.Stat(certPath)
	_, keyErr := os.Stat(keyPath)
	if !errors.Is(certErr, fs.ErrNotExist) || !errors.Is(keyErr, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("loading local CA %s and %s: %w (restore both from a backup; a new CA must be enrolled again on every seat and kiosk)", certPath, keyPath, err)
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generating CA key: %w", err)
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "Wenban hub local CA", Organization: []string{"问办"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	constrain(tmpl, hosts)
	ca, err := createCertificate(tmpl, tmpl, key, key)
	if err != nil {
		return nil, nil, err
	}
	if err := writeKeyPair(certPath, keyPath, ca.Raw, key); err != nil {
		return nil, nil, err
	}
	return ca, key, nil
}

// issueServerCert signs a server certificate for hosts with the local CA
// and writes it with its key into dir.
func issueServerCert(dir string, ca *x509.Certificate, caKey *ecdsa.PrivateKey, hosts []string, now time.Time) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generating server key: %w", err)
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: hosts[0]},
		NotBefore:   now.Add(-time.Hour),
		NotAfter:    now.Add(serverLifetime),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	leaf, err := createCertificate(tmpl, ca, key, caKey)
	if err != nil {
		return tls.Certificate{}, err
	}

	certPath := filepath.Join(dir, serverCertName)
	keyPath := filepath.Join(dir, serverKeyName)
	if err := writeKeyPair(certPath, keyPath, leaf.Raw, key); err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: key, Leaf: leaf}, nil
}

func createCertificate(tmpl, parent *x509.Certificate, key, signer *ecdsa.PrivateKey) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("generating certificate serial: %w", err)
	}
	tmpl.SerialNumber = serial
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		return nil, fmt.Errorf("creating certificate %q: %w", tmpl.Subject.CommonName, err)
	}
	return x509.ParseCertificate(der)
}

// writeKeyPair writes the key (0600) and then the certificate (0644),
// each through a temporary file and a rename, so neither is left half
// written.
func writeKeyPair(certPath, keyPath string, certDER []byte, key *ecdsa.PrivateKey) error {
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("encoding key for %s: %w", keyPath, err)
	}
	if err := writeFileAtomic(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return err
	}
	return writeFileAtomic(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certDER}), 0o644)
}

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(f.Name())

	if err := f.Chmod(mode); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// ExportCA returns the PEM certificate of the local CA that tls.mode auto
// created in cfg's data folder, for enrolment on seats and kiosks.
func ExportCA(cfg config.Config) ([]byte, error) {
	path := cfg.TLSCAPath()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("local CA %s not found: set tls.mode auto and start the hub once", path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading local CA %s: %w", path, err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("local CA %s is not a PEM certificate", path)
	}
	return bytes.TrimSpace(data), nil
}
