package config

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// TLS modes.
const (
	TLSOff   = "off"
	TLSFiles = "files"
	TLSAuto  = "auto"
)

// TLS configures HTTPS on the hub's listen address. Browsers allow the
// camera and the microphone only on HTTPS pages or on localhost, so seats
// and kiosks that reach the hub across the LAN need it.
type TLS struct {
	// Mode is off (plain HTTP), files (a certificate the department
	// issues, in CertFile and KeyFile) or auto (the hub creates a local CA
	// and a server certificate for Hosts in the data folder on first
	// start). Default off.
	Mode string `mapstructure:"mode"`
	// CertFile is the PEM certificate chain, server certificate first,
	// for mode files. Default empty.
	CertFile string `mapstructure:"cert_file"`
	// KeyFile is the PEM private key of CertFile, for mode files.
	// Default empty.
	KeyFile string `mapstructure:"key_file"`
	// Hosts lists the DNS names and IP addresses that seats and kiosks use
	// to reach the hub, for mode auto. Empty means the host of listen and
	// of public_url. Default empty.
	Hosts []string `mapstructure:"hosts"`
	// RedirectListen is a plain-HTTP address, such as 0.0.0.0:8080, that
	// redirects every request to HTTPS. Empty means none. Default empty.
	RedirectListen string `mapstructure:"redirect_listen"`
}

func defaultTLS() TLS { return TLS{Mode: TLSOff, Hosts: []string{}} }

// Enabled reports whether the hub serves HTTPS.
func (t TLS) Enabled() bool { return t.Mode == TLSFiles || t.Mode == TLSAuto }

// TLSDir is the folder of the certificates and keys that mode auto
// creates.
func (c Config) TLSDir() string { return filepath.Join(c.Data, "tls") }

// TLSCAPath is the local CA certificate that seats and kiosks enrol.
func (c Config) TLSCAPath() string { return filepath.Join(c.TLSDir(), "ca.pem") }

// TLSHosts returns the names and addresses the auto certificate covers.
// Wildcard listen hosts such as 0.0.0.0 name no host and are skipped.
func (c Config) TLSHosts() []string {
	if len(c.TLS.Hosts) > 0 {
		return c.TLS.Hosts
	}
	var hosts []string
	if host, _, err := net.SplitHostPort(c.Listen); err == nil && !isWildcardHost(host) {
		hosts = append(hosts, host)
	}
	if u, err := url.Parse(c.PublicURL); err == nil && u.Hostname() != "" {
		if h := u.Hostname(); len(hosts) == 0 || hosts[0] != h {
			hosts = append(hosts, h)
		}
	}
	return hosts
}

func isWildcardHost(host string) bool {
	if host == "" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsUnspecified()
}

func (c Config) scheme() string {
	if c.TLS.Enabled() {
		return "https://"
	}
	return "http://"
}

// validateTLS checks the TLS section against the rest of c.
func (c Config) validateTLS() error {
	t := c.TLS
	switch t.Mode {
	case TLSOff:
		if t.RedirectListen != "" {
			return fmt.Errorf("tls.redirect_listen %q needs tls.mode files or auto", t.RedirectListen)
		}
		return nil
	case TLSFiles:
		if t.CertFile == "" || t.KeyFile == "" {
			return fmt.Errorf("tls.mode files needs tls.cert_file and tls.key_file")
		}
	case TLSAuto:
		if len(c.TLSHosts()) == 0 {
			return fmt.Errorf("tls.mode auto needs tls.hosts: list the names and IP addresses seats and kiosks use, because listen %q names no host", c.Listen)
		}
		for _, h := range c.TLSHosts() {
			if err := checkTLSHost(h); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("tls.mode %q is invalid: use off, files or auto", t.Mode)
	}
	if t.RedirectListen != "" {
		if _, _, err := net.SplitHostPort(t.RedirectListen); err != nil {
			return fmt.Errorf("tls.redirect_listen %q is invalid: %w", t.RedirectListen, err)
		}
		if t.RedirectListen == c.Listen {
			return fmt.Errorf("tls.redirect_listen %q equals listen: use another port", t.RedirectListen)
		}
	}
	return nil
}

// checkTLSHost rejects a tls.hosts entry the auto CA must not be limited
// to. The CA may sign each name and its subdomains, so an empty entry
// (a stray "-" in the list) would let it sign every name, and a public
// suffix such as cn or gov.cn every name under it.
func checkTLSHost(h string) error {
	if strings.TrimSpace(h) == "" {
		return fmt.Errorf("tls.hosts has an empty entry: remove it, because the local CA would then be allowed to sign for every site")
	}
	if net.ParseIP(h) != nil || h == "localhost" {
		return nil
	}
	if strings.ContainsAny(h, " *") || strings.HasPrefix(h, ".") || strings.HasSuffix(h, ".") {
		return fmt.Errorf("tls.hosts entry %q is not a host name: list plain names such as wenban.hall.local", h)
	}
	if suffix, _ := publicsuffix.PublicSuffix(strings.ToLower(h)); suffix == strings.ToLower(h) && strings.Contains(h, ".") || isTopLevel(h) {
		return fmt.Errorf("tls.hosts entry %q is a public suffix, under which the local CA could sign for other sites: list the hub's own name, such as wenban.%s", h, h)
	}
	return nil
}

// isTopLevel reports whether a one-label name is a top-level domain that
// the public suffix list knows, such as cn or com; other one-label names
// (wenban, hub01) are LAN host names.
func isTopLevel(h string) bool {
	if strings.Contains(h, ".") {
		return false
	}
	_, icann := publicsuffix.PublicSuffix(strings.ToLower(h))
	return icann
}
