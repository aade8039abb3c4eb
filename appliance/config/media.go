package config

import (
	"fmt"
	"net"
	"time"
)

// Media configures the hub's SFU for voice and video calls, its embedded
// TURN server and the WHIP/WHEP endpoints.
type Media struct {
	// Enabled runs the SFU and serves /whip and /whep. Default true.
	Enabled bool `mapstructure:"enabled"`
	// UDPPort, when non-zero, carries all call media on this one UDP
	// port, which is easiest to open in a firewall. Zero uses
	// PortMin..PortMax. Default 0.
	UDPPort int `mapstructure:"udp_port"`
	// PortMin and PortMax bound the UDP ports of calls when UDPPort is
	// zero. Zero for both lets the kernel choose. Default 0 and 0.
	PortMin uint16 `mapstructure:"port_min"`
	PortMax uint16 `mapstructure:"port_max"`
	// TCPPort, when non-zero, also accepts ICE over TCP on this port for
	// clients whose UDP is blocked and that have no TURN. Default 0.
	TCPPort int `mapstructure:"tcp_port"`
	// ICEIPs are the local addresses the SFU offers to clients. Empty
	// means the host of listen, or every interface when that host is
	// empty or 0.0.0.0. Default empty.
	ICEIPs []string `mapstructure:"ice_ips"`
	// NAT1To1IPs are public addresses announced in place of ICEIPs when
	// the hub sits behind a 1:1 NAT. Default empty.
	NAT1To1IPs []string `mapstructure:"nat_1to1_ips"`
	// TokenTTL is the lifetime of a WHIP/WHEP token that
	// `wenban media token` prints without --ttl. Default 1h.
	TokenTTL time.Duration `mapstructure:"token_ttl"`
	TURN     TURN          `mapstructure:"turn"`
}

// TURN configures the embedded TURN server.
type TURN struct {
	// Enabled runs the TURN server and hands its credentials to callers.
	// Default false.
	Enabled bool `mapstructure:"enabled"`
	// Listen is the UDP and TCP listen address. Default "127.0.0.1:3478".
	Listen string `mapstructure:"listen"`
	// PublicIP is the address clients reach TURN at and the relay
	// address it announces; required when Enabled. Default empty.
	PublicIP string `mapstructure:"public_ip"`
	// Realm is the TURN realm. Default "wenban".
	Realm string `mapstructure:"realm"`
	// CredentialTTL is the lifetime of the credentials handed out per
	// call. Default 2h.
	CredentialTTL time.Duration `mapstructure:"credential_ttl"`
	// RelayPortMin and RelayPortMax bound the relay ports. Zero for both
	// lets the kernel choose. Default 0 and 0.
	RelayPortMin uint16 `mapstructure:"relay_port_min"`
	RelayPortMax uint16 `mapstructure:"relay_port_max"`
}

func defaultMedia() Media {
	return Media{
		Enabled:    true,
		ICEIPs:     []string{},
		NAT1To1IPs: []string{},
		TokenTTL:   time.Hour,
		TURN: TURN{
			Listen:        "127.0.0.1:3478",
			Realm:         "wenban",
			CredentialTTL: 2 * time.Hour,
		},
	}
}

// Validate checks ports, addresses and durations.
func (m Media) Validate() error {
	if m.UDPPort < 0 || m.UDPPort > 65535 || m.TCPPort < 0 || m.TCPPort > 65535 {
		return fmt.Errorf("media.udp_port %d or media.tcp_port %d is out of range: use 0 to 65535", m.UDPPort, m.TCPPort)
	}
	if m.PortMin > m.PortMax {
		return fmt.Errorf("media.port_min %d is above media.port_max %d", m.PortMin, m.PortMax)
	}
	for _, list := range [][]string{m.ICEIPs, m.NAT1To1IPs} {
		for _, ip := range list {
			if net.ParseIP(ip) == nil {
				return fmt.Errorf("media address %q is not an IP address", ip)
			}
		}
	}
	if m.TokenTTL <= 0 {
		return fmt.Errorf("media.token_ttl must be a positive duration such as 1h")
	}

	return m.TURN.Validate()
}

// Validate checks the TURN settings that matter when it is enabled.
func (t TURN) Validate() error {
	if !t.Enabled {
		return nil
	}
	if _, _, err := net.SplitHostPort(t.Listen); err != nil {
		return fmt.Errorf("media.turn.listen %q is invalid: use host:port such as 0.0.0.0:3478: %w", t.Listen, err)
	}
	if net.ParseIP(t.PublicIP) == nil {
		return fmt.Errorf("media.turn.public_ip %q is not an IP address: set the address clients reach the hub at", t.PublicIP)
	}
	if t.CredentialTTL <= 0 {
		return fmt.Errorf("media.turn.credential_ttl must be a positive duration such as 2h")
	}
	if t.RelayPortMin > t.RelayPortMax {
		return fmt.Errorf("media.turn.relay_port_min %d is above relay_port_max %d", t.RelayPortMin, t.RelayPortMax)
	}

	return nil
}

// ICEListenIPs resolves ICEIPs: the configured list, else the host of
// listen, else nil for every interface.
func (c Config) ICEListenIPs() []string {
	if len(c.Media.ICEIPs) > 0 {
		return c.Media.ICEIPs
	}
	host, _, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || ip.IsUnspecified() {
		return nil
	}

	return []string{ip.String()}
}
