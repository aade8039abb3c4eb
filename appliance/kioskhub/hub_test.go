package kioskhub

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wenban/kiosk/control"
)

func TestDirKeysVerify(t *testing.T) {
	keys := DirKeys{Dir: filepath.Join(t.TempDir(), "kiosks")}
	key, err := keys.CreateKey("w1")
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}

	tests := []struct {
		name   string
		window string
		key    string
		want   bool
	}{
		{"right key", "w1", key, true},
		{"wrong key", "w1", key + "0", false},
		{"empty key", "w1", "", false},
		{"other window", "w2", key, false},
		{"path in window", "../w1", key, false},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := keys.Verify(tt.window, tt.key); got != tt.want {
				t.Errorf("Verify(%q): got %v, want %v", tt.window, got, tt.want)
			}
		})
	}

	info, err := os.Stat(filepath.Join(keys.Dir, "w1.key"))
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("key file mode: got %o, want 600", mode)
	}
}

func TestValidateWindow(t *testing.T) {
	for _, ok := range []string{"w1", "hall-2_A", strings.Repeat("a", 64)} {
		if err := ValidateWindow(ok); err != nil {
			t.Errorf("ValidateWindow(%q): got %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"", "a/b", "窗口", "a b", strings.Repeat("a", 65)} {
		if err := ValidateWindow(bad); !errors.Is(err, ErrInvalidWindow) {
			t.Errorf("ValidateWindow(%q): got %v, want ErrInvalidWindow", bad, err)
		}
	}
}

type fixedKeys map[string]string

func (k fixedKeys) Verify(window, key string) bool { return key != "" && k[window] == key }

func newServer(t *testing.T) (*Hub, *httptest.Server) {
	t.Helper()

	h, err := New(Options{Keys: fixedKeys{"w1": "k1"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		h.Shutdown(ctx)
		srv.Close()
	})
	return h, srv
}

func dial(t *testing.T, srv *httptest.Server, window, key string) (*websocket.Conn, *http.Response, error) {
	t.Helper()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(srv.URL, "http") + control.Path + "?window=" + window
	return websocket.Dial(ctx, u, &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": {"Bearer " + key}},
	})
}

func TestChannelRejectsWrongKey(t *testing.T) {
	_, srv := newServer(t)

	tests := []struct {
		name, window, key string
	}{
		{"wrong key", "w1", "nope"},
		{"unknown window", "w9", "k1"},
		{"invalid window", "w/1", "k1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, resp, err := dial(t, srv, tt.window, tt.key)
			if err == nil {
				conn.CloseNow()
				t.Fatal("got a connection, want 401")
			}
			if resp == nil || resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("status: got %v, want 401", resp)
			}
		})
	}
}

func waitOnline(t *testing.T, h *Hub, want bool) {
	t.Helper()

	deadline := time.After(5 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for h.Online("w1") != want {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("Online: still %v after 5s, want %v", !want, want)
		}
	}
}

func readFrame(t *testing.T, conn *websocket.Conn) control.Frame {
	t.Helper()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, data, err := conn.Read(ctx)
	if err != nil {
		t.Fatalf("reading a frame: %v", err)
	}
	f, err := control.Parse(data)
	if err != nil {
		t.Fatalf("parsing %s: %v", data, err)
	}
	return f
}

func TestCallResentAfterReconnect(t *testing.T) {
	h, srv := newServer(t)
	call := control.Call{Room: "r1", PublishURL: "/whip/r1", PublishToken: "t"}

	if err := h.StartCall("w1", call); !errors.Is(err, ErrOffline) {
		t.Fatalf("StartCall while offline: got %v, want ErrOffline", err)
	}

	conn, _, err := dial(t, srv, "w1", "k1")
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.CloseNow()

	f := readFrame(t, conn)
	if f.Type != control.TypeCall || f.Call.Room != "r1" {
		t.Errorf("first frame: got %s %+v, want the call to r1", f.Type, f.Call)
	}

	if err := h.EndCall("w1"); err != nil {
		t.Fatalf("EndCall: %v", err)
	}
	if f := readFrame(t, conn); f.Type != control.TypeHangup {
		t.Errorf("after EndCall: got %s, want hangup", f.Type)
	}
}

func TestNewerConnectionReplacesOlder(t *testing.T) {
	h, srv := newServer(t)

	first, _, err := dial(t, srv, "w1", "k1")
	if err != nil {
		t.Fatal(err)
	}
	defer first.CloseNow()
	waitOnline(t, h, true)

	second, _, err := dial(t, srv, "w1", "k1")
	if err != nil {
		t.Fatal(err)
	}
	defer second.CloseNow()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, err = first.Read(ctx)
	if websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
		t.Errorf("older connection: got %v, want close status 1008", err)
	}

	if err := h.RequestStill("w1"); err != nil {
		t.Fatalf("RequestStill: %v", err)
	}
	if f := readFrame(t, second); f.Type != control.TypeStill {
		t.Errorf("newer connection: got %s, want still", f.Type)
	}

	second.Close(websocket.StatusNormalClosure, "")
	waitOnline(t, h, false)
}

func TestConversationRoutesToWindow(t *testing.T) {
	h, srv := newServer(t)
	conn, _, err := dial(t, srv, "w1", "k1")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()

	write := func(conversation string) {
		t.Helper()
		data := fmt.Sprintf(`{"type":"conversation","conversation":%q}`, conversation)
		if err := conn.Write(context.Background(), websocket.MessageText, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	waitWindow := func(conversation string, want bool) {
		t.Helper()
		deadline := time.After(5 * time.Second)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			window, ok := h.WindowOf(conversation)
			if ok == want && (!want || window == "w1") {
				return
			}
			select {
			case <-tick.C:
			case <-deadline:
				t.Fatalf("WindowOf(%q): got %q, %v after 5s, want w1, %v", conversation, window, ok, want)
			}
		}
	}

	write("c1")
	waitWindow("c1", true)

	write("c2")
	waitWindow("c2", true)
	waitWindow("c1", false)

	write("")
	waitWindow("c2", false)
}
