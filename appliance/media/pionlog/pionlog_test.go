package pionlog

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestLevels(t *testing.T) {
	tests := []struct {
		name   string
		demote bool
		want   string
	}{
		{"error kept", false, "level=ERROR"},
		{"error demoted to warn", true, "level=WARN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: levelTrace}))
			Factory{Log: log, Demote: tt.demote}.NewLogger("ice").Errorf("failed %d", 7)

			got := buf.String()
			if !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %s", got, tt.want)
			}
			if !strings.Contains(got, "pion=ice") || !strings.Contains(got, "failed 7") {
				t.Errorf("got %q, want the scope and the formatted message", got)
			}
		})
	}
}

func TestLowerSteps(t *testing.T) {
	tests := []struct {
		in, want slog.Level
	}{
		{slog.LevelError, slog.LevelWarn},
		{slog.LevelWarn, slog.LevelInfo},
		{slog.LevelInfo, slog.LevelDebug},
		{slog.LevelDebug, levelTrace},
	}
	for _, tt := range tests {
		if got := lower(tt.in); got != tt.want {
			t.Errorf("lower(%v): got %v, want %v", tt.in, got, tt.want)
		}
	}
}
