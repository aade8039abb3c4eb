package conversation

import (
	"context"
	"testing"
)

func TestStaffMention(t *testing.T) {
	tests := []struct {
		name, mention, lead string
	}{
		{"张敏", "客服张敏", "客服张敏"},
		{"Zhang Min", "客服 Zhang Min", "客服 Zhang Min "},
		{"张敏2", "客服张敏2", "客服张敏2 "},
		{"系统管理员", "工作人员", "工作人员"},
		{"", "工作人员", "工作人员"},
	}
	for _, tt := range tests {
		if got := StaffMention(tt.name); got != tt.mention {
			t.Errorf("StaffMention(%q): got %q, want %q", tt.name, got, tt.mention)
		}
		if got := StaffLead(tt.name); got != tt.lead {
			t.Errorf("StaffLead(%q): got %q, want %q", tt.name, got, tt.lead)
		}
	}
}

func TestAcceptLineHidesAdministratorRole(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	c, _ := start(t, s)
	admin := Agent{ID: "admin", Name: "系统管理员"}
	if _, err := s.Accept(ctx, admin, c.ID); err != nil {
		t.Fatal(err)
	}
	msgs, err := s.Messages(ctx, c.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	last := msgs[len(msgs)-1]
	if last.Text != "工作人员已接入，为您服务。" {
		t.Errorf("accept line: got %q, want 工作人员已接入，为您服务。", last.Text)
	}
}
