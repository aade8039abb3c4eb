package kiosk

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestScreenRenders(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler(Page{Window: "03", IdleTimeout: 90 * time.Second}, nil).
		ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))

	if rec.Code != http.StatusOK {
		t.Fatalf("status: got %d, want 200", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`data-idle-seconds="90"`, `data-testid="start-button"`, `data-testid="control-banner"`,
		`data-testid="consent-dialog"`, `data-testid="keyboard"`, `data-key="q"`, "kiosk.js", "kiosk.css",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("Content-Security-Policy: got %q, want scripts from the page's origin only", csp)
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, "style=") {
		t.Error("page has an inline script or style, which the policy forbids")
	}
}
