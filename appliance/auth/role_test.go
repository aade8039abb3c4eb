package auth

import (
	"strings"
	"testing"
)

func TestRoleString(t *testing.T) {
	tests := []struct {
		role      Role
		wantName  string
		wantLabel string
		wantValid bool
	}{
		{RoleUnknown, "unknown", "未知", false},
		{RoleAgent, "agent", "坐席", true},
		{RoleSupervisor, "supervisor", "班长", true},
		{RoleAdmin, "admin", "管理员", true},
		{Role(99), "Role(99)", "未知", false},
		{Role(-1), "Role(-1)", "未知", false},
	}
	for _, tt := range tests {
		t.Run(tt.wantName, func(t *testing.T) {
			if got := tt.role.String(); got != tt.wantName {
				t.Errorf("String got %q, want %q", got, tt.wantName)
			}
			if got := tt.role.Label(); got != tt.wantLabel {
				t.Errorf("Label got %q, want %q", got, tt.wantLabel)
			}
			if got := tt.role.Valid(); got != tt.wantValid {
				t.Errorf("Valid got %v, want %v", got, tt.wantValid)
			}
		})
	}
}

func TestParseRole(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		want    Role
		wantErr bool
	}{
		{"agent", "agent", RoleAgent, false},
		{"supervisor", "supervisor", RoleSupervisor, false},
		{"admin", "admin", RoleAdmin, false},
		{"upper case and space", " Admin ", RoleAdmin, false},
		{"unknown rejected", "unknown", RoleUnknown, true},
		{"empty", "", RoleUnknown, true},
		{"chinese label", "坐席", RoleUnknown, true},
		{"number", "3", RoleUnknown, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRole(tt.input)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseRole(%q) error got %v, want error %v", tt.input, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseRole(%q) got %v, want %v", tt.input, got, tt.want)
			}
		})
	}
}

func TestRoleAtLeast(t *testing.T) {
	tests := []struct {
		role, min Role
		want      bool
	}{
		{RoleAdmin, RoleSupervisor, true},
		{RoleSupervisor, RoleSupervisor, true},
		{RoleAgent, RoleSupervisor, false},
		{RoleUnknown, RoleUnknown, false},
		{Role(7), RoleAdmin, false},
	}
	for _, tt := range tests {
		if got := tt.role.AtLeast(tt.min); got != tt.want {
			t.Errorf("%v.AtLeast(%v) got %v, want %v", tt.role, tt.min, got, tt.want)
		}
	}
}

func FuzzParseRole(f *testing.F) {
	for _, seed := range []string{"agent", "ADMIN", "", "unknown", "坐席", "Role(1)"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		role, err := ParseRole(s)
		if err != nil {
			if role != RoleUnknown {
				t.Errorf("ParseRole(%q) failed but returned %v", s, role)
			}
			return
		}
		if !role.Valid() {
			t.Errorf("ParseRole(%q) returned invalid role %v", s, role)
		}
		if role.String() != strings.ToLower(strings.TrimSpace(s)) {
			t.Errorf("ParseRole(%q) got %v, whose name differs", s, role)
		}
	})
}
