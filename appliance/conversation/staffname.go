package conversation

// roleDisplayName is the display name auth gives the first administrator.
// It names a role, not a person, so StaffMention replaces it.
const roleDisplayName = "系统管理员"

// StaffMention names a staff member in a system line that citizens read:
// "客服 张敏", or 工作人员 when the display name is empty or the first
// administrator's default.
func StaffMention(name string) string {
	if name == "" || name == roleDisplayName {
		return "工作人员"
	}
	return "客服 " + name
}
