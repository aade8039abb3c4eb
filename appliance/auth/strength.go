package auth

import (
	"strings"
	"unicode"
)

// commonPasswords are weak choices that pass the length rule: keyboard
// walks, digit runs and common words with a digit suffix. The entries are
// picked by hand as an estimate of frequent choices, not taken from a
// ranked list. They are compared lower-cased. The list stays small
// because the class and login rules catch most other weak choices.
var commonPasswords = map[string]bool{
	"admin12345":    true,
	"admin123456":   true,
	"administrator": true,
	"1234567890":    true,
	"12345678910":   true,
	"0123456789":    true,
	"1111111111":    true,
	"123456789a":    true,
	"a123456789":    true,
	"abc1234567":    true,
	"abcd123456":    true,
	"abc123456789":  true,
	"1234567890a":   true,
	"1234qwer!@#$":  true,
	"1qaz2wsx3edc":  true,
	"1q2w3e4r5t":    true,
	"q1w2e3r4t5":    true,
	"qwertyuiop":    true,
	"qwerty12345":   true,
	"qwerty123456":  true,
	"zxcvbnm123":    true,
	"password12":    true,
	"password123":   true,
	"password1234":  true,
	"passw0rd123":   true,
	"p@ssw0rd123":   true,
	"p@ssword123":   true,
	"welcome123":    true,
	"welcome1234":   true,
	"iloveyou123":   true,
	"woaini1314":    true,
	"woaini123456":  true,
	"5201314520":    true,
	"aa123456789":   true,
	"qq123456789":   true,
	"root123456":    true,
	"test123456":    true,
	"changeme123":   true,
	"letmein123":    true,
}

// Character classes of the strength rule.
const (
	classLower = 1 << iota
	classUpper
	classDigit
	classOther
)

// characterClasses returns the set of classes password uses. Letters
// without case, such as Chinese characters, count as "other" together
// with symbols and spaces.
func characterClasses(password string) int {
	classes := 0
	for _, r := range password {
		switch {
		case unicode.IsLower(r):
			classes |= classLower
		case unicode.IsUpper(r):
			classes |= classUpper
		case unicode.IsDigit(r):
			classes |= classDigit
		default:
			classes |= classOther
		}
	}
	return classes
}

// checkStrength rejects a password that is easy to guess: one drawn from
// a single character class, one containing the normalized login, or one
// on the common list. Length and encoding are checked before it.
func checkStrength(field, password, login string) error {
	lower := strings.ToLower(password)
	switch {
	case commonPasswords[lower]:
		return inputError(field, "该密码过于常见，容易被猜中，请换一个。")
	case login != "" && strings.Contains(lower, login):
		return inputError(field, "密码不能包含账号，请换一个。")
	}

	classes := characterClasses(password)
	if classes&(classes-1) == 0 {
		return inputError(field, "密码须至少包含小写字母、大写字母、数字、符号中的两类，请换一个。")
	}
	return nil
}
