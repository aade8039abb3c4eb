package provision

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
)

// browserPolicyName is the Chromium managed policy file that makes the
// seat and kiosk browsers trust the hub's certificate. The image links
// /etc/chromium/policies/managed/wenban-hub-certificate.json to it,
// because /etc is read-only there. Chromium 156 on Linux applies the
// CACertificates policy (checked with Debian's chromium
// 156.0.8078.114), so no NSS database in the kiosk user's home, which
// is a tmpfs on the image, is needed.
const browserPolicyName = "chromium-policy.json"

// browserPolicy returns the managed policy that adds the certificates in
// certPEM, and only those, to the certificates Chromium trusts for TLS
// servers. CACertificates takes each certificate as base64 DER.
//
// NOTE: the CA is trusted for any host name, as hubtls trusts it for the
// kiosk's Go clients. CACertificatesWithConstraints, which Chromium 156 on
// Linux also enforces, could limit it to the hub's address, but a hub
// page that links to a public_url with another host would then fail.
func browserPolicy(certPEM string) (string, error) {
	ders, err := parseCertificates(certPEM)
	if err != nil {
		return "", err
	}
	certs := make([]string, len(ders))
	for i, der := range ders {
		certs[i] = base64.StdEncoding.EncodeToString(der)
	}

	policy, err := json.MarshalIndent(map[string][]string{"CACertificates": certs}, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encoding %s: %w", browserPolicyName, err)
	}
	return string(policy) + "\n", nil
}

// parseCertificates returns the DER of every PEM block in text. Each block
// must be a CERTIFICATE that parses, so a private key pasted into the
// file by mistake is rejected and never copied to a terminal.
func parseCertificates(text string) ([][]byte, error) {
	var ders [][]byte
	for rest := []byte(text); ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("%w: hub certificate file has a %q PEM block, want CERTIFICATE blocks only", ErrInvalid, block.Type)
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return nil, fmt.Errorf("%w: hub certificate %d: %w", ErrInvalid, len(ders)+1, err)
		}
		ders = append(ders, block.Bytes)
	}
	if len(ders) == 0 {
		return nil, fmt.Errorf("%w: hub certificate is not a PEM CERTIFICATE block", ErrInvalid)
	}
	return ders, nil
}
