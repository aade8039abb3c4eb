package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestAskReferralForOtherDepartments(t *testing.T) {
	h, _ := newPolicyHarness(t)
	tests := []struct {
		name, question, want string
	}{
		{"social security", "社保怎么交", "人力资源和社会保障部门"},
		{"household register", "户口怎么迁", "公安部门"},
		{"medical insurance", "医保怎么报销", "医疗保障部门"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.postJSON(h.client(), "/api/v1/bot/ask", `{"question":"`+tt.question+`"}`)
			if resp.status != http.StatusOK {
				t.Fatalf("ask: got status %d, want 200; body %s", resp.status, resp.body)
			}
			var got struct {
				Matched  bool   `json:"matched"`
				Referral string `json:"referral"`
			}
			decodeBody(t, resp.body, &got)
			if got.Matched {
				t.Fatalf("ask %q: got a match, want none", tt.question)
			}
			if !strings.Contains(got.Referral, tt.want) || !strings.Contains(got.Referral, "12345") {
				t.Errorf("referral: got %q, want %s and the 12345 hotline", got.Referral, tt.want)
			}
		})
	}
}

func TestAskFormShowsReferral(t *testing.T) {
	h, _ := newPolicyHarness(t)
	c := h.client()
	page := h.get(c, "/")
	form := url.Values{"q": {"社保怎么交"}, csrfField: {formTokenOf(t, page.body)}}
	resp := h.postForm(c, "/ask", form)
	if resp.status != http.StatusOK {
		t.Fatalf("ask form: got status %d, want 200", resp.status)
	}
	for _, want := range []string{"人力资源和社会保障部门", "12345"} {
		if !strings.Contains(resp.body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}
