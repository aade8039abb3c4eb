package config

import (
	"strings"
	"testing"
)

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Policy)
		want string // substring of the error; empty means valid
	}{
		{"defaults", func(*Policy) {}, ""},
		{"folder source", func(p *Policy) { p.Source = "/srv/policy" }, ""},
		{"https source", func(p *Policy) { p.Source = "https://127.0.0.1/policy/manifest.json" }, ""},
		{"schedule off", func(p *Policy) { p.Schedule = "" }, ""},
		{"descriptor", func(p *Policy) { p.Schedule = "@weekly" }, ""},
		{"relative folder", func(p *Policy) { p.Source = "policy" }, "policy.source"},
		{"ftp source", func(p *Policy) { p.Source = "ftp://127.0.0.1/m.json" }, "policy.source"},
		{"URL with password", func(p *Policy) { p.Source = "https://u:p@127.0.0.1/m.json" }, "policy.source"},
		{"four-field schedule", func(p *Policy) { p.Schedule = "30 2 * *" }, "policy.schedule"},
		{"six-field schedule", func(p *Policy) { p.Schedule = "0 30 2 * * *" }, "policy.schedule"},
		{"minute out of range", func(p *Policy) { p.Schedule = "60 2 * * *" }, "policy.schedule"},
		{"unknown zone", func(p *Policy) { p.Zone = "Mars/Olympus" }, "policy.zone"},
		{"zero timeout", func(p *Policy) { p.Timeout = 0 }, "policy.timeout"},
		{"relative staging", func(p *Policy) { p.StagingDir = "tmp" }, "policy.staging_dir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := defaultPolicy()
			tt.edit(&p)
			err := p.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate: got %v, want no error", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate: got %v, want an error naming %s", err, tt.want)
			}
		})
	}
}
