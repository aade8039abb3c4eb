package conversation

import (
	"unicode"
	"unicode/utf8"
)

// roleDisplayName is the display name auth gives the first administrator.
// It names a role, not a person, so StaffMention replaces it.
const roleDisplayName = "系统管理员"

// StaffMention names a staff member in a system line that citizens read:
// "客服张敏", or 工作人员 when the display name is empty or the first
// administrator's default. Chinese sets no space between Chinese
// characters, but one before a Latin name ("客服 Zhang Min").
func StaffMention(name string) string {
	if name == "" || name == roleDisplayName {
		return "工作人员"
	}
	if r, _ := utf8.DecodeRuneInString(name); isHan(r) {
		return "客服" + name
	}
	return "客服 " + name
}

// StaffLead is StaffMention for a mention that Chinese text follows: a
// space comes after it only when it ends in a Latin letter or digit, so
// that "客服张敏已接入" and "客服 Zhang Min 已接入" both read right.
func StaffLead(name string) string {
	mention := StaffMention(name)
	if r, _ := utf8.DecodeLastRuneInString(mention); isHan(r) {
		return mention
	}
	return mention + " "
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }
