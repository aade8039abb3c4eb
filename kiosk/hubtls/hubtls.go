// Package hubtls builds the TLS client settings with which a terminal's
// Go clients reach the hub. They trust only the certificate that
// `wenban provision --hub-cert` stored as hub.pem, never the system
// roots. They report a certificate that does not verify in Chinese, so
// the technician at the terminal can tell which certificate to provision
// again.
package hubtls

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"
)

// ErrNoCertificate means a hub certificate file contains no PEM
// CERTIFICATE block.
var ErrNoCertificate = errors.New("hubtls: no PEM certificate")

// Config returns a TLS client configuration whose only roots are the
// certificates in certPEM: the hub's own certificate or the CA that
// issued it, such as the one `wenban tls ca` prints. Blocks of other PEM
// types, such as a private key pasted by mistake, are rejected.
func Config(certPEM []byte) (*tls.Config, error) {
	pool := x509.NewCertPool()
	count := 0
	for rest := certPEM; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("hub certificate: PEM block %d is %q, want CERTIFICATE", count+1, block.Type)
		}

		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("hub certificate: parsing PEM block %d: %w", count+1, err)
		}
		pool.AddCert(cert)
		count++
	}
	if count == 0 {
		return nil, ErrNoCertificate
	}

	return &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool}, nil
}

// LoadConfig reads the PEM file at path and builds its Config.
func LoadConfig(path string) (*tls.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading hub certificate: %w", err)
	}

	cfg, err := Config(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// Transport returns the round tripper for every request to the hub. With
// a nil cfg it verifies against the system roots, which only a hub with a
// publicly issued certificate or a plain-HTTP hub needs. Requests never
// go through a proxy from the environment, because the hub is on the
// service hall's LAN. They use HTTP/1.1 only, as the hub serves it,
// because the control channel's WebSocket upgrades over HTTP/1.1.
func Transport(cfg *tls.Config) http.RoundTripper {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.Proxy = nil
	base.ForceAttemptHTTP2 = false
	if cfg != nil {
		base.TLSClientConfig = cfg.Clone()
	}

	return &transport{base: base}
}

// Client returns an HTTP client on Transport(cfg) whose requests time out
// after timeout. Zero means no timeout.
func Client(cfg *tls.Config, timeout time.Duration) *http.Client {
	return &http.Client{Transport: Transport(cfg), Timeout: timeout}
}

// transport turns a failed certificate check into a CertificateError.
type transport struct {
	base *http.Transport
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, describe(req.URL.Host, err)
	}
	return resp, nil
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// wrapped transport.
func (t *transport) CloseIdleConnections() { t.base.CloseIdleConnections() }
