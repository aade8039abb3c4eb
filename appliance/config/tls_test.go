package config

import (
	"slices"
	"strings"
	"testing"
)

func TestTLSValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Config)
		wantErr string
	}{
		{"default off", func(*Config) {}, ""},
		{"unknown mode", func(c *Config) { c.TLS.Mode = "on" }, "tls.mode"},
		{"files without key", func(c *Config) { c.TLS = TLS{Mode: TLSFiles, CertFile: "hub.pem"} }, "tls.key_file"},
		{"files complete", func(c *Config) { c.TLS = TLS{Mode: TLSFiles, CertFile: "hub.pem", KeyFile: "hub.key"} }, ""},
		{"auto on loopback", func(c *Config) { c.TLS.Mode = TLSAuto }, ""},
		{"auto on wildcard without hosts", func(c *Config) { c.Listen = "0.0.0.0:8443"; c.TLS.Mode = TLSAuto }, "tls.hosts"},
		{"auto on wildcard with hosts", func(c *Config) {
			c.Listen = "0.0.0.0:8443"
			c.TLS = TLS{Mode: TLSAuto, Hosts: []string{"10.12.0.5"}}
		}, ""},
		{"auto with a LAN name", func(c *Config) {
			c.TLS = TLS{Mode: TLSAuto, Hosts: []string{"wenban.hall.local", "wenban", "localhost", "10.12.0.5"}}
		}, ""},
		{"auto with an empty host", func(c *Config) { c.TLS = TLS{Mode: TLSAuto, Hosts: []string{"10.12.0.5", ""}} }, "empty entry"},
		{"auto with a top-level domain", func(c *Config) { c.TLS = TLS{Mode: TLSAuto, Hosts: []string{"cn"}} }, "public suffix"},
		{"auto with a public suffix", func(c *Config) { c.TLS = TLS{Mode: TLSAuto, Hosts: []string{"gov.cn"}} }, "public suffix"},
		{"auto with a wildcard", func(c *Config) { c.TLS = TLS{Mode: TLSAuto, Hosts: []string{"*.hall.local"}} }, "not a host name"},
		{"redirect without tls", func(c *Config) { c.TLS.RedirectListen = "0.0.0.0:8080" }, "tls.redirect_listen"},
		{"redirect on listen", func(c *Config) {
			c.TLS = TLS{Mode: TLSAuto, RedirectListen: c.Listen}
		}, "equals listen"},
		{"redirect without port", func(c *Config) {
			c.TLS = TLS{Mode: TLSAuto, RedirectListen: "0.0.0.0"}
		}, "tls.redirect_listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.edit(&c)
			err := c.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("got error %v, want none", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestTLSHostsAndBaseURL(t *testing.T) {
	tests := []struct {
		name      string
		listen    string
		public    string
		hosts     []string
		wantHosts []string
		wantBase  string
	}{
		{"listen host", "10.12.0.5:8443", "", nil, []string{"10.12.0.5"}, "https://10.12.0.5:8443"},
		{"wildcard and public url", "0.0.0.0:8443", "https://hub.local:8443/", nil, []string{"hub.local"}, "https://hub.local:8443/"},
		{"explicit hosts", "0.0.0.0:8443", "", []string{"hub.local", "10.12.0.5"}, []string{"hub.local", "10.12.0.5"}, "https://0.0.0.0:8443"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			c.Listen = tt.listen
			c.PublicURL = tt.public
			c.TLS.Mode = TLSAuto
			if tt.hosts != nil {
				c.TLS.Hosts = tt.hosts
			}
			if got := c.TLSHosts(); !slices.Equal(got, tt.wantHosts) {
				t.Errorf("TLSHosts: got %v, want %v", got, tt.wantHosts)
			}
			if got := c.BaseURL(); got != tt.wantBase {
				t.Errorf("BaseURL: got %q, want %q", got, tt.wantBase)
			}
		})
	}
}
