package bot

import (
	"strings"
	"sync"
	"unicode"

	"github.com/longbridgeapp/opencc"
	"golang.org/x/text/width"
)

// boundary separates the runs of kept characters in normalised text. No
// n-gram, lexicon match or spelling correction spans it.
const boundary = ' '

var (
	t2sOnce sync.Once
	t2s     *opencc.OpenCC
	t2sErr  error
)

// converter returns the shared traditional-to-simplified converter. It is
// built on first use because loading its dictionaries costs time that
// programs not using the engine should not pay.
func converter() (*opencc.OpenCC, error) {
	t2sOnce.Do(func() {
		t2s, t2sErr = opencc.New("t2s")
	})
	return t2s, t2sErr
}

// normalizer folds a string to the form that both the knowledge base and the
// questions are matched in.
type normalizer struct {
	cc *opencc.OpenCC
}

func newNormalizer() (*normalizer, error) {
	cc, err := converter()
	if err != nil {
		return nil, err
	}
	return &normalizer{cc: cc}, nil
}

// normalize folds full-width forms to half-width, converts traditional
// Chinese to simplified, lowercases letters and keeps only letters and
// digits. Each run of other characters (spaces, punctuation, emoji) becomes
// one boundary, and the result has no boundary at either end.
func (n *normalizer) normalize(s string) string {
	s = width.Fold.String(s)
	if hasNonASCII(s) {
		// Convert returns an error only when a dictionary lookup fails
		// (opencc v0.3.13). The folded text is then kept unconverted,
		// which costs matching of traditional characters only.
		if converted, err := n.cc.Convert(s); err == nil {
			s = converted
		}
	}

	var b strings.Builder
	b.Grow(len(s))
	pending := false
	for _, r := range s {
		if !isKept(r) {
			pending = b.Len() > 0
			continue
		}
		if pending {
			b.WriteRune(boundary)
			pending = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// isKept reports whether r carries meaning for matching: letters of any
// script, including Chinese characters, and digits. Emoji, punctuation,
// symbols, marks and spaces do not.
func isKept(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func hasNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}

// isHan reports whether r is a Chinese character.
func isHan(r rune) bool {
	return unicode.Is(unicode.Han, r)
}
