package turn_test

import (
	"bytes"
	"net"
	"testing"
	"time"

	pionturn "github.com/pion/turn/v5"

	"wenban/appliance/media/turn"
)

// turnClient is a pion TURN client on its own 127.0.0.1 socket, over UDP
// or, with tcp true, over one TCP connection.
func turnClient(t *testing.T, srv *turn.Server, user string, tcp bool) *pionturn.Client {
	t.Helper()
	var conn net.PacketConn
	addr := srv.UDPAddr().String()
	if tcp {
		addr = srv.TCPAddr().String()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dialing TURN over TCP: %v", err)
		}
		conn = pionturn.NewSTUNConn(c)
	} else {
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("ListenPacket: %v", err)
		}
		conn = c
	}
	username, password := turn.Credentials(secret, user, time.Hour, time.Now())
	client, err := pionturn.NewClient(&pionturn.ClientConfig{
		STUNServerAddr: addr, TURNServerAddr: addr, Conn: conn,
		Username: username, Password: password, Realm: "wenban",
	})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	if err := client.Listen(); err != nil {
		t.Fatalf("Listen: %v", err)
	}
	t.Cleanup(func() {
		client.Close()
		_ = conn.Close()
	})

	return client
}

func allocate(t *testing.T, client *pionturn.Client) net.PacketConn {
	t.Helper()
	relay, err := client.Allocate()
	if err != nil {
		t.Fatalf("Allocate: %v", err)
	}
	t.Cleanup(func() { _ = relay.Close() })

	return relay
}

func udpListener(t *testing.T) *net.UDPConn {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatalf("ListenUDP: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })

	return conn
}

// TestRelayPeersRefused requests permissions only. A refused permission
// sends nothing to the peer, so no packet leaves for these addresses.
func TestRelayPeersRefused(t *testing.T) {
	srv := startTURN(t)
	client := turnClient(t, srv, "peers", false)
	allocate(t, client)

	tests := []struct {
		name string
		ip   string
	}{
		{"loopback alias", "127.0.0.2"},
		{"loopback alias far", "127.255.255.254"},
		{"unspecified", "0.0.0.0"},
		{"metadata service", "169.254.169.254"},
		{"private network", "10.0.0.1"},
		{"IPv6 loopback", "::1"},
		{"IPv6 link-local", "fe80::1"},
		{"IPv4-mapped alias", "::ffff:127.0.0.2"},
		{"broadcast", "255.255.255.255"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			peer := &net.UDPAddr{IP: net.ParseIP(tt.ip), Port: 5000}
			if err := client.CreatePermission(peer); err == nil {
				t.Errorf("got permission for %s, want it refused", peer)
			}
		})
	}

	if err := client.CreatePermission(&net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5000}); err != nil {
		t.Errorf("got %v for the public address, want permission granted", err)
	}
}

// TestRelayPortsRefused checks that a relay reaches only the peer port
// range: the datagram to the port outside it is dropped, the one to the
// allowed port arrives.
func TestRelayPortsRefused(t *testing.T) {
	allowed := udpListener(t)
	other := udpListener(t)
	port := uint16(allowed.LocalAddr().(*net.UDPAddr).Port)
	srv := startTURNConfig(t, turn.Config{PeerPortMin: port, PeerPortMax: port})
	relay := allocate(t, turnClient(t, srv, "ports", false))

	if _, err := relay.WriteTo([]byte("refused"), other.LocalAddr()); err != nil {
		t.Fatalf("WriteTo other port: %v", err)
	}
	if _, err := relay.WriteTo([]byte("allowed"), allowed.LocalAddr()); err != nil {
		t.Fatalf("WriteTo allowed port: %v", err)
	}

	buf := make([]byte, 64)
	_ = allowed.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, _, err := allowed.ReadFrom(buf)
	if err != nil {
		t.Fatalf("allowed port: got %v, want the relayed datagram", err)
	}
	if !bytes.Equal(buf[:n], []byte("allowed")) {
		t.Errorf("allowed port got %q, want %q", buf[:n], "allowed")
	}
	// The refused datagram was written first on the same path, so it
	// would have arrived by now.
	_ = other.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if n, _, err := other.ReadFrom(buf); err == nil {
		t.Errorf("port outside the range got %q, want nothing", buf[:n])
	}
}

func TestTCPRelayRefused(t *testing.T) {
	srv := startTURN(t)
	client := turnClient(t, srv, "tcp", true)
	if alloc, err := client.AllocateTCP(); err == nil {
		_ = alloc.Close()
		t.Errorf("got a TCP relay allocation, want it refused")
	}
}

func TestAllocationQuota(t *testing.T) {
	srv := startTURNConfig(t, turn.Config{MaxAllocationsPerUser: 2})
	for range 2 {
		allocate(t, turnClient(t, srv, "quota", false))
	}
	if relay, err := turnClient(t, srv, "quota", false).Allocate(); err == nil {
		_ = relay.Close()
		t.Errorf("got a third allocation for one user, want quota reached")
	}
	if relay, err := turnClient(t, srv, "another", false).Allocate(); err != nil {
		t.Errorf("another user: got %v, want an allocation", err)
	} else {
		_ = relay.Close()
	}
}

func TestStartRejectsPeerAddresses(t *testing.T) {
	tests := []struct {
		name   string
		public string
		peers  []string
	}{
		{"unspecified public", "0.0.0.0", nil},
		{"IPv6 unspecified public", "::", nil},
		{"multicast public", "224.0.0.1", nil},
		{"link-local peer", "127.0.0.1", []string{"169.254.169.254"}},
		{"unspecified peer", "127.0.0.1", []string{"0.0.0.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := turn.Start(turn.Config{
				Logger: logger(), UDPListen: "127.0.0.1:0", PublicIP: tt.public,
				AllowedPeers: tt.peers, Secret: secret,
			})
			if err == nil {
				_ = srv.Close()
				t.Fatalf("got a running server, want an error")
			}
		})
	}
}

func startTURNConfig(t *testing.T, cfg turn.Config) *turn.Server {
	t.Helper()
	cfg.Logger = logger()
	cfg.UDPListen = "127.0.0.1:0"
	cfg.TCPListen = "127.0.0.1:0"
	cfg.PublicIP = "127.0.0.1"
	cfg.RelayIP = "127.0.0.1"
	cfg.Secret = secret
	srv, err := turn.Start(cfg)
	if err != nil {
		t.Fatalf("turn.Start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })

	return srv
}
