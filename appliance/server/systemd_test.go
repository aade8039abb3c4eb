package server

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// notifySocket listens where systemd would and collects what the hub
// sends.
func notifySocket(t *testing.T) <-chan string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	t.Setenv("NOTIFY_SOCKET", path)

	states := make(chan string, 64)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			states <- string(buf[:n])
		}
	}()
	return states
}

func awaitState(t *testing.T, states <-chan string, want string) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case s := <-states:
			if strings.Contains(s, want) {
				return
			}
		case <-deadline:
			t.Fatalf("systemd never received %s", want)
		}
	}
}

func TestSystemdNotifications(t *testing.T) {
	states := notifySocket(t)
	t.Setenv("WATCHDOG_USEC", "200000")
	t.Setenv("WATCHDOG_PID", "")

	r := startHub(t, t.TempDir())
	awaitState(t, states, "READY=1")
	awaitState(t, states, "WATCHDOG=1")

	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	awaitState(t, states, "STOPPING=1")
}
