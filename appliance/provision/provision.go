// Package provision stores the settings a technician makes at a
// terminal's first boot: role, hub address, window id, network, time
// server and the hub's certificate. They go to the data partition as the
// files that the image's units read. The package also checks a boot's
// health for the boot loader's boot counting.
package provision

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Role is what a terminal does. One image serves every role.
type Role string

const (
	// RoleHub runs the Wenban service that citizens and seats connect to.
	RoleHub Role = "hub"
	// RoleSeat is a staff seat: a browser on the hub's seat page.
	RoleSeat Role = "seat"
	// RoleKiosk is a citizen kiosk: a locked-down browser on the hub's
	// citizen page for one window.
	RoleKiosk Role = "kiosk"
)

// ErrInvalid means a setting is missing or malformed.
var ErrInvalid = errors.New("provision: invalid setting")

// Network is the wired network setting. Address empty means DHCP.
type Network struct {
	// Interface is a systemd.network Name= match, such as "en*".
	Interface string   `json:"interface"`
	Address   string   `json:"address,omitempty"`
	Gateway   string   `json:"gateway,omitempty"`
	DNS       []string `json:"dns,omitempty"`
}

// Settings is one terminal's provisioning.
type Settings struct {
	Role Role `json:"role"`
	// HubURL is the hub's base URL, such as "https://10.12.0.5:8443". It is
	// required on seats and kiosks.
	HubURL string `json:"hub_url,omitempty"`
	// WindowID names the service window a kiosk or seat belongs to.
	WindowID string `json:"window_id,omitempty"`
	// Listen is the hub's listen address. Default "127.0.0.1:8080".
	Listen  string  `json:"listen,omitempty"`
	Network Network `json:"network"`
	// NTPServer is the intranet time server's host name or address.
	NTPServer string `json:"ntp_server"`
	// HubCertificate is the hub's PEM certificate, or its issuing CA,
	// that seats and kiosks trust for HubURL.
	HubCertificate string `json:"hub_certificate,omitempty"`
}

