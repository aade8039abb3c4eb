package kb

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// listSeparators split similar phrasings and materials inside one cell. The
// full-width bar is accepted because Chinese input methods type it in place
// of the ASCII one.
const listSeparators = "|｜"

const invalidUTF8Hint = "含有无效的 UTF-8 字符（文件可能是 GBK 等其他编码，请另存为 UTF-8）"

func checkID(id string) string {
	switch {
	case !utf8.ValidString(id):
		return "编号" + invalidUTF8Hint
	case strings.TrimSpace(id) == "":
		return "编号为空"
	case utf8.RuneCountInString(id) > MaxIDLen:
		return fmt.Sprintf("编号超过 %d 个字符", MaxIDLen)
	case strings.ContainsAny(id, listSeparators) || strings.IndexFunc(id, unicode.IsSpace) >= 0:
		return fmt.Sprintf("编号 %q 含有空白或竖线", id)
	case strings.IndexFunc(id, unicode.IsControl) >= 0:
		return fmt.Sprintf("编号 %q 含有控制字符", id)
	}
	return ""
}

// checkText checks one text field. Only multiline fields (the answer) may
// contain line breaks and tabs.
func checkText(s, label string, maxLen int, required, multiline bool) string {
	switch {
	case !utf8.ValidString(s):
		return label + invalidUTF8Hint
	case required && strings.TrimSpace(s) == "":
		return label + "为空"
	case utf8.RuneCountInString(s) > maxLen:
		return fmt.Sprintf("%s超过 %d 个字符", label, maxLen)
	case strings.IndexFunc(s, disallowedControl(multiline)) >= 0:
		if multiline {
			return label + "含有控制字符"
		}
		return label + "含有换行符或控制字符，请写在一行内"
	}
	return ""
}

// checkList checks a similar-phrasing or materials list. An item may not
// contain a separator, because the CSV and XLSX cell would split it in two.
func checkList(items []string, label string, maxItems, maxLen int) string {
	if len(items) > maxItems {
		return fmt.Sprintf("%s超过 %d 条", label, maxItems)
	}
	for _, item := range items {
		switch {
		case !utf8.ValidString(item):
			return label + invalidUTF8Hint
		case strings.TrimSpace(item) == "":
			return label + "含有空白项"
		case utf8.RuneCountInString(item) > maxLen:
			return fmt.Sprintf("%s %q 超过 %d 个字符", label, clip(item), maxLen)
		case strings.ContainsAny(item, listSeparators):
			return fmt.Sprintf("%s %q 含有竖线，竖线只用于分隔多条内容", label, clip(item))
		case strings.IndexFunc(item, disallowedControl(false)) >= 0:
			return fmt.Sprintf("%s %q 含有换行符或控制字符", label, clip(item))
		}
	}
	return ""
}

func disallowedControl(multiline bool) func(rune) bool {
	return func(r rune) bool {
		if multiline && (r == '\n' || r == '\t') {
			return false
		}
		return unicode.IsControl(r)
	}
}

// clip shortens s for quoting in a message.
func clip(s string) string {
	const keep = 20
	if utf8.RuneCountInString(s) <= keep {
		return s
	}
	return string([]rune(s)[:keep]) + "…"
}
