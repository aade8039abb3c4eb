package web

import (
	"bytes"
	"context"
	"errors"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"

	"wenban/ui/seat"
	"wenban/ui/static"
)

func TestHealthz(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantBody   string
	}{
		{"healthy", nil, 200, `{"status":"ok"}`},
		{"store closed", errHealth, 503, `{"status":"unavailable","reason":"store: database is closed"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.setHealth(tt.err)
			resp := h.get(h.client(), "/healthz")
			if resp.status != tt.wantStatus {
				t.Errorf("status: got %d, want %d", resp.status, tt.wantStatus)
			}
			if got := strings.TrimSpace(resp.body); got != tt.wantBody {
				t.Errorf("body: got %s, want %s", got, tt.wantBody)
			}
		})
	}
}

func TestStaticAssets(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.client()
	tests := []struct {
		name      string
		wantType  string
		wantStart string
	}{
		{"app.css", "text/css; charset=utf-8", "/*"},
		{"citizen.js", "text/javascript; charset=utf-8", "//"},
		{"seat.js", "text/javascript; charset=utf-8", "//"},
		{"ws.js", "text/javascript; charset=utf-8", "//"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			versioned := h.get(c, static.URL(tt.name))
			if versioned.status != http.StatusOK {
				t.Fatalf("status: got %d, want 200", versioned.status)
			}
			if got := versioned.header.Get("Content-Type"); got != tt.wantType {
				t.Errorf("content type: got %q, want %q", got, tt.wantType)
			}
			if got := versioned.header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
				t.Errorf("versioned cache control: got %q, want a year, immutable", got)
			}
			if !strings.HasPrefix(versioned.body, tt.wantStart) {
				t.Errorf("body starts %q, want %q", versioned.body[:min(20, len(versioned.body))], tt.wantStart)
			}

			plain := h.get(c, "/static/"+tt.name)
			if got := plain.header.Get("Cache-Control"); got != "no-cache" {
				t.Errorf("unversioned cache control: got %q, want no-cache", got)
			}
			etag := plain.header.Get("ETag")
			again := h.do(c, http.MethodGet, "/static/"+tt.name, "", "", "If-None-Match", etag)
			if again.status != http.StatusNotModified {
				t.Errorf("revalidation with ETag %s: got %d, want 304", etag, again.status)
			}
		})
	}

	for _, path := range []string{"/static/missing.js", "/static/static.go", "/static/"} {
		if resp := h.get(c, path); resp.status != http.StatusNotFound {
			t.Errorf("GET %s: got %d, want 404", path, resp.status)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	want := map[string]string{
		"Content-Security-Policy": contentSecurityPolicy,
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
		"X-Frame-Options":         "DENY",
	}
	for _, path := range []string{"/", "/seat/login", "/healthz", "/api/v1/hours", "/static/app.css", "/nowhere", "/seat"} {
		resp := h.get(h.client(), path)
		for k, v := range want {
			if got := resp.header.Get(k); got != v {
				t.Errorf("GET %s header %s: got %q, want %q", path, k, got, v)
			}
		}
	}
	for _, part := range []string{"default-src 'self'", "connect-src 'self';", "img-src 'self' data: blob:", "media-src 'self' blob:"} {
		if !strings.Contains(contentSecurityPolicy, part) {
			t.Errorf("CSP lacks %q", part)
		}
	}
}

func TestNotFoundPage(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	resp := h.get(h.client(), "/no/such/page")
	if resp.status != http.StatusNotFound {
		t.Fatalf("status: got %d, want 404", resp.status)
	}
	assertTestIDs(t, resp.body, "error-page", "error-message", "error-back")
	if !strings.Contains(resp.body, msgNotFound) {
		t.Errorf("page lacks %q", msgNotFound)
	}
}

// TestRenderFailureIsErrorPage checks that a component failing halfway
// produces the error page and none of its partial output.
func TestRenderFailureIsErrorPage(t *testing.T) {
	logs := &logBuffer{}
	s := New(Deps{Logger: newTestLogger(logs)})
	broken := templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		if _, err := io.WriteString(w, "<p>half a page</p>"); err != nil {
			return err
		}
		return errors.New("template exploded at secret-detail")
	})

	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	s.page(func(w http.ResponseWriter, r *http.Request) error {
		return s.render(w, r, http.StatusOK, broken)
	}).ServeHTTP(rec, req)

	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status: got %d, want 500", rec.Code)
	}
	body := rec.Body.String()
	if strings.Contains(body, "half a page") {
		t.Errorf("body contains the partial page")
	}
	if strings.Contains(body, "secret-detail") {
		t.Errorf("body echoes the internal error")
	}
	if !strings.Contains(body, msgInternal) {
		t.Errorf("body lacks %q", msgInternal)
	}
	if !strings.Contains(logs.String(), "secret-detail") {
		t.Errorf("log lacks the internal cause")
	}
}

func TestPanicBecomesErrorPage(t *testing.T) {
	s := New(Deps{})
	h := s.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom with internal detail")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status: got %d, want 500", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "internal detail") {
		t.Errorf("body echoes the panic value")
	}
}

func TestAccessLogLeavesOutQueryAndBody(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.client()
	h.get(c, "/seat/history?q=secretquery")
	h.postJSON(c, "/api/v1/bot/ask", `{"question":"我的身份证号是430100199001011234"}`)

	logs := h.logs.String()
	for _, leak := range []string{"secretquery", "430100199001011234", "身份证"} {
		if strings.Contains(logs, leak) {
			t.Errorf("logs contain %q", leak)
		}
	}
	for _, want := range []string{`"msg":"http request"`, `"route":"POST /api/v1/bot/ask"`, `"method":"POST"`, `"status":200`, `"duration":`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s", want)
		}
	}
}

func TestSafeNext(t *testing.T) {
	tests := []struct {
		next string
		want string
	}{
		{"", "/seat"},
		{"/seat", "/seat"},
		{"/seat/history?q=x", "/seat/history?q=x"},
		{"/seat/login", "/seat"},
		{"//evil.example", "/seat"},
		{"/seat\\@evil.example", "/seat"},
		{"https://evil.example/seat", "/seat"},
		{"/", "/seat"},
		{"/api/v1/hours", "/seat"},
	}
	for _, tt := range tests {
		if got := safeNext(tt.next); got != tt.want {
			t.Errorf("safeNext(%q): got %q, want %q", tt.next, got, tt.want)
		}
	}
}

func TestSplitSnippet(t *testing.T) {
	tests := []struct {
		name    string
		snippet string
		want    string // segments as text, with marks in [brackets]
	}{
		{"plain", "没有命中", "没有命中"},
		{"one hit", "办理<mark>不动产</mark>登记", "办理[不动产]登记"},
		{"escaped text", "&lt;script&gt;<mark>测绘</mark>&amp;", "<script>[测绘]&"},
		{"unclosed mark", "前<mark>后", "前[后]"},
		{"adjacent hits", "<mark>国土</mark><mark>空间</mark>", "[国土][空间]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			for _, s := range splitSnippet(tt.snippet) {
				if s.Mark {
					b.WriteString("[" + s.Text + "]")
				} else {
					b.WriteString(s.Text)
				}
			}
			if got := b.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFormatNextOpen(t *testing.T) {
	now := time.Date(2026, 12, 5, 18, 0, 0, 0, shanghai)
	tests := []struct {
		name string
		next time.Time
		want string
	}{
		{"later today", time.Date(2026, 12, 5, 20, 30, 0, 0, shanghai), "今天 20:30"},
		{"tomorrow", time.Date(2026, 12, 6, 8, 30, 0, 0, shanghai), "明天 08:30"},
		{"monday", time.Date(2026, 12, 7, 8, 30, 0, 0, shanghai), "12月7日 08:30"},
		{"zero", time.Time{}, ""},
	}
	for _, tt := range tests {
		if got := formatNextOpen(tt.next, now); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestTemplGenerateUpToDate fails when the committed *_templ.go files
// differ from what the pinned templ generator makes of the .templ files.
func TestTemplGenerateUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the templ generator; skipped with -short")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found, so the templ generator cannot run")
	}
	moduleRoot, err := filepath.Abs("../..")
	if err != nil {
		t.Fatalf("locating module root: %v", err)
	}
	uiDir := filepath.Join(moduleRoot, "ui")
	copyDir := filepath.Join(t.TempDir(), "ui")
	if err := os.CopyFS(copyDir, os.DirFS(uiDir)); err != nil {
		t.Fatalf("copying ui: %v", err)
	}

	cmd := exec.Command(goTool, "tool", "templ", "generate", "-path", copyDir)
	cmd.Dir = moduleRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("go tool templ unavailable (%v): %s", err, out)
	}

	generated, err := filepath.Glob(filepath.Join(uiDir, "*", "*_templ.go"))
	if err != nil || len(generated) == 0 {
		t.Fatalf("no generated files under %s: %v", uiDir, err)
	}
	templs, _ := filepath.Glob(filepath.Join(uiDir, "*", "*.templ"))
	if len(templs) != len(generated) {
		t.Errorf("ui has %d .templ files but %d *_templ.go files", len(templs), len(generated))
	}
	for _, path := range generated {
		rel, _ := filepath.Rel(uiDir, path)
		committed, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("reading %s: %v", rel, err)
		}
		fresh, err := os.ReadFile(filepath.Join(copyDir, rel))
		if err != nil {
			t.Fatalf("reading regenerated %s: %v", rel, err)
		}
		if !bytes.Equal(committed, fresh) {
			t.Errorf("ui/%s is stale: run `go tool templ generate` in the module root", rel)
		}
	}
}

func FuzzBotAskBody(f *testing.F) {
	f.Add([]byte(`{"question":"测绘资质如何申请"}`))
	f.Add([]byte(`{"question":""}`))
	f.Add([]byte("{\"question\":\"\xff\"}"))
	f.Add([]byte(`{"question":"a","channel":"kiosk"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"question":"\u0000"}`))

	s := New(Deps{Conversations: nil, Calendar: nil})
	h := s.api(func(w http.ResponseWriter, r *http.Request) error {
		var req askRequest
		if err := decodeJSON(w, r, &req); err != nil {
			return err
		}
		_, err := validateQuestion(req.Question, DefaultMaxQuestionRunes)
		return err
	})
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/api/v1/bot/ask", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status: got %d, want 200, 400 or 413", rec.Code)
		}
		if rec.Code != http.StatusOK && !strings.Contains(rec.Body.String(), `"error":`) {
			t.Fatalf("rejection body %q lacks an error message", rec.Body.String())
		}
	})
}

func FuzzSplitSnippet(f *testing.F) {
	f.Add("办理", "不动产", "登记", "<mark><mark>")
	f.Add("<script>", "&amp;", "", "&lt;<mark>&amp;</mark>")
	f.Fuzz(func(t *testing.T, before, hit, after, arbitrary string) {
		for _, s := range splitSnippet(arbitrary) {
			if s.Text == "" {
				t.Fatalf("empty segment from %q", arbitrary)
			}
		}

		// A snippet as the search builds it: escaped text with the hit
		// wrapped in <mark> must split back into the original runs.
		snippet := html.EscapeString(before) + "<mark>" + html.EscapeString(hit) + "</mark>" + html.EscapeString(after)
		var want []seat.Segment
		for _, s := range []seat.Segment{{Text: before}, {Text: hit, Mark: true}, {Text: after}} {
			if s.Text != "" {
				want = append(want, s)
			}
		}
		if got := splitSnippet(snippet); !slices.Equal(got, want) {
			t.Fatalf("splitSnippet(%q): got %+v, want %+v", snippet, got, want)
		}
	})
}

func FuzzSafeNext(f *testing.F) {
	f.Add("/seat/history?q=x")
	f.Add("//evil.example")
	f.Add("/seat/../../x")
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if !strings.HasPrefix(got, "/seat") {
			t.Fatalf("safeNext(%q) = %q, want a /seat path", next, got)
		}
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" {
			t.Fatalf("safeNext(%q) = %q leaves the hub", next, got)
		}
	})
}

func TestFaviconServed(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.client()
	page := h.get(c, "/")
	if !strings.Contains(page.body, `rel="icon"`) || !strings.Contains(page.body, "/static/favicon.svg") {
		t.Errorf("citizen page names no icon")
	}
	moved := h.get(c, "/favicon.ico")
	loc := moved.header.Get("Location")
	if moved.status != http.StatusMovedPermanently || !strings.HasPrefix(loc, "/static/favicon.svg") {
		t.Fatalf("/favicon.ico: got %d to %q, want 301 to the SVG icon", moved.status, loc)
	}
	icon := h.get(c, loc)
	if icon.status != http.StatusOK || icon.header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(icon.body, "<svg") {
		t.Errorf("%s: got %d %q, want the SVG icon", loc, icon.status, icon.header.Get("Content-Type"))
	}
}
