package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"wenban/appliance/auth"
)

// TestKBEntryListDraftBadge checks that the entry list marks exactly the
// entries a publish would change: a new one and a retired one, but not an
// untouched one.
func TestKBEntryListDraftBadge(t *testing.T) {
	h := newKBHarness(t)
	h.createAccount("admin1", "王敏", auth.RoleAdmin)
	c := h.client()
	token := h.login(c, "admin1")

	created := h.postForm(c, "/seat/admin/kb/entries", url.Values{
		csrfField: {token}, "id": {"ch-009"}, "category": {"测绘"},
		"question": {"地图审核怎么申请"}, "answer": {"向省自然资源厅提交地图审核申请。"},
	})
	if created.status != http.StatusSeeOther {
		t.Fatalf("create: got status %d, want 303", created.status)
	}
	retired := h.postForm(c, "/seat/admin/kb/entries/bdc-002/retire", url.Values{csrfField: {token}})
	if retired.status != http.StatusSeeOther {
		t.Fatalf("retire: got status %d, want 303", retired.status)
	}

	list := h.get(c, "/seat/admin/kb")
	rows := entryRows(list.body)
	for _, tt := range []struct {
		id   string
		want bool
	}{
		{"ch-009", true},
		{"bdc-002", true},
		{"bdc-001", false},
	} {
		row, ok := rows[tt.id]
		if !ok {
			t.Errorf("entry %s: not listed", tt.id)
			continue
		}
		if got := strings.Contains(row, "草稿改动"); got != tt.want {
			t.Errorf("entry %s draft badge: got %v, want %v", tt.id, got, tt.want)
		}
	}
}

// entryRows splits the entry list page into its rows, keyed by entry id.
func entryRows(body string) map[string]string {
	rows := make(map[string]string)
	for _, part := range strings.Split(body, `data-testid="kb-entry" data-entry-id="`)[1:] {
		id, rest, _ := strings.Cut(part, `"`)
		row, _, _ := strings.Cut(rest, "</tr>")
		rows[id] = row
	}
	return rows
}
