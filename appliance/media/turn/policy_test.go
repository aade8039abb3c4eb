package turn

import (
	"net"
	"testing"
)

func TestPeerPolicyAllowAddr(t *testing.T) {
	policy := &peerPolicy{
		ips:     []net.IP{net.ParseIP("192.0.2.10")},
		portMin: 1024, portMax: 65535,
		ownPorts: []int{3478},
	}
	tests := []struct {
		name string
		addr net.Addr
		want bool
	}{
		{"SFU port", &net.UDPAddr{IP: net.ParseIP("192.0.2.10"), Port: 50000}, true},
		{"IPv4-mapped form", &net.UDPAddr{IP: net.ParseIP("::ffff:192.0.2.10"), Port: 50000}, true},
		{"TURN's own port", &net.UDPAddr{IP: net.ParseIP("192.0.2.10"), Port: 3478}, false},
		{"privileged port", &net.UDPAddr{IP: net.ParseIP("192.0.2.10"), Port: 53}, false},
		{"other host", &net.UDPAddr{IP: net.ParseIP("192.0.2.11"), Port: 50000}, false},
		{"TCP address", &net.TCPAddr{IP: net.ParseIP("192.0.2.10"), Port: 50000}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := policy.allowAddr(tt.addr); got != tt.want {
				t.Errorf("allowAddr(%s) = %v, want %v", tt.addr, got, tt.want)
			}
		})
	}
}
