// Package turn is the hub's embedded TURN server (pion/turn v5) over UDP
// and TCP, for browsers and kiosks that cannot reach the SFU directly,
// for example when a firewall blocks UDP. Credentials are short-lived
// and follow the TURN REST scheme: the username is "EXPIRY:USER" with
// EXPIRY in Unix seconds, and the password is
// base64(HMAC-SHA1(secret, username)), so the server checks them without
// storing any.
//
// Relays may reach only the addresses in Config.AllowedPeers, on the
// ports of Config.PeerPortMin..PeerPortMax other than TURN's own, and
// only over UDP, so a credential cannot be used to reach other hosts or
// other services on the hub's network. Each credential user holds at
// most Config.MaxAllocationsPerUser allocations at once.
package turn

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // TURN REST passwords are HMAC-SHA1 by definition.
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	pionturn "github.com/pion/turn/v5"

	"wenban/appliance/media/pionlog"
)

// Config configures Start.
type Config struct {
	// Logger receives the server's logs. Nil means slog.Default().
	Logger *slog.Logger
	// UDPListen and TCPListen are the listen addresses, for example
	// "0.0.0.0:3478". An empty address disables that transport.
	UDPListen, TCPListen string
	// PublicIP is the relay address announced to clients: the hub's
	// address as clients see it, which differs from the local one
	// behind NAT.
	PublicIP string
	// RelayIP is the local address relays are opened on. Empty means
	// every interface.
	RelayIP string
	// RelayPortMin and RelayPortMax bound the relay ports. Zero for both
	// lets the kernel choose.
	RelayPortMin, RelayPortMax uint16
	// Realm is the TURN realm. Empty means "wenban".
	Realm string
	// Secret signs the credentials; Credentials must use the same one.
	Secret []byte
	// AllowedPeers are the IP addresses relays may send to, normally the
	// SFU's candidate addresses. Empty means PublicIP only. Unspecified,
	// multicast, broadcast and link-local addresses are rejected.
	AllowedPeers []string
	// PeerPortMin and PeerPortMax bound the peer ports relays may send
	// to, normally the SFU's ICE UDP port or port range. Zero for both
	// means 1024 to 65535. TURN's own listen ports are always refused.
	PeerPortMin, PeerPortMax uint16
	// MaxAllocationsPerUser bounds the live allocations of one
	// credential user. Zero means 16. A browser allocates over UDP and
	// TCP on every network interface, and a reloaded page leaves its old
	// allocations until their 10-minute lifetime ends, so the default
	// leaves room for a few reloads.
	MaxAllocationsPerUser int
}

// Server is a running TURN server.
type Server struct {
	server *pionturn.Server
	udp    net.Addr
	tcp    net.Addr
}

// Start opens the configured ports and serves TURN until Close.
func Start(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Realm == "" {
		cfg.Realm = "wenban"
	}
	if len(cfg.Secret) < 16 {
		return nil, fmt.Errorf("TURN secret has %d bytes, want at least 16", len(cfg.Secret))
	}
	public := net.ParseIP(cfg.PublicIP)
	if public == nil {
		return nil, fmt.Errorf("invalid TURN public address %q", cfg.PublicIP)
	}
	if err := checkPeerIP(public); err != nil {
		return nil, fmt.Errorf("invalid TURN public address: %w", err)
	}
	policy, err := newPeerPolicy(cfg, public)
	if err != nil {
		return nil, err
	}
	if cfg.UDPListen == "" && cfg.TCPListen == "" {
		return nil, errors.New("TURN server has neither a UDP nor a TCP listen address")
	}

	s := &Server{}
	sc, err := s.listen(cfg, public, policy)
	if err != nil {
		return nil, err
	}
	for _, addr := range []net.Addr{s.udp, s.tcp} {
		if addr != nil {
			_, port, _ := net.SplitHostPort(addr.String())
			n, _ := strconv.Atoi(port)
			policy.ownPorts = append(policy.ownPorts, n)
		}
	}
	server, err := pionturn.NewServer(sc)
	if err != nil {
		closeAll(sc)

		return nil, fmt.Errorf("starting TURN server: %w", err)
	}
	s.server = server
	cfg.Logger.Info("TURN server started", "udp", addrString(s.udp), "tcp", addrString(s.tcp),
		"public_ip", cfg.PublicIP)

	return s, nil
}

func newPeerPolicy(cfg Config, public net.IP) (*peerPolicy, error) {
	policy := &peerPolicy{portMin: int(cfg.PeerPortMin), portMax: int(cfg.PeerPortMax)}
	if cfg.PeerPortMin == 0 && cfg.PeerPortMax == 0 {
		policy.portMin, policy.portMax = defaultPeerPortMin, defaultPeerPortMax
	}
	if policy.portMin > policy.portMax {
		return nil, fmt.Errorf("TURN peer port range %d-%d is empty", policy.portMin, policy.portMax)
	}

	if len(cfg.AllowedPeers) == 0 {
		policy.ips = []net.IP{public}

		return policy, nil
	}
	for _, text := range cfg.AllowedPeers {
		ip := net.ParseIP(text)
		if ip == nil {
			return nil, fmt.Errorf("invalid TURN allowed peer address %q", text)
		}
		if err := checkPeerIP(ip); err != nil {
			return nil, fmt.Errorf("invalid TURN allowed peer: %w", err)
		}
		policy.ips = append(policy.ips, ip)
	}

	return policy, nil
}

