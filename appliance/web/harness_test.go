package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"wenban/appliance/announce"
	"wenban/appliance/audit"
	"wenban/appliance/auth"
	"wenban/appliance/bot"
	"wenban/appliance/calendar"
	"wenban/appliance/conversation"
	"wenban/appliance/kb"
	"wenban/appliance/seal"
	"wenban/appliance/store"
)

// Times in the hall's zone: a Monday morning with the seats open and the
// Sunday before it with them closed.
var (
	shanghai   = time.FixedZone("CST", 8*3600)
	openTime   = time.Date(2026, 12, 7, 10, 0, 0, 0, shanghai)
	closedTime = time.Date(2026, 12, 6, 10, 0, 0, 0, shanghai)
)

// testPassword satisfies auth's password rules for every test account.
const testPassword = "correct-horse-42"

var testEntries = []kb.Entry{
	{
		ID:        "bdc-001",
		Category:  "不动产登记",
		Question:  "办理不动产登记需要哪些材料",
		Similar:   []string{"房产证办理要带什么材料", "不动产权证书办理材料"},
		Answer:    "请携带身份证明、不动产权属来源证明和申请表。",
		Materials: []string{"身份证明", "权属来源证明", "不动产登记申请表"},
	},
	{
		ID:       "bdc-002",
		Category: "不动产登记",
		Question: "不动产登记办理时限是多久",
		Similar:  []string{"房产证多久能办好", "不动产登记几天办结"},
		Answer:   "材料齐全的，一般自受理之日起 5 个工作日内办结。",
	},
	{
		ID:       "ch-001",
		Category: "测绘",
		Question: "测绘资质如何申请",
		Similar:  []string{"怎么申请测绘资质证书"},
		Answer:   "通过湖南省政务服务网在线提交测绘资质申请。",
	},
}

// clock is a settable time source shared by the server under test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// harness runs a Server with real services on a real listener.
type harness struct {
	t      *testing.T
	srv    *httptest.Server
	conv   *conversation.Service
	auth   *auth.Service
	engine *bot.Engine
	clock  *clock
	logs   *logBuffer
	audit  *audit.Log
	web    *Server

	healthMu  sync.Mutex
	healthErr error
}

type harnessOptions struct {
	noBot bool
}

func newHarness(t *testing.T, opts harnessOptions) *harness {
	t.Helper()
	dir := t.TempDir()
	master, err := seal.LoadMasterKey(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatalf("loading master key: %v", err)
	}
	db, err := store.Open(filepath.Join(dir, "wenban.db"), master)
	if err != nil {
		t.Fatalf("opening store: %v", err)
	}
	t.Cleanup(func() { db.Close() })

	conv, err := conversation.NewService(db, conversation.Options{})
	if err != nil {
		t.Fatalf("starting conversation service: %v", err)
	}
	t.Cleanup(func() { conv.Close() })

	cal, err := calendar.New(calendar.Default())
	if err != nil {
		t.Fatalf("building calendar: %v", err)
	}

	h := &harness{t: t, conv: conv, auth: auth.NewService(db, auth.Options{}), clock: &clock{now: openTime}, logs: &logBuffer{}}
	h.audit = audit.New(db, audit.Options{Now: h.clock.Now})
	if !opts.noBot {
		h.engine, err = bot.New(testEntries, bot.Options{})
		if err != nil {
			t.Fatalf("building bot engine: %v", err)
		}
		t.Cleanup(func() { h.engine.Close() })
	}

	deps := Deps{
		Bot:           func() *bot.Engine { return h.engine },
		Conversations: conv,
		Auth:          h.auth,
		Calendar:      cal,
		CitizenSocket: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "citizen socket")
		}),
		SeatSocket: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, acct, ok := auth.FromContext(r.Context())
			if !ok {
				http.Error(w, "no account in context", http.StatusInternalServerError)
				return
			}
			_, _ = io.WriteString(w, "seat socket for "+acct.Login)
		}),
		Health: func() error {
			h.healthMu.Lock()
			defer h.healthMu.Unlock()
			return h.healthErr
		},
		Logger:        slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:           h.clock.Now,
		Audit:         h.audit,
		Announcements: announce.New(db, cal.Location(), h.clock.Now),
	}
	h.web = New(deps)
	h.srv = httptest.NewServer(h.web.Handler())
	t.Cleanup(h.srv.Close)
	return h
}

