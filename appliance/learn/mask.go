package learn

import (
	"regexp"
	"strings"

	"golang.org/x/text/width"
)

// Personal data in a citizen's question is masked before the question is
// stored as a proposal or shown in a cluster, because administrators read
// both. An approved phrasing is also copied into the knowledge base, its
// exports and the bot's training data. A number cannot help a phrasing
// match later questions, so masking loses nothing useful.
//
// NOTE: only numbers and e-mail addresses are found. Names, addresses and
// numbers written in Chinese numerals (一三八…) pass unmasked.

// Placeholders that replace personal data.
const (
	maskIDNumber = "[身份证号]"
	maskPhone    = "[手机号]"
	maskNumber   = "[号码]"
	maskEmail    = "[邮箱]"
)

// minMaskedDigits is the shortest digit run taken for personal data. Years
// (2024) and small counts stay, while phone, ID, certificate, case and
// bank-card numbers, which have at least six digits, are masked.
const minMaskedDigits = 6

var (
	// digitRun matches digits with single spaces or hyphens between them,
	// as people type "138 1234 5678", and a final X of an ID number.
	digitRun = regexp.MustCompile(`[0-9](?:[ -]?[0-9])*(?:[ -]?[xX])?`)
	email    = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
)

// maskPersonal replaces ID numbers, phone numbers, other long numbers and
// e-mail addresses in text with placeholders. Full-width digits and
// letters are folded first, so they cannot slip past.
func maskPersonal(text string) string {
	text = foldDigits(text)
	text = email.ReplaceAllString(text, maskEmail)
	return digitRun.ReplaceAllStringFunc(text, func(run string) string {
		digits := strings.Map(func(r rune) rune {
			if r == ' ' || r == '-' {
				return -1
			}
			return r
		}, run)
		if len(digits) < minMaskedDigits {
			return run
		}
		switch {
		case len(digits) == 18 || len(digits) == 15:
			return maskIDNumber
		case len(digits) == 11 && digits[0] == '1':
			return maskPhone
		}
		return maskNumber
	})
}

// foldDigits turns the full-width forms of digits, letters and the
// e-mail punctuation (０-９, Ｘ, ＠, －) into ASCII and leaves every other
// character, so full-width Chinese punctuation keeps its form.
func foldDigits(text string) string {
	return strings.Map(func(r rune) rune {
		if r < '！' || r > '～' {
			return r
		}
		folded := []rune(width.Narrow.String(string(r)))
		if len(folded) == 1 && isMaskedASCII(folded[0]) {
			return folded[0]
		}
		return r
	}, text)
}

// isMaskedASCII reports whether r can be part of a number or e-mail
// address that maskPersonal finds.
func isMaskedASCII(r rune) bool {
	switch {
	case r >= '0' && r <= '9', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		return true
	}
	return strings.ContainsRune("@-._%+", r)
}
