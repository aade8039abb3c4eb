package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wenban/appliance/auth"
	"wenban/appliance/config"
)

// lockedBuffer collects log output from several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// running is a hub serving on a loopback port.
type running struct {
	srv   *Server
	admin Admin
	url   string
	logs  *lockedBuffer
	stop  func() error
}

func startHub(t testing.TB, dataDir string) *running {
	t.Helper()
	return startHubWith(t, dataDir, func(cfg *config.Config) { cfg.Hours.AlwaysOpen = true })
}

// startHubWith starts a hub on the defaults as edited by edit.
func startHubWith(t testing.TB, dataDir string, edit func(*config.Config)) *running {
	t.Helper()
	cfg := config.Default()
	cfg.Data = dataDir
	cfg.ShutdownTimeout = 5 * time.Second
	edit(&cfg)

	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	ctx, cancel := context.WithCancel(context.Background())
	srv, admin, err := Open(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatalf("opening hub: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()

	r := &running{srv: srv, admin: admin, url: "http://" + ln.Addr().String(), logs: logs}
	var once sync.Once
	var stopErr error
	r.stop = func() error {
		once.Do(func() {
			cancel()
			stopErr = <-done
			if err := srv.Close(); err != nil && stopErr == nil {
				stopErr = err
			}
		})
		return stopErr
	}
	t.Cleanup(func() { r.stop() })
	r.waitHealthy(t)
	return r
}

func (r *running) waitHealthy(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(r.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("hub did not become healthy")
}

func postJSON(t *testing.T, client *http.Client, url string, body any, out any) int {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("decoding reply of %s: %v (%s)", url, err, data)
		}
	}
	return resp.StatusCode
}

// staffSeat logs a staff member in and opens their seat page's socket
// with status online, so handoffs find someone to queue for.
func staffSeat(t *testing.T, r *running, login string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	const password = "Seat-Pass-2026"
	readyAccount(t, r, login, "值班客服", password)
	sess, err := r.srv.Auth().Login(ctx, login, password, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("Cookie", auth.SessionCookie+"="+sess.Token)
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(r.url, "http")+"/ws/seat", &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatalf("dialing seat socket: %v", err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	if err := ws.Write(ctx, websocket.MessageText, []byte(`{"type":"status","status":"online"}`)); err != nil {
		t.Fatal(err)
	}
	for {
		_, raw, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("waiting for online status: %v", err)
		}
		if bytes.Contains(raw, []byte(`"status":"online"`)) {
			break
		}
	}
	// Keep reading so the hub never finds this page too slow.
	go func() {
		for {
			if _, _, err := ws.Read(context.Background()); err != nil {
				return
			}
		}
	}()
	return ws
}

func TestHandoffWithoutSeatOffersLeaveMessage(t *testing.T) {
	r := startHub(t, t.TempDir())
	var reply map[string]any
	code := postJSON(t, http.DefaultClient, r.url+"/api/v1/handoff", map[string]any{"channel": "web"}, &reply)
	if code != http.StatusConflict || reply["leave_message"] != true {
		t.Errorf("handoff with no seat: got %d %v, want 409 with leave_message", code, reply)
	}
}

func TestFirstRunCreatesAdminOnce(t *testing.T) {
	dir := t.TempDir()
	r := startHub(t, dir)
	if !r.admin.Created || r.admin.Login != "admin" || len(r.admin.Password) < 12 {
		t.Fatalf("first run admin: got %+v", r.admin)
	}
	if strings.Contains(r.logs.String(), r.admin.Password) {
		t.Error("the first-run password appears in the log")
	}
	if err := r.stop(); err != nil {
		t.Fatalf("stopping: %v", err)
	}

	again := startHub(t, dir)
	if again.admin.Created || again.admin.Password != "" {
		t.Errorf("second run admin: got %+v, want nothing created", again.admin)
	}
}

func TestHealthzFollowsLifecycle(t *testing.T) {
	r := startHub(t, t.TempDir())
	if err := r.srv.Health(); err != nil {
		t.Fatalf("health while serving: %v", err)
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	if err := r.srv.Health(); err == nil {
		t.Error("health after stop: got nil, want an error")
	}
}

// TestNothingPersonalOnDisk writes a marker into a bot question, a
// handoff transcript, a live chat line and a left message, stops the hub
// and checks that no file under the data folder, nor the log, contains
// the marker's bytes.
func TestNothingPersonalOnDisk(t *testing.T) {
	const marker = "标记ZQX7741宅基地"
	dir := t.TempDir()
	r := startHub(t, dir)
	staffSeat(t, r, "duty01")

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}

	var ask map[string]any
	if code := postJSON(t, client, r.url+"/api/v1/bot/ask", map[string]string{"question": marker + "怎么申请"}, &ask); code != http.StatusOK {
		t.Fatalf("ask: got status %d", code)
	}

	var handoff struct {
		ConversationID string `json:"conversation_id"`
	}
	code := postJSON(t, client, r.url+"/api/v1/handoff", map[string]any{
		"channel": "web",
		"topic":   marker,
		"transcript": []map[string]string{
			{"from": "citizen", "text": marker + "怎么申请"},
			{"from": "bot", "text": "请咨询窗口"},
		},
	}, &handoff)
	if code != http.StatusCreated || handoff.ConversationID == "" {
		t.Fatalf("handoff: got status %d, id %q", code, handoff.ConversationID)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	wsURL := "ws" + strings.TrimPrefix(r.url, "http") + "/ws/citizen?after=0"
	ws, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		t.Fatalf("dialing citizen socket: %v", err)
	}
	frame, _ := json.Marshal(map[string]string{"type": "send", "client_id": "m1", "text": "我叫" + marker})
	if err := ws.Write(ctx, websocket.MessageText, frame); err != nil {
		t.Fatal(err)
	}
	for {
		_, raw, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("waiting for ack: %v", err)
		}
		if bytes.Contains(raw, []byte(`"type":"ack"`)) {
			break
		}
	}
	ws.Close(websocket.StatusNormalClosure, "")

	left := map[string]string{"name": "王" + marker[:6], "phone": "13800138000", "text": marker}
	if code := postJSON(t, client, r.url+"/api/v1/leave-message", left, nil); code != http.StatusCreated {
		t.Fatalf("leave message: got status %d", code)
	}

	hits, err := r.srv.Conversations().Search(ctx, marker, 10)
	if err != nil || len(hits) == 0 {
		t.Fatalf("history search for the marker before stop: got %d hits, %v", len(hits), err)
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}

	var files int
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, needle := range []string{marker, "13800138000"} {
			if bytes.Contains(data, []byte(needle)) {
				t.Errorf("%s contains %q in plaintext", path, needle)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 2 {
		t.Errorf("data folder holds %d files, want at least the database and the key", files)
	}
	for _, needle := range []string{marker, "13800138000"} {
		if strings.Contains(r.logs.String(), needle) {
			t.Errorf("log contains %q", needle)
		}
	}

	// The sealed data survives the restart and is searchable again.
	again := startHub(t, dir)
	hits, err = again.srv.Conversations().Search(context.Background(), marker, 10)
	if err != nil || len(hits) != 1 {
		t.Errorf("history search after restart: got %d hits, %v; want 1", len(hits), err)
	}
}
