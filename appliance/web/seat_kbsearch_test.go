package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"wenban/appliance/auth"
)

func TestSeatKBSearch(t *testing.T) {
	h := newKBHarness(t)
	h.createAccount("zhang", "张敏", auth.RoleAgent)
	c := h.client()
	h.login(c, "zhang")

	search := func(q string) response {
		return h.get(c, "/seat/api/kb/search?"+url.Values{"q": {q}}.Encode())
	}

	t.Run("keywords", func(t *testing.T) {
		resp := search("测绘资质")
		if resp.status != http.StatusOK {
			t.Fatalf("status: got %d, want 200; body %s", resp.status, resp.body)
		}
		var got kbSearchReply
		decodeBody(t, resp.body, &got)
		if len(got.Items) == 0 || got.Items[0].FAQID != "ch-001" || got.Items[0].Answer == "" {
			t.Errorf("items: got %+v, want ch-001 first with its answer", got.Items)
		}
	})
	t.Run("entry id", func(t *testing.T) {
		var got kbSearchReply
		decodeBody(t, search("bdc-002").body, &got)
		if len(got.Items) == 0 || got.Items[0].FAQID != "bdc-002" {
			t.Errorf("items: got %+v, want bdc-002 first", got.Items)
		}
		for _, it := range got.Items[1:] {
			if it.FAQID == "bdc-002" {
				t.Errorf("items: bdc-002 listed twice")
			}
		}
	})

	t.Run("nothing related", func(t *testing.T) {
		var got kbSearchReply
		decodeBody(t, search("今天天气怎么样").body, &got)
		if len(got.Items) != 0 {
			t.Errorf("items: got %+v, want none for chit-chat", got.Items)
		}
	})

	bad := []struct {
		name, q, want string
	}{
		{"empty", "  ", "请输入要搜索的关键词"},
		{"too long", strings.Repeat("登", 101), "100 字以内"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			resp := search(tt.q)
			if resp.status != http.StatusBadRequest || !strings.Contains(resp.body, tt.want) {
				t.Errorf("got %d %s, want 400 with %q", resp.status, resp.body, tt.want)
			}
		})
	}

	t.Run("needs a staff session", func(t *testing.T) {
		resp := h.get(h.client(), "/seat/api/kb/search?q=测绘")
		if resp.status != http.StatusUnauthorized && resp.status != http.StatusForbidden {
			t.Errorf("without a session: got %d, want 401 or 403", resp.status)
		}
	})
}
