package policy

import "testing"

func TestScheduleWords(t *testing.T) {
	tests := []struct {
		name, expr, want string
	}{
		{"daily", "30 2 * * *", "每天 2:30"},
		{"weekly", "0 3 * * 1", "每周一 3:00"},
		{"sunday as 7", "5 23 * * 7", "每周日 23:05"},
		{"monthly", "0 1 15 * *", "每月 15 日 1:00"},
		{"descriptor", "@daily", "每天 0:00"},
		{"step not described", "*/10 * * * *", ""},
		{"month field set", "0 2 1 6 *", ""},
		{"hour out of range", "0 24 * * *", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := scheduleWords(tt.expr); got != tt.want {
				t.Errorf("scheduleWords(%q): got %q, want %q", tt.expr, got, tt.want)
			}
		})
	}
}

func FuzzScheduleWords(f *testing.F) {
	for _, s := range []string{"30 2 * * *", "0 3 * * 1", "@weekly", "", "1 2 3 4 5 6"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		_ = scheduleWords(expr)
	})
}
