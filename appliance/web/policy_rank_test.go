package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestPolicyFacetsCountArticles(t *testing.T) {
	h, _ := newPolicyHarness(t)
	resp := h.get(h.client(), "/policy?q="+url.QueryEscape("登记"))
	if resp.status != http.StatusOK {
		t.Fatalf("GET /policy: got status %d, want 200", resp.status)
	}
	for _, want := range []string{"条条文）</option>", "括号内的数字是符合条件的条文数"} {
		if !strings.Contains(resp.body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestAskFormHidesInternalRefs(t *testing.T) {
	h, _ := newPolicyHarness(t)
	c := h.client()
	page := h.get(c, "/")
	form := url.Values{"q": {"采矿权转让怎么办"}, csrfField: {formTokenOf(t, page.body)}}
	resp := h.postForm(c, "/ask", form)
	if resp.status != http.StatusOK {
		t.Fatalf("ask form: got status %d, want 200", resp.status)
	}
	for _, internal := range []string{"不存在的法", "矿产资源法#第六条"} {
		if strings.Contains(resp.body, internal) {
			t.Errorf("page shows the internal reference %q to citizens", internal)
		}
	}
}