var (
	windowPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)
	hostPattern   = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$`)
	ifacePattern  = regexp.MustCompile(`^[A-Za-z0-9_.*:-]{1,32}$`)
)

// Validate checks every setting and fills defaults.
func (s *Settings) Validate() error {
	switch s.Role {
	case RoleHub, RoleSeat, RoleKiosk:
	default:
		return fmt.Errorf("%w: role %q, want hub, seat or kiosk", ErrInvalid, s.Role)
	}
	if s.Role != RoleHub {
		if err := s.validateClient(); err != nil {
			return err
		}
	}
	if s.WindowID != "" && !windowPattern.MatchString(s.WindowID) {
		return fmt.Errorf("%w: window id %q, want 1 to 32 letters, digits, - or _", ErrInvalid, s.WindowID)
	}
	if s.Listen == "" {
		s.Listen = "127.0.0.1:8080"
	}
	if _, err := netip.ParseAddrPort(s.Listen); err != nil {
		return fmt.Errorf("%w: listen address %q: %w", ErrInvalid, s.Listen, err)
	}
	if !isHost(s.NTPServer) {
		return fmt.Errorf("%w: time server %q, want a host name or IP address", ErrInvalid, s.NTPServer)
	}
	return s.Network.validate()
}

func (s *Settings) validateClient() error {
	u, err := url.Parse(s.HubURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return fmt.Errorf("%w: hub address %q, want http(s)://HOST[:PORT]", ErrInvalid, s.HubURL)
	}
	s.HubURL = strings.TrimSuffix(u.String(), "/")
	if s.Role == RoleKiosk && s.WindowID == "" {
		return fmt.Errorf("%w: a kiosk needs a window id", ErrInvalid)
	}
	if u.Scheme == "https" && s.HubCertificate == "" {
		return fmt.Errorf("%w: an https hub address needs the hub certificate", ErrInvalid)
	}
	if s.HubCertificate != "" {
		_, err := parseCertificates(s.HubCertificate)
		return err
	}
	return nil
}

func (n *Network) validate() error {
	if n.Interface == "" {
		n.Interface = "en*"
	}
	if !ifacePattern.MatchString(n.Interface) {
		return fmt.Errorf("%w: interface %q", ErrInvalid, n.Interface)
	}
	if n.Address == "" {
		if n.Gateway != "" {
			return fmt.Errorf("%w: a gateway needs a static address", ErrInvalid)
		}
		return nil
	}
	if _, err := netip.ParsePrefix(n.Address); err != nil {
		return fmt.Errorf("%w: address %q, want ADDRESS/PREFIX such as 10.12.0.20/24: %w", ErrInvalid, n.Address, err)
	}
	if n.Gateway != "" {
		if _, err := netip.ParseAddr(n.Gateway); err != nil {
			return fmt.Errorf("%w: gateway %q: %w", ErrInvalid, n.Gateway, err)
		}
	}
	for _, d := range n.DNS {
		if _, err := netip.ParseAddr(d); err != nil {
			return fmt.Errorf("%w: DNS server %q: %w", ErrInvalid, d, err)
		}
	}
	return nil
}

func isHost(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	return len(s) <= 253 && hostPattern.MatchString(s)
}

// Result reports what Write kept of an earlier provisioning.
type Result struct {
	// Kept lists the settings of the earlier wenban.yaml that provisioning
	// does not own and that Write kept, such as "tls" or "kiosk.camera".
	// It is empty on a first provisioning and after a change of role.
	Kept []string
}

// staleFiles are the files of one role that Write removes when the new
// role has no use for them.
var staleFiles = []string{"role-hub", "role-seat", "role-kiosk", "hub.pem", browserPolicyName, "wenban.yaml", "kiosk.env"}

// Write validates s and stores it in dir: settings.json, a role-ROLE
// marker that the image's units test for, the systemd-networkd and
// systemd-timesyncd files, the hub certificate with the browsers' policy
// that trusts it, the hub's or the kiosk's wenban.yaml and the browsers'
// environment file. Files of an earlier provisioning that the new role
// does not use are removed. A wenban.yaml of an earlier provisioning in
// the same role keeps every setting that provisioning does not own, such
// as a hub's tls section, because the operator set them.
func Write(dir string, s Settings) (Result, error) {
	if err := s.Validate(); err != nil {
		return Result{}, err
	}
	// The service users of the hub and the kiosk read these files, and
	// none of them is secret.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Result{}, fmt.Errorf("creating %s: %w", dir, err)
	}

	previous, err := previousConfig(dir, s.Role)
	if err != nil {
		return Result{}, err
	}
	files, kept, err := render(s, previous)
	if err != nil {
		return Result{}, err
	}
	for _, stale := range staleFiles {
		if _, keep := files[stale]; !keep {
			if err := os.Remove(filepath.Join(dir, stale)); err != nil && !os.IsNotExist(err) {
				return Result{}, fmt.Errorf("removing %s: %w", stale, err)
			}
		}
	}
	for name, content := range files {
		if err := writeFile(filepath.Join(dir, name), content); err != nil {
			return Result{}, err
		}
	}
	return Result{Kept: kept}, nil
}

// previousConfig returns the wenban.yaml in dir when the earlier
// provisioning had role, or nil. A file without settings.json beside it
// counts as the operator's and is kept too.
func previousConfig(dir string, role Role) ([]byte, error) {
	path := filepath.Join(dir, "wenban.yaml")
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}

	earlier, err := Read(dir)
	if err == nil && earlier.Role != role {
		return nil, nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return data, nil
}

// Read returns the settings stored in dir.
func Read(dir string) (Settings, error) {
	data, err := os.ReadFile(filepath.Join(dir, "settings.json"))
	if err != nil {
		return Settings{}, fmt.Errorf("reading provisioning: %w", err)
	}
	var s Settings
	if err := json.Unmarshal(data, &s); err != nil {
		return Settings{}, fmt.Errorf("%w: %s: %w", ErrInvalid, filepath.Join(dir, "settings.json"), err)
	}
	return s, nil
}

func writeFile(path, content string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("replacing %s: %w", path, err)
	}
	return nil
}
