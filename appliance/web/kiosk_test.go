package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"wenban/appliance/auth"
	"wenban/appliance/calendar"
	"wenban/appliance/conversation"
	"wenban/appliance/kioskhub"
	"wenban/appliance/seal"
	"wenban/appliance/store"
	"wenban/kiosk/input"
)

// fakeKiosk records the commands relayed to it and returns err.
type fakeKiosk struct {
	mu       sync.Mutex
	commands []input.Command
	err      error
}

func (f *fakeKiosk) KioskStatus(context.Context, string, conversation.ID) (KioskStatus, error) {
	return KioskStatus{Window: "hall-1", Online: true}, f.err
}
func (f *fakeKiosk) RequestKioskStill(context.Context, string, conversation.ID) error { return f.err }
func (f *fakeKiosk) RequestKioskControl(context.Context, string, conversation.ID, bool) error {
	return f.err
}
func (f *fakeKiosk) EndKioskControl(context.Context, string, conversation.ID) error { return f.err }
func (f *fakeKiosk) KioskControlLog(context.Context) ([]kioskhub.ControlRecord, error) {
	return nil, f.err
}

func (f *fakeKiosk) KioskInput(_ context.Context, _ string, _ conversation.ID, cmd input.Command) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil {
		f.commands = append(f.commands, cmd)
	}
	return f.err
}

func newKioskHarness(t *testing.T, kiosk KioskSeat) *harness {
	t.Helper()
	dir := t.TempDir()
	master, err := seal.LoadMasterKey(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(dir, "wenban.db"), master)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conv, err := conversation.NewService(db, conversation.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conv.Close() })
	cal, err := calendar.New(calendar.Default())
	if err != nil {
		t.Fatal(err)
	}

	h := &harness{t: t, conv: conv, auth: auth.NewService(db, auth.Options{}), clock: &clock{now: openTime}, logs: &logBuffer{}}
	deps := Deps{
		Conversations: conv,
		Auth:          h.auth,
		Calendar:      cal,
		Kiosk:         kiosk,
		Logger:        slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:           h.clock.Now,
	}
	h.srv = httptest.NewServer(New(deps).Handler())
	t.Cleanup(h.srv.Close)
	return h
}

func TestKioskInputRoute(t *testing.T) {
	kiosk := &fakeKiosk{}
	h := newKioskHarness(t, kiosk)
	zhang := h.createAccount("zhangmin", "张敏", auth.RoleAgent)
	h.createAccount("lihua", "李华", auth.RoleAgent)
	c, _, err := h.conv.Start(context.Background(), conversation.StartRequest{Channel: "kiosk", Topic: "不动产登记"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.conv.Accept(context.Background(), conversation.Agent{ID: zhang.ID, Name: zhang.DisplayName}, c.ID); err != nil {
		t.Fatal(err)
	}

	zhangClient, liClient := h.client(), h.client()
	zhangCSRF := h.login(zhangClient, "zhangmin")
	liCSRF := h.login(liClient, "lihua")
	path := fmt.Sprintf("/seat/api/kiosk/%s/input", c.ID)
	centre := `{"type":"pointer","x":320,"y":180,"view_width":640,"view_height":360,"frame_width":1280,"frame_height":720}`

	tests := []struct {
		name   string
		client *http.Client
		csrf   string
		body   string
		want   int
	}{
		{"serving staff member", zhangClient, zhangCSRF, centre, http.StatusNoContent},
		{"other staff member", liClient, liCSRF, centre, http.StatusForbidden},
		{"missing CSRF token", zhangClient, "", centre, http.StatusForbidden},
		{"pointer on letterbox bar", zhangClient, zhangCSRF, `{"type":"pointer","x":5,"y":180,"view_width":640,"view_height":360,"frame_width":768,"frame_height":1024}`, http.StatusBadRequest},
		{"unknown field", zhangClient, zhangCSRF, `{"type":"key","key":"a","extra":1}`, http.StatusBadRequest},
		{"key", zhangClient, zhangCSRF, `{"type":"key","key":"Enter"}`, http.StatusNoContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.do(tt.client, http.MethodPost, path, "application/json", tt.body, auth.CSRFHeader, tt.csrf)
			if resp.status != tt.want {
				t.Errorf("status: got %d, want %d; body %s", resp.status, tt.want, resp.body)
			}
		})
	}

	kiosk.mu.Lock()
	got := append([]input.Command(nil), kiosk.commands...)
	kiosk.mu.Unlock()
	want := []input.Command{{Type: input.CommandPointer, X: 0.5, Y: 0.5}, {Type: input.CommandKey, Key: "Enter"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("relayed commands: got %+v, want %+v", got, want)
	}

	kiosk.mu.Lock()
	kiosk.err = fmt.Errorf("%w: window hall-1", ErrNoControl)
	kiosk.mu.Unlock()
	resp := h.do(zhangClient, http.MethodPost, path, "application/json", centre, auth.CSRFHeader, zhangCSRF)
	if resp.status != http.StatusForbidden {
		t.Errorf("input without consent: got status %d, want 403", resp.status)
	}
	if !strings.Contains(resp.body, msgNoControl) {
		t.Errorf("input without consent: body %s does not contain %q", resp.body, msgNoControl)
	}
}

func TestKioskStatusRoute(t *testing.T) {
	h := newKioskHarness(t, &fakeKiosk{})
	h.createAccount("zhangmin", "张敏", auth.RoleAgent)
	client := h.client()
	h.login(client, "zhangmin")

	if resp := h.get(client, "/seat/api/kiosk/no-such-conversation"); resp.status != http.StatusNotFound {
		t.Errorf("unknown conversation: got status %d, want 404", resp.status)
	}
	if resp := h.get(h.client(), "/seat/api/kiosk/no-such-conversation"); resp.status != http.StatusUnauthorized {
		t.Errorf("without a session: got status %d, want 401", resp.status)
	}
}
