package config

import (
	"slices"
	"testing"
	"time"
)

func TestMediaValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Media)
		wantErr bool
	}{
		{"defaults", func(*Media) {}, false},
		{"single UDP port", func(m *Media) { m.UDPPort = 50000 }, false},
		{"UDP port out of range", func(m *Media) { m.UDPPort = 70000 }, true},
		{"port range reversed", func(m *Media) { m.PortMin, m.PortMax = 50100, 50000 }, true},
		{"invalid ICE address", func(m *Media) { m.ICEIPs = []string{"hub.local"} }, true},
		{"invalid NAT address", func(m *Media) { m.NAT1To1IPs = []string{"1.2.3"} }, true},
		{"zero token TTL", func(m *Media) { m.TokenTTL = 0 }, true},
		{"TURN without public address", func(m *Media) { m.TURN.Enabled = true }, true},
		{"TURN complete", func(m *Media) { m.TURN.Enabled, m.TURN.PublicIP = true, "192.0.2.10" }, false},
		{"TURN invalid listen", func(m *Media) {
			m.TURN.Enabled, m.TURN.PublicIP, m.TURN.Listen = true, "192.0.2.10", "3478"
		}, true},
		{"TURN zero credential TTL", func(m *Media) {
			m.TURN.Enabled, m.TURN.PublicIP, m.TURN.CredentialTTL = true, "192.0.2.10", 0
		}, true},
		{"disabled TURN ignores its fields", func(m *Media) { m.TURN.CredentialTTL = -time.Hour }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := defaultMedia()
			tt.edit(&m)
			err := m.Validate()
			if (err != nil) != tt.wantErr {
				t.Errorf("got error %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func TestICEListenIPs(t *testing.T) {
	tests := []struct {
		name   string
		listen string
		ice    []string
		want   []string
	}{
		{"loopback listen", "127.0.0.1:8080", nil, []string{"127.0.0.1"}},
		{"LAN listen", "10.1.2.3:80", nil, []string{"10.1.2.3"}},
		{"every interface", "0.0.0.0:8080", nil, nil},
		{"empty host", ":8080", nil, nil},
		{"configured list wins", "127.0.0.1:8080", []string{"10.1.2.3"}, []string{"10.1.2.3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			c.Listen = tt.listen
			c.Media.ICEIPs = tt.ice
			if got := c.ICEListenIPs(); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