func (h *harness) setHealth(err error) {
	h.healthMu.Lock()
	defer h.healthMu.Unlock()
	h.healthErr = err
}

// client returns a browser-like client with its own cookie jar that does
// not follow redirects, so tests can assert them.
func (h *harness) client() *http.Client {
	h.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		h.t.Fatalf("creating cookie jar: %v", err)
	}
	return &http.Client{
		Jar:     jar,
		Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// response is a finished request with its body read.
type response struct {
	status int
	header http.Header
	body   string
}

func (h *harness) do(c *http.Client, method, path, contentType, body string, header ...string) response {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatalf("building %s %s: %v", method, path, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("reading %s %s: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (h *harness) get(c *http.Client, path string) response {
	h.t.Helper()
	return h.do(c, http.MethodGet, path, "", "")
}

func (h *harness) postJSON(c *http.Client, path, body string) response {
	h.t.Helper()
	return h.do(c, http.MethodPost, path, "application/json", body)
}

func (h *harness) postForm(c *http.Client, path string, form url.Values) response {
	h.t.Helper()
	return h.do(c, http.MethodPost, path, "application/x-www-form-urlencoded", form.Encode())
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)

// formToken returns the CSRF token a page's first form carries.
func formTokenOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfInput.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("page has no csrf_token field")
	}
	return m[1]
}

// createAccount adds an account straight through the auth service and
// sets its own password, as its owner would at first login.
func (h *harness) createAccount(login, name string, role auth.Role) auth.Account {
	h.t.Helper()
	ctx := context.Background()
	a, err := h.auth.CreateAccount(ctx, login, name, role, testPassword+"-initial")
	if err != nil {
		h.t.Fatalf("creating account %s: %v", login, err)
	}
	if err := h.auth.SetPassword(ctx, a.ID, testPassword+"-initial", testPassword); err != nil {
		h.t.Fatalf("setting own password of %s: %v", login, err)
	}
	a, err = h.auth.Account(ctx, a.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return a
}

// login signs c in through the login form and returns the session's CSRF
// token, read from the workbench.
func (h *harness) login(c *http.Client, login string) string {
	h.t.Helper()
	page := h.get(c, "/seat/login")
	form := url.Values{"login": {login}, "password": {testPassword}, csrfField: {formTokenOf(h.t, page.body)}}
	resp := h.postForm(c, "/seat/login", form)
	if resp.status != http.StatusSeeOther {
		h.t.Fatalf("logging in %s: got status %d, want 303; body %s", login, resp.status, resp.body)
	}
	bench := h.get(c, "/seat")
	if bench.status != http.StatusOK {
		h.t.Fatalf("opening workbench after login: got status %d, want 200", bench.status)
	}
	return formTokenOf(h.t, bench.body)
}

// startConversation queues a citizen conversation with a bot exchange.
func (h *harness) startConversation(topic string) conversation.Conversation {
	h.t.Helper()
	c, _, err := h.conv.Start(context.Background(), conversation.StartRequest{
		Channel: "web",
		Topic:   topic,
		Transcript: []conversation.Line{
			{From: conversation.SenderCitizen, Text: topic},
			{From: conversation.SenderBot, Text: "请携带身份证明。"},
		},
	})
	if err != nil {
		h.t.Fatalf("starting conversation: %v", err)
	}
	return c
}

func decodeBody(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decoding JSON %q: %v", body, err)
	}
}

// openTag returns the opening tag of the element with the data-testid,
// or "" when the page has none.
func openTag(page, testID string) string {
	i := strings.Index(page, `data-testid="`+testID+`"`)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(page[:i], "<")
	end := strings.Index(page[i:], ">")
	if start < 0 || end < 0 {
		return ""
	}
	return page[start : i+end+1]
}

func isHidden(tag string) bool {
	return regexp.MustCompile(`\shidden(\s|>|/|=)`).MatchString(tag)
}

func assertTestIDs(t *testing.T, page string, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if !strings.Contains(page, `data-testid="`+id+`"`) {
			t.Errorf("page lacks data-testid %q", id)
		}
	}
}

// logBuffer collects log output for assertions.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var errHealth = errors.New("store: database is closed")

func newTestLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
