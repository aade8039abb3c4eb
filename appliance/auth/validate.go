package auth

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on account fields.
const (
	MinLoginLen       = 3
	MaxLoginLen       = 32
	MaxDisplayNameLen = 32 // runes
	MinPasswordLen    = 10 // runes
	MaxPasswordLen    = 128
	MaxChatsLimit     = 50
)

// normalizeLogin lower-cases and trims a login name, so "ZhangSan " and
// "zhangsan" name the same account.
func normalizeLogin(login string) string {
	return strings.ToLower(strings.TrimSpace(login))
}

// validateLogin checks a normalized login name.
func validateLogin(login string) error {
	ok := len(login) >= MinLoginLen && len(login) <= MaxLoginLen
	for _, r := range login {
		if !ok {
			break
		}
		ok = r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
	}
	if !ok {
		return inputError("login", fmt.Sprintf("账号须为 %d 至 %d 位，只能使用小写字母、数字和 . _ - 。", MinLoginLen, MaxLoginLen))
	}
	return nil
}

// cleanDisplayName trims a display name and checks it.
func cleanDisplayName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", inputError("display_name", "请填写姓名。")
	case !utf8.ValidString(name):
		return "", inputError("display_name", "姓名含有无效字符。")
	case utf8.RuneCountInString(name) > MaxDisplayNameLen:
		return "", inputError("display_name", fmt.Sprintf("姓名不能超过 %d 个字。", MaxDisplayNameLen))
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", inputError("display_name", "姓名不能含有换行等控制字符。")
	}
	return name, nil
}

// validatePassword checks a new password for the normalized login. field
// names the form field to blame.
func validatePassword(field, password, login string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return inputError(field, "密码含有无效字符。")
	case n < MinPasswordLen:
		return inputError(field, fmt.Sprintf("密码至少需要 %d 个字符。", MinPasswordLen))
	case n > MaxPasswordLen:
		return inputError(field, fmt.Sprintf("密码不能超过 %d 个字符。", MaxPasswordLen))
	}
	return checkStrength(field, password, login)
}

func validateRole(role Role) error {
	if !role.Valid() {
		return inputError("role", "请选择坐席、班长或管理员角色。")
	}
	return nil
}

func validateMaxChats(n int) error {
	if n < 0 || n > MaxChatsLimit {
		return inputError("max_chats", fmt.Sprintf("同时接待人数须在 0 至 %d 之间，0 表示使用系统默认值。", MaxChatsLimit))
	}
	return nil
}
