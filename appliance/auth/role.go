package auth

import (
	"fmt"
	"strings"
)

// Role is the permission level of a staff account. The zero value is
// RoleUnknown, so a record decoded without a role grants nothing.
type Role int

// Roles, from least to most privileged.
const (
	RoleUnknown    Role = iota
	RoleAgent           // 坐席: serves citizens at a seat
	RoleSupervisor      // 班长: monitors queues and seats and views statistics
	RoleAdmin           // 管理员: manages accounts and settings
)

var roleNames = map[Role]string{
	RoleUnknown:    "unknown",
	RoleAgent:      "agent",
	RoleSupervisor: "supervisor",
	RoleAdmin:      "admin",
}

var roleLabels = map[Role]string{
	RoleUnknown:    "未知",
	RoleAgent:      "坐席",
	RoleSupervisor: "班长",
	RoleAdmin:      "管理员",
}

// String returns the role's stable English name, as used in forms and logs.
func (r Role) String() string {
	if name, ok := roleNames[r]; ok {
		return name
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// Label returns the role's Chinese name for pages.
func (r Role) Label() string {
	if label, ok := roleLabels[r]; ok {
		return label
	}
	return roleLabels[RoleUnknown]
}

// Valid reports whether r is one of the assignable roles.
func (r Role) Valid() bool {
	return r >= RoleAgent && r <= RoleAdmin
}

// AtLeast reports whether r grants everything min grants.
func (r Role) AtLeast(min Role) bool {
	return r.Valid() && r >= min
}

// ParseRole parses a role's English name as String returns it, ignoring
// case and surrounding space. "unknown" is rejected because it cannot be
// assigned.
func ParseRole(s string) (Role, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for role, roleName := range roleNames {
		if role.Valid() && roleName == name {
			return role, nil
		}
	}
	return RoleUnknown, fmt.Errorf("parsing role %q: want agent, supervisor or admin", s)
}
