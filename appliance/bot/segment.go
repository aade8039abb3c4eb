package bot

import (
	"sort"
	"unicode/utf8"
)

// pieceKind classifies a piece of a segmented question.
type pieceKind int

const (
	pieceText     pieceKind = iota // characters the lexicon does not know
	pieceTerm                      // a canonical term of the lexicon
	pieceAskType                   // a phrase of an ask type
	pieceOffTopic                  // a term of a matter the service does not handle
	pieceBreak                     // a boundary or a removed filler
)

// piece is one step of a segmented question. text is the characters for
// pieceText, the term for pieceTerm and pieceOffTopic and the ask type for
// pieceAskType.
type piece struct {
	kind pieceKind
	text string
	raw  string // the characters matched, for pieceTerm
}

// segmenter splits normalised text into lexicon pieces by leftmost-longest
// matching.
type segmenter struct {
	entries map[string]lexiconEntry
	lengths []int // distinct phrase lengths in runes, longest first
}

func newSegmenter(lx *lexicon) *segmenter {
	seen := make(map[int]bool)
	var lengths []int
	for p := range lx.entries {
		n := utf8.RuneCountInString(p)
		if !seen[n] {
			seen[n] = true
			lengths = append(lengths, n)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(lengths)))
	return &segmenter{entries: lx.entries, lengths: lengths}
}

// segment returns the pieces of normalised text s. Unknown characters are
// gathered into pieceText runs. Boundaries and fillers become pieceBreak,
// and consecutive breaks collapse into one.
func (sg *segmenter) segment(s string) []piece {
	offsets := runeOffsets(s)
	n := len(offsets) - 1
	var out []piece
	textStart := -1

	flush := func(end int) {
		if textStart >= 0 {
			out = append(out, piece{kind: pieceText, text: s[offsets[textStart]:offsets[end]]})
			textStart = -1
		}
	}

	for i := 0; i < n; {
		if s[offsets[i]] == boundary {
			flush(i)
			out = appendBreak(out)
			i++
			continue
		}

		length, e, ok := sg.longestMatch(s, offsets, i)
		if !ok {
			if textStart < 0 {
				textStart = i
			}
			i++
			continue
		}

		flush(i)
		switch e.kind {
		case kindSynonym, kindTerm:
			out = append(out, piece{kind: pieceTerm, text: e.target, raw: s[offsets[i]:offsets[i+length]]})
		case kindAskType:
			out = append(out, piece{kind: pieceAskType, text: e.target})
		case kindOffTopic:
			out = append(out, piece{kind: pieceOffTopic, text: e.target})
		case kindFiller:
			out = appendBreak(out)
		}
		i += length
	}
	flush(n)
	return out
}

// longestMatch returns the longest lexicon phrase that starts at rune i and
// ends before the next boundary. A phrase never starts or ends inside a
// run of ASCII letters and digits, so car is not found in card, nor 12 in
// 12336.
func (sg *segmenter) longestMatch(s string, offsets []int, i int) (int, lexiconEntry, bool) {
	n := len(offsets) - 1
	if i > 0 && splitsASCIIWord(s, offsets, i) {
		return 0, lexiconEntry{}, false
	}
	for _, length := range sg.lengths {
		if i+length > n {
			continue
		}
		if i+length < n && splitsASCIIWord(s, offsets, i+length) {
			continue
		}
		phrase := s[offsets[i]:offsets[i+length]]
		if e, ok := sg.entries[phrase]; ok {
			return length, e, true
		}
	}
	return 0, lexiconEntry{}, false
}

// splitsASCIIWord reports whether the boundary before rune j falls between
// two ASCII letters or digits.
func splitsASCIIWord(s string, offsets []int, j int) bool {
	return isASCIIAlnum(rune(s[offsets[j]-1])) && isASCIIAlnum(rune(s[offsets[j]]))
}

func appendBreak(out []piece) []piece {
	if len(out) == 0 || out[len(out)-1].kind == pieceBreak {
		return out
	}
	return append(out, piece{kind: pieceBreak})
}

// runeOffsets returns the byte offset of every rune of s followed by len(s).
func runeOffsets(s string) []int {
	offsets := make([]int, 0, len(s)+1)
	for i := range s {
		offsets = append(offsets, i)
	}
	return append(offsets, len(s))
}
