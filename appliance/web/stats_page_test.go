package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"wenban/appliance/auth"
	"wenban/appliance/conversation"
)

func TestStatsPage(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := context.Background()
	agent := h.createAccount("zhang", "张敏", auth.RoleAgent)
	h.createAccount("lead", "李主任", auth.RoleSupervisor)

	// Two served and rated conversations, one citizen who left the queue.
	for _, score := range []int{5, 3} {
		c := h.startConversation("宅基地怎么申请")
		if _, err := h.conv.Accept(ctx, conversation.Agent{ID: agent.ID, Name: agent.DisplayName}, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := h.conv.End(ctx, c.ID, conversation.Closer{AgentID: agent.ID, Name: agent.DisplayName}); err != nil {
			t.Fatal(err)
		}
		if err := h.conv.Rate(ctx, c.ID, score, ""); err != nil {
			t.Fatal(err)
		}
	}
	left := h.startConversation("排队太久")
	if _, err := h.conv.End(ctx, left.ID, conversation.Closer{Abandoned: true}); err != nil {
		t.Fatal(err)
	}
	citizen := h.client()
	for _, q := range []string{"不动产登记办理时限是多久", "今天天气怎么样"} {
		h.postJSON(citizen, "/api/v1/bot/ask", `{"question":"`+q+`"}`)
	}

	agentClient := h.client()
	h.login(agentClient, "zhang")
	if resp := h.get(agentClient, "/seat/admin/stats"); resp.status != http.StatusForbidden {
		t.Errorf("statistics for an agent: got %d, want 403", resp.status)
	}

	lead := h.client()
	h.login(lead, "lead")
	page := h.get(lead, "/seat/admin/stats?days=30")
	if page.status != http.StatusOK {
		t.Fatalf("statistics: got %d, want 200", page.status)
	}
	for _, want := range []string{
		"2 问", "直接答复 50.0%", // one of the two questions answered
		"3 次", "接入 2 次，排队中离开 1 次",
		"100.0%",                  // both served at once, within 10 minutes
		"50.0%", "2 次评价，平均 4.0 分", // one of two ratings at 4 or more
		`aria-current="page">近 30 天`,
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("statistics page lacks %q", want)
		}
	}
	if !strings.Contains(page.body, "纵轴最高 3") {
		t.Errorf("the handoff chart lacks its scale (3 handoffs on one day)")
	}
	if n := strings.Count(page.body, `data-testid="stats-chart"`); n != 3 {
		t.Errorf("charts: got %d, want 3", n)
	}
	if !strings.Contains(page.body, `data-met="no"`) || !strings.Contains(page.body, `data-met="yes"`) {
		t.Errorf("figures against targets: want one met (wait) and one missed (satisfaction)")
	}
	if bad := h.get(lead, "/seat/admin/stats?days=5"); !strings.Contains(bad.body, `aria-current="page">近 7 天`) {
		t.Errorf("an unknown period: want the 7-day default")
	}
}
