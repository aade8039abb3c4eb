package config

import (
	"fmt"
	"strings"
	"time"
)

// Recording configures the recording of calls on the hub.
type Recording struct {
	// Enabled records every voice and video call. Turn it on only where
	// the service centre's rules allow it; citizens see Notice before the
	// call connects. Default false.
	Enabled bool `mapstructure:"enabled"`
	// Notice is the text shown to the citizen when a call is recorded.
	// Default "为保障服务质量，本次通话将全程录音录像。".
	Notice string `mapstructure:"notice"`
	// Retention is how long recordings are kept before the hub deletes
	// them. Default 2160h (90 days).
	Retention time.Duration `mapstructure:"retention"`
}

func defaultRecording() Recording {
	return Recording{
		Notice:    "为保障服务质量，本次通话将全程录音录像。",
		Retention: 90 * 24 * time.Hour,
	}
}

// Validate checks the retention period and the notice.
func (r Recording) Validate() error {
	if r.Retention < time.Hour {
		return fmt.Errorf("recording.retention %v is too short: use at least 1h, such as 2160h for 90 days", r.Retention)
	}
	if r.Enabled && strings.TrimSpace(r.Notice) == "" {
		return fmt.Errorf("recording.notice is empty: set the text that tells citizens a call is recorded")
	}
	return nil
}
