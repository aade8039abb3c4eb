package config

import (
	"fmt"
	"time"
)

// Calls configures voice and video calls and the staff's group windows.
type Calls struct {
	// RingTimeout is how long a call rings before it ends and the
	// conversation falls back to chat with a notice. Default 45s.
	RingTimeout time.Duration `mapstructure:"ring_timeout"`
	// MaxGroupMembers caps the citizens of one group window. Default 12.
	MaxGroupMembers int `mapstructure:"max_group_members"`
}

// Limits of the calls section.
const (
	minRingTimeout     = time.Second
	maxRingTimeout     = 5 * time.Minute
	maxGroupMembersCap = 50
)

func defaultCalls() Calls {
	return Calls{RingTimeout: 45 * time.Second, MaxGroupMembers: 12}
}

// Validate checks the ring timeout and the group window size.
func (c Calls) Validate() error {
	if c.RingTimeout < minRingTimeout || c.RingTimeout > maxRingTimeout {
		return fmt.Errorf("calls.ring_timeout %v is out of range: use 1s to 5m, such as 45s", c.RingTimeout)
	}
	if c.MaxGroupMembers < 1 || c.MaxGroupMembers > maxGroupMembersCap {
		return fmt.Errorf("calls.max_group_members %d is out of range: use 1 to %d", c.MaxGroupMembers, maxGroupMembersCap)
	}
	return nil
}