func (s *Server) listen(cfg Config, public net.IP, policy *peerPolicy) (pionturn.ServerConfig, error) {
	log := cfg.Logger
	maxAllocations := cfg.MaxAllocationsPerUser
	if maxAllocations <= 0 {
		maxAllocations = defaultMaxAllocationsUser
	}
	quota := newAllocationQuota(maxAllocations)
	sc := pionturn.ServerConfig{
		Realm:         cfg.Realm,
		AuthHandler:   authHandler(cfg.Secret, log),
		LoggerFactory: pionlog.Factory{Log: log, Demote: true},
		QuotaHandler:  quota.allow,
		EventHandler:  quota.eventHandler(),
	}
	permit := func(_ net.Addr, peer net.IP) bool {
		return policy.allowIP(peer)
	}
	relayIP := cfg.RelayIP
	if relayIP == "" {
		relayIP = "0.0.0.0"
	}
	relay := func() pionturn.RelayAddressGenerator {
		return guardedRelay{policy: policy, RelayAddressGenerator: &pionturn.RelayAddressGeneratorPortRange{
			RelayAddress: public, Address: relayIP,
			MinPort: cfg.RelayPortMin, MaxPort: cfg.RelayPortMax,
		}}
	}
	if cfg.RelayPortMin == 0 && cfg.RelayPortMax == 0 {
		relay = func() pionturn.RelayAddressGenerator {
			return guardedRelay{policy: policy, RelayAddressGenerator: &pionturn.RelayAddressGeneratorStatic{
				RelayAddress: public, Address: relayIP,
			}}
		}
	}

	if cfg.UDPListen != "" {
		conn, err := net.ListenPacket("udp4", cfg.UDPListen)
		if err != nil {
			return sc, fmt.Errorf("opening TURN UDP port %s: %w", cfg.UDPListen, err)
		}
		s.udp = conn.LocalAddr()
		sc.PacketConnConfigs = append(sc.PacketConnConfigs, pionturn.PacketConnConfig{
			PacketConn: conn, RelayAddressGenerator: relay(), PermissionHandler: permit,
		})
	}
	if cfg.TCPListen != "" {
		listener, err := net.Listen("tcp4", cfg.TCPListen)
		if err != nil {
			closeAll(sc)

			return sc, fmt.Errorf("opening TURN TCP port %s: %w", cfg.TCPListen, err)
		}
		s.tcp = listener.Addr()
		sc.ListenerConfigs = append(sc.ListenerConfigs, pionturn.ListenerConfig{
			Listener: listener, RelayAddressGenerator: relay(), PermissionHandler: permit,
		})
	}

	return sc, nil
}

func closeAll(sc pionturn.ServerConfig) {
	for _, c := range sc.PacketConnConfigs {
		_ = c.PacketConn.Close()
	}
	for _, l := range sc.ListenerConfigs {
		_ = l.Listener.Close()
	}
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}

	return a.String()
}

// UDPAddr returns the bound UDP address, or nil without UDP.
func (s *Server) UDPAddr() net.Addr { return s.udp }

// TCPAddr returns the bound TCP address, or nil without TCP.
func (s *Server) TCPAddr() net.Addr { return s.tcp }

// Close stops the server and its relays.
func (s *Server) Close() error {
	if err := s.server.Close(); err != nil {
		return fmt.Errorf("closing TURN server: %w", err)
	}

	return nil
}

// Credentials returns a TURN REST username and password for user that
// expire ttl after now.
func Credentials(secret []byte, user string, ttl time.Duration, now time.Time) (username, password string) {
	username = strconv.FormatInt(now.Add(ttl).Unix(), 10) + ":" + user

	return username, password64(secret, username)
}

func password64(secret []byte, username string) string {
	mac := hmac.New(sha1.New, secret)
	mac.Write([]byte(username))

	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// authHandler checks TURN REST credentials. Rejections log at debug
// because any client on the network can cause them.
func authHandler(secret []byte, log *slog.Logger) pionturn.AuthHandler {
	return func(ra *pionturn.RequestAttributes) (string, []byte, bool) {
		expiry, user, ok := strings.Cut(ra.Username, ":")
		if !ok {
			log.Debug("TURN username rejected", "reason", "missing expiry")

			return "", nil, false
		}
		seconds, err := strconv.ParseInt(expiry, 10, 64)
		if err != nil || time.Now().Unix() >= seconds {
			log.Debug("TURN username rejected", "reason", "expired or invalid expiry")

			return "", nil, false
		}
		key := pionturn.GenerateAuthKey(ra.Username, ra.Realm, password64(secret, ra.Username))

		return user, key, true
	}
}
