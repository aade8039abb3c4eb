package terminal

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"wenban/kiosk/media"
	"wenban/ui/static"
)

func newScreen(t *testing.T) (*fakeHub, *httptest.Server) {
	t.Helper()

	hub := newFakeHub(t)
	hub.mux.HandleFunc("POST /api/v1/echo-origin", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Header.Get("Origin"))
	})
	term, err := New(Options{Hub: hub.url(), Window: testWindow, Key: testKey,
		DocumentCamera: media.VideoOptions{Device: media.DeviceOff}})
	if err != nil {
		t.Fatal(err)
	}

	page := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "page") })
	srv := httptest.NewServer(term.Handler(ScreenOptions{Page: page, Static: static.FS}))
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return hub, srv
}

func post(t *testing.T, url, origin string, csrf bool) *http.Response {
	t.Helper()

	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if csrf {
		req.Header.Set(csrfHeader, "1")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestScreenPostNeedsHeader(t *testing.T) {
	_, srv := newScreen(t)

	if resp := post(t, srv.URL+"/kiosk/stop-control", "", false); resp.StatusCode != http.StatusForbidden {
		t.Errorf("without %s: got %d, want 403", csrfHeader, resp.StatusCode)
	}
	if resp := post(t, srv.URL+"/kiosk/stop-control", "", true); resp.StatusCode != http.StatusNoContent {
		t.Errorf("with %s: got %d, want 204", csrfHeader, resp.StatusCode)
	}
}

func TestScreenProxyOrigin(t *testing.T) {
	hub, srv := newScreen(t)

	resp := post(t, srv.URL+"/api/v1/echo-origin", srv.URL, true)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != hub.srv.URL {
		t.Errorf("same-origin request: got %d with Origin %q at the hub, want 200 and %q",
			resp.StatusCode, body, hub.srv.URL)
	}

	if resp := post(t, srv.URL+"/api/v1/echo-origin", "http://evil.example", true); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin request: got %d, want 403", resp.StatusCode)
	}
}

func TestScreenResetExpiresCookie(t *testing.T) {
	_, srv := newScreen(t)

	resp := post(t, srv.URL+"/kiosk/reset", "", true)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("status: got %d, want 204", resp.StatusCode)
	}

	var found bool
	for _, c := range resp.Cookies() {
		if c.Name == "wenban_citizen" {
			found = true
			if c.MaxAge >= 0 || c.Value != "" {
				t.Errorf("cookie: got value %q max-age %d, want empty and expired", c.Value, c.MaxAge)
			}
		}
	}
	if !found {
		t.Error("no wenban_citizen cookie in the reply, want an expired one")
	}
	if got := resp.Header.Get("Clear-Site-Data"); !strings.Contains(got, `"storage"`) {
		t.Errorf("Clear-Site-Data: got %q, want it to clear storage", got)
	}
}

func TestScreenIME(t *testing.T) {
	_, srv := newScreen(t)

	resp, err := http.Get(srv.URL + "/kiosk/ime?q=zhaiji")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()

	var body struct {
		Candidates []struct{ Text string } `json:"candidates"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if len(body.Candidates) == 0 || body.Candidates[0].Text != "宅基地" {
		t.Errorf("candidates: got %+v, want 宅基地 first", body.Candidates)
	}
}

func TestScreenStillDisabled(t *testing.T) {
	_, srv := newScreen(t)

	resp := post(t, srv.URL+"/kiosk/still", "", true)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status: got %d, want 503", resp.StatusCode)
	}
	var body map[string]string
	json.NewDecoder(resp.Body).Decode(&body)
	if body["error"] != "本终端未配置高拍仪。" {
		t.Errorf("message: got %q, want the no-document-camera notice", body["error"])
	}
}

func TestScreenStateStream(t *testing.T) {
	_, srv := newScreen(t)

	resp, err := http.Get(srv.URL + "/kiosk/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()

	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type: got %q, want text/event-stream", ct)
	}
	lines := bufio.NewScanner(resp.Body)
	lines.Scan()
	if lines.Text() != "event: state" {
		t.Fatalf("first line: got %q, want event: state", lines.Text())
	}
	lines.Scan()
	var s State
	if err := json.Unmarshal([]byte(strings.TrimPrefix(lines.Text(), "data: ")), &s); err != nil {
		t.Fatalf("decoding the state: %v", err)
	}
	if s.Devices.DocumentCamera != "off" {
		t.Errorf("document camera: got %q, want off", s.Devices.DocumentCamera)
	}
}
