package calendar

import (
	"strings"
	"testing"
	"time"
)

func shanghai(t *testing.T, value string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", value, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestIsOpen(t *testing.T) {
	cfg := Default()
	cfg.Holidays = []string{"2026-10-01"}
	cfg.Workdays = []string{"2026-10-10"}
	cal, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		at   string
		want bool
	}{
		{"friday morning", "2026-12-04 09:00", true},
		{"opening minute", "2026-12-04 08:30", true},
		{"before opening", "2026-12-04 08:29", false},
		{"lunch", "2026-12-04 12:00", false},
		{"afternoon", "2026-12-04 17:29", true},
		{"closing minute", "2026-12-04 17:30", false},
		{"saturday", "2026-12-05 10:00", false},
		{"holiday on thursday", "2026-10-01 10:00", false},
		{"make-up saturday", "2026-10-10 10:00", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := cal.IsOpen(shanghai(t, c.at)); got != c.want {
				t.Errorf("IsOpen(%s): got %v, want %v", c.at, got, c.want)
			}
		})
	}
}

func TestIsOpenIgnoresServerZone(t *testing.T) {
	cal, err := New(Default())
	if err != nil {
		t.Fatal(err)
	}
	// 09:00 in Shanghai is 01:00 UTC and 20:00 the day before in New York.
	ny, _ := time.LoadLocation("America/New_York")
	at := time.Date(2026, 12, 3, 20, 0, 0, 0, ny)
	if !cal.IsOpen(at) {
		t.Errorf("Friday 09:00 Shanghai given in New York time: got closed, want open")
	}
}

func TestNextOpen(t *testing.T) {
	cal, err := New(Default())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ from, want string }{
		{"2026-12-04 12:30", "2026-12-04 14:00"},
		{"2026-12-04 18:00", "2026-12-07 08:30"},
		{"2026-12-05 07:00", "2026-12-07 08:30"},
	}
	for _, c := range cases {
		got := cal.NextOpen(shanghai(t, c.from))
		if want := shanghai(t, c.want); !got.Equal(want) {
			t.Errorf("NextOpen(%s): got %v, want %v", c.from, got, want)
		}
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"bad zone", func(c *Config) { c.Zone = "Nowhere/City" }, "Nowhere/City"},
		{"bad period", func(c *Config) { c.Periods = []string{"8-12"} }, "8-12"},
		{"reversed", func(c *Config) { c.Periods = []string{"12:00-08:00"} }, "end before"},
		{"overlap", func(c *Config) { c.Periods = []string{"08:00-12:00", "11:00-13:00"} }, "overlap"},
		{"bad holiday", func(c *Config) { c.Holidays = []string{"2026/10/01"} }, "2026/10/01"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := Default()
			c.edit(&cfg)
			_, err := New(cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error mentioning %q", err, c.want)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	cal, _ := New(Default())
	if got, want := cal.Describe(), "周一至周五 08:30-12:00，14:00-17:30（法定节假日除外）"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
