package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"wenban/appliance/auth"
)

// kbAdminRoutes lists every route kbRoutes registers, with a path that
// matches it.
var kbAdminRoutes = []struct{ method, path string }{
	{http.MethodGet, "/seat/admin/kb"},
	{http.MethodGet, "/seat/admin/kb/new"},
	{http.MethodPost, "/seat/admin/kb/entries"},
	{http.MethodGet, "/seat/admin/kb/entries/bdc-001"},
	{http.MethodPost, "/seat/admin/kb/entries/bdc-001"},
	{http.MethodPost, "/seat/admin/kb/entries/bdc-001/retire"},
	{http.MethodPost, "/seat/admin/kb/entries/bdc-001/restore"},
	{http.MethodGet, "/seat/admin/kb/categories"},
	{http.MethodPost, "/seat/admin/kb/categories"},
	{http.MethodPost, "/seat/admin/kb/categories/delete"},
	{http.MethodGet, "/seat/admin/kb/versions"},
	{http.MethodPost, "/seat/admin/kb/publish"},
	{http.MethodPost, "/seat/admin/kb/versions/1/rollback"},
	{http.MethodGet, "/seat/admin/kb/transfer"},
	{http.MethodGet, "/seat/admin/kb/export?format=csv"},
	{http.MethodGet, "/seat/admin/kb/export?format=xlsx&of=draft"},
	{http.MethodGet, "/seat/admin/kb/proposals"},
	{http.MethodPost, "/seat/admin/kb/proposals/0000000000000001/approve"},
	{http.MethodPost, "/seat/admin/kb/proposals/0000000000000001/reject"},
	{http.MethodGet, "/seat/admin/kb/clusters"},
}

// TestKBRoutesForbidNonAdmins sends every knowledge-base route, with a
// valid CSRF token on posts, as an agent and as a supervisor.
func TestKBRoutesForbidNonAdmins(t *testing.T) {
	h := newKBHarness(t)
	h.createAccount("agent1", "张敏", auth.RoleAgent)
	h.createAccount("super1", "李强", auth.RoleSupervisor)

	for _, login := range []string{"agent1", "super1"} {
		c := h.client()
		token := h.login(c, login)
		for _, rt := range kbAdminRoutes {
			t.Run(login+" "+rt.method+" "+rt.path, func(t *testing.T) {
				var got response
				if rt.method == http.MethodGet {
					got = h.get(c, rt.path)
				} else {
					got = h.postForm(c, rt.path, url.Values{csrfField: {token}, "name": {"林业"}, "rev": {"0"},
						"id": {"n-1"}, "question": {"林权证怎么办理"}, "answer": {"请到窗口办理。"}})
				}
				if got.status != http.StatusForbidden {
					t.Errorf("got status %d, want 403", got.status)
				}
			})
		}
		if got := h.upload(c, token, "kb.csv", "id,question,answer\nx,问,答\n", map[string]string{"mode": "import"}); got.status != http.StatusForbidden {
			t.Errorf("%s import: got status %d, want 403", login, got.status)
		}
	}
	if rev := h.draftRev(); rev != 0 {
		t.Errorf("draft rev after rejected requests: got %d, want 0", rev)
	}
}

// TestKBAllPostsRequireCSRF sends every knowledge-base post as an
// administrator without the CSRF token.
func TestKBAllPostsRequireCSRF(t *testing.T) {
	h := newKBHarness(t)
	h.createAccount("admin1", "王敏", auth.RoleAdmin)
	c := h.client()
	h.login(c, "admin1")

	for _, rt := range kbAdminRoutes {
		if rt.method != http.MethodPost {
			continue
		}
		t.Run(rt.path, func(t *testing.T) {
			got := h.postForm(c, rt.path, url.Values{"name": {"林业"}, "rev": {"0"},
				"id": {"n-1"}, "question": {"林权证怎么办理"}, "answer": {"请到窗口办理。"}})
			if got.status != http.StatusForbidden {
				t.Errorf("got status %d, want 403", got.status)
			}
		})
	}
	if rev := h.draftRev(); rev != 0 {
		t.Errorf("draft rev after rejected posts: got %d, want 0", rev)
	}
}

// TestPolicyAdminRoutesForbidNonAdmins sends every policy administration
// route as an agent and as a supervisor.
func TestPolicyAdminRoutesForbidNonAdmins(t *testing.T) {
	h, _ := newPolicyHarness(t)
	h.createAccount("agent1", "张敏", auth.RoleAgent)
	h.createAccount("super1", "李强", auth.RoleSupervisor)
	for _, login := range []string{"agent1", "super1"} {
		c := h.client()
		token := h.login(c, login)
		tests := []struct {
			name string
			do   func() response
		}{
			{"admin page", func() response { return h.get(c, "/seat/admin/policy") }},
			{"versions", func() response { return h.get(c, "/seat/admin/policy/doc/"+url.PathEscape("土地管理法")) }},
			{"run", func() response { return h.postForm(c, "/seat/admin/policy/run", url.Values{csrfField: {token}}) }},
		}
		for _, tt := range tests {
			t.Run(login+" "+tt.name, func(t *testing.T) {
				if got := tt.do(); got.status != http.StatusForbidden {
					t.Errorf("got status %d, want 403", got.status)
				}
			})
		}
	}
}

// TestKBImportForbidsAgentBeforeReading uploads a file over the size
// limit as an agent. The response must be 403, not the 413 that reading
// the body would return.
func TestKBImportForbidsAgentBeforeReading(t *testing.T) {
	h := newKBHarness(t)
	h.createAccount("agent1", "张敏", auth.RoleAgent)
	c := h.client()
	token := h.login(c, "agent1")

	big := strings.Repeat("x", maxUploadBytes+1)
	if got := h.upload(c, token, "kb.csv", big, nil); got.status != http.StatusForbidden {
		t.Errorf("oversized upload by an agent: got status %d, want 403", got.status)
	}
}
