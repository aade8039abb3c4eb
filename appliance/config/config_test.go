package config

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wenban.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSampleConfigEqualsDefaults(t *testing.T) {
	got, err := LoadFile("../../packaging/wenban.yaml")
	if err != nil {
		t.Fatalf("loading sample: %v", err)
	}
	if want := Default(); !reflect.DeepEqual(got, want) {
		t.Errorf("sample config differs from defaults:\ngot  %+v\nwant %+v", got, want)
	}
}

func TestNoConfigFileUsesDefaults(t *testing.T) {
	got, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, Default()) {
		t.Errorf("got %+v, want defaults", got)
	}
}

func TestUnknownKeyRejectedByName(t *testing.T) {
	_, err := LoadFile(writeFile(t, "seat:\n  max_chat: 3\n"))
	if err == nil {
		t.Fatal("got no error for unknown key seat.max_chat")
	}
	if !strings.Contains(err.Error(), "max_chat") {
		t.Errorf("error %q does not name the key", err)
	}
}

func TestUnknownEnvRejectedByName(t *testing.T) {
	t.Setenv("WENBAN_SEAT_MAXCHATS", "3")
	_, err := Load(nil)
	if err == nil || !strings.Contains(err.Error(), "WENBAN_SEAT_MAXCHATS") {
		t.Fatalf("got %v, want an error naming WENBAN_SEAT_MAXCHATS", err)
	}
}

func TestToolEnvAccepted(t *testing.T) {
	for _, name := range toolEnv {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, "abcd-efgh-ijkl-mnop")
			if _, err := Load(nil); err != nil {
				t.Errorf("Load with %s set: got %v, want no error", name, err)
			}
		})
	}
	if !slices.Contains(toolEnv, "WENBAN_RECOVERY_KEY") {
		t.Errorf("toolEnv got %v, want it to contain WENBAN_RECOVERY_KEY", toolEnv)
	}
}

func TestPrecedenceFlagOverEnvOverFile(t *testing.T) {
	path := writeFile(t, "listen: 127.0.0.1:1111\ndata: /file\nseat:\n  max_chats: 3\n  session_ttl: 1h\n")
	t.Setenv("WENBAN_LISTEN", "127.0.0.1:2222")
	t.Setenv("WENBAN_SEAT_MAX_CHATS", "7")

	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	AddFlags(fs)
	if err := fs.Parse([]string{"--config", path, "--listen", "127.0.0.1:3333"}); err != nil {
		t.Fatal(err)
	}
	got, err := Load(fs)
	if err != nil {
		t.Fatal(err)
	}

	checks := []struct {
		name      string
		got, want any
	}{
		{"listen from flag", got.Listen, "127.0.0.1:3333"},
		{"max chats from env", got.Seat.MaxChats, 7},
		{"data from file", got.Data, "/file"},
		{"session ttl from file", got.Seat.SessionTTL, time.Hour},
		{"idle timeout default", got.Seat.IdleTimeout, 2 * time.Hour},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestInvalidValues(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"bad level", "log:\n  level: loud\n", "log.level"},
		{"bad weekday", "hours:\n  weekdays: [mon, funday]\n", "funday"},
		{"bad period", "hours:\n  periods: [\"9-5\"]\n", "9-5"},
		{"zero chats", "seat:\n  max_chats: 0\n", "max_chats"},
		{"bad zone", "hours:\n  zone: Mars/Olympus\n", "Mars/Olympus"},
		{"bad duration", "seat:\n  session_ttl: soon\n", "session_ttl"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadFile(writeFile(t, c.body))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error mentioning %q", err, c.want)
			}
		})
	}
}

func TestDefaultHoursCalendar(t *testing.T) {
	cal, err := Default().Hours.Calendar()
	if err != nil {
		t.Fatal(err)
	}
	// 2026-12-04 is a Friday; 09:00 in Shanghai is 01:00 UTC.
	open := time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC)
	if !cal.IsOpen(open) {
		t.Errorf("Friday 09:00 Shanghai: got closed, want open")
	}
	if cal.IsOpen(open.Add(4 * time.Hour)) {
		t.Errorf("Friday 13:00 Shanghai: got open, want closed (lunch)")
	}
}
