package web

import "testing"

func TestVersionLabelHidesShipped(t *testing.T) {
	tests := []struct {
		name, stored, want string
	}{
		{"seeded version", "shipped", "内置知识库"},
		{"rollback to seeded version", "回滚到版本 1（shipped）", "回滚到版本 1（内置知识库）"},
		{"staff name kept", "春季更新", "春季更新"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := versionLabel(tt.stored); got != tt.want {
				t.Errorf("versionLabel(%q): got %q, want %q", tt.stored, got, tt.want)
			}
		})
	}
}
