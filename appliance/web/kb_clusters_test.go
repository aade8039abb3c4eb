package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"wenban/appliance/auth"
	"wenban/appliance/conversation"
)

func TestKBClusterDismiss(t *testing.T) {
	h := newKBHarness(t)
	h.createAccount("admin1", "王敏", auth.RoleAdmin)
	c := h.client()
	token := h.login(c, "admin1")
	for _, q := range []string{"社保怎么交", "社保在哪里交", "社保怎么交"} {
		if err := h.conv.RecordQuestion(context.Background(), conversation.QuestionRecord{Question: q}); err != nil {
			t.Fatal(err)
		}
	}

	page := h.get(c, "/seat/admin/kb/clusters")
	m := regexp.MustCompile(`data-cluster-id="([0-9a-f]+)"`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("clusters page lists no cluster")
	}
	if !strings.Contains(page.body, `data-testid="kb-cluster-dismiss"`) {
		t.Errorf("clusters page lacks the dismiss button")
	}

	dismissed := h.postForm(c, "/seat/admin/kb/clusters/"+m[1]+"/dismiss", url.Values{csrfField: {token}})
	if dismissed.status != http.StatusSeeOther {
		t.Fatalf("dismiss: got status %d, want 303; body %s", dismissed.status, dismissed.body)
	}
	if after := h.get(c, "/seat/admin/kb/clusters"); !strings.Contains(after.body, `data-testid="kb-clusters-empty"`) {
		t.Errorf("cluster still listed after it was dismissed")
	}

	again := h.postForm(c, "/seat/admin/kb/clusters/"+m[1]+"/dismiss", url.Values{csrfField: {token}})
	if again.status != http.StatusNotFound {
		t.Errorf("dismissing a handled cluster: got status %d, want 404", again.status)
	}
}
