package config

import (
	"testing"
	"time"
)

func TestCallsValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Calls)
		wantErr bool
	}{
		{"defaults", func(*Calls) {}, false},
		{"short ring for drills", func(c *Calls) { c.RingTimeout = 2 * time.Second }, false},
		{"zero ring timeout", func(c *Calls) { c.RingTimeout = 0 }, true},
		{"ring timeout too long", func(c *Calls) { c.RingTimeout = 10 * time.Minute }, true},
		{"no group members", func(c *Calls) { c.MaxGroupMembers = 0 }, true},
		{"group too large", func(c *Calls) { c.MaxGroupMembers = 51 }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := defaultCalls()
			tt.edit(&c)
			err := c.Validate()
			if (err != nil) != tt.wantErr {
				t.Errorf("got error %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func TestCallsRingTimeoutFromFile(t *testing.T) {
	got, err := LoadFile(writeFile(t, "calls:\n  ring_timeout: 3s\n"))
	if err != nil {
		t.Fatalf("loading: %v", err)
	}
	if got.Calls.RingTimeout != 3*time.Second {
		t.Errorf("ring timeout: got %v, want 3s", got.Calls.RingTimeout)
	}
	if got.Calls.MaxGroupMembers != 12 {
		t.Errorf("max group members: got %d, want the default 12", got.Calls.MaxGroupMembers)
	}
}
