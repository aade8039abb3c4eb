package turn

import (
	"errors"
	"fmt"
	"net"
	"sync"

	pionturn "github.com/pion/turn/v5"
)

// Defaults of Config's relay limits.
const (
	defaultPeerPortMin        = 1024
	defaultPeerPortMax        = 65535
	defaultMaxAllocationsUser = 16
)

var (
	errPeerRefused = errors.New("TURN relay to this peer address is not allowed")
	errTCPRelay    = errors.New("TURN TCP relays (RFC 6062) are not offered")
)

// checkPeerIP rejects addresses that must never be a relay peer even
// when configured: the unspecified address, which the kernel delivers
// to the hub's own loopback, multicast and broadcast, and link-local
// addresses, among them the 169.254.169.254 metadata service.
func checkPeerIP(ip net.IP) error {
	switch {
	case ip.IsUnspecified():
		return fmt.Errorf("address %s is unspecified", ip)
	case ip.IsMulticast(), ip.Equal(net.IPv4bcast):
		return fmt.Errorf("address %s is multicast or broadcast", ip)
	case ip.IsLinkLocalUnicast():
		return fmt.Errorf("address %s is link-local", ip)
	}

	return nil
}

// peerPolicy decides which peer addresses relays may reach. TURN
// permissions are per IP address, so the port check happens on every
// relayed datagram in guardedConn.
type peerPolicy struct {
	ips              []net.IP
	portMin, portMax int
	// ownPorts are the TURN listen ports, refused so a relay cannot loop
	// back into the TURN server itself.
	ownPorts []int
}

func (p *peerPolicy) allowIP(ip net.IP) bool {
	for _, allowed := range p.ips {
		if allowed.Equal(ip) {
			return true
		}
	}

	return false
}

func (p *peerPolicy) allowAddr(addr net.Addr) bool {
	udp, ok := addr.(*net.UDPAddr)
	if !ok || !p.allowIP(udp.IP) {
		return false
	}
	if udp.Port < p.portMin || udp.Port > p.portMax {
		return false
	}
	for _, own := range p.ownPorts {
		if udp.Port == own {
			return false
		}
	}

	return true
}

// guardedRelay wraps a relay address generator so UDP relays check every
// peer address and TCP relays are refused: ICE over TURN needs only UDP
// allocations, and a TCP relay would let a client open TCP connections
// from the hub.
type guardedRelay struct {
	pionturn.RelayAddressGenerator
	policy *peerPolicy
}

func (g guardedRelay) AllocatePacketConn(c pionturn.AllocateListenerConfig) (net.PacketConn, net.Addr, error) {
	conn, addr, err := g.RelayAddressGenerator.AllocatePacketConn(c)
	if err != nil {
		return nil, nil, err
	}

	return &guardedConn{PacketConn: conn, policy: g.policy}, addr, nil
}

func (g guardedRelay) AllocateListener(pionturn.AllocateListenerConfig) (net.Listener, net.Addr, error) {
	return nil, nil, errTCPRelay
}

func (g guardedRelay) AllocateConn(pionturn.AllocateConnConfig) (net.Conn, error) {
	return nil, errTCPRelay
}

// guardedConn is a relay socket that drops datagrams to peers outside
// its policy.
type guardedConn struct {
	net.PacketConn
	policy *peerPolicy
}

func (c *guardedConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	if !c.policy.allowAddr(addr) {
		return 0, fmt.Errorf("relaying to %s: %w", addr, errPeerRefused)
	}

	return c.PacketConn.WriteTo(b, addr)
}

// allocationQuota counts live allocations per credential user.
// NOTE: the check and the count are separate pion callbacks, so
// concurrent Allocate requests of one user can exceed the limit by the
// number in flight.
type allocationQuota struct {
	max  int
	mu   sync.Mutex
	live map[string]int
}

func newAllocationQuota(max int) *allocationQuota {
	return &allocationQuota{max: max, live: make(map[string]int)}
}

func (q *allocationQuota) allow(user, _ string, _ net.Addr) bool {
	q.mu.Lock()
	defer q.mu.Unlock()

	return q.live[user] < q.max
}

func (q *allocationQuota) eventHandler() pionturn.EventHandler {
	return pionturn.EventHandler{
		OnAllocationCreated: func(_, _ net.Addr, _, user, _ string, _ net.Addr, _ int) {
			q.mu.Lock()
			q.live[user]++
			q.mu.Unlock()
		},
		OnAllocationDeleted: func(_, _ net.Addr, _, user, _ string) {
			q.mu.Lock()
			q.live[user]--
			if q.live[user] <= 0 {
				delete(q.live, user)
			}
			q.mu.Unlock()
		},
	}
}
