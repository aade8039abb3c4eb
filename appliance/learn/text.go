package learn

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// phrasingKey folds text for duplicate checks: full-width forms to
// half-width, letters to lower case, and everything but letters and
// digits dropped, so 「二手房 过户？」 and 「二手房过户」 compare equal.
func phrasingKey(text string) string {
	folded := width.Fold.String(text)
	var b strings.Builder
	for _, r := range folded {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
