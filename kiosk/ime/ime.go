// Package ime turns toneless pinyin typed on the kiosk's on-screen
// keyboard into candidate Chinese words and characters. Readings come
// from github.com/mozillazg/go-pinyin's dictionary, limited to the 6,763
// characters of GB 2312, so rare characters do not crowd the short
// candidate row. Words come from an embedded list of the terms citizens
// use in natural-resources matters.
package ime

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/mozillazg/go-pinyin"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// MaxInput is the longest pinyin string Candidates looks at, in letters.
const MaxInput = 64

// Candidate is one choice for the start of the typed pinyin.
type Candidate struct {
	// Text is the word or character to insert.
	Text string `json:"text"`
	// Consumed is the number of leading letters of the input that Text
	// replaces. The keyboard keeps the rest as pinyin.
	Consumed int `json:"consumed"`
}

//go:embed words.txt
var wordList string

// commonChars lists about 400 frequent characters, roughly most frequent
// first. The list was compiled by hand, so its order is an estimate. Its
// characters come first among the characters of one syllable.
//
//go:embed common.txt
var commonChars string

type index struct {
	chars     map[string][]rune // syllable to characters, best first
	words     []word
	syllables map[string]bool
}

type word struct {
	text      string
	syllables []string // toneless
}

// covered returns how many syllables of w input spells out, counting a
// partly typed last one, or 0 when input does not spell the start of w.
func (w word) covered(input string) int {
	n := 0
	for _, s := range w.syllables {
		switch {
		case input == "":
			return n
		case strings.HasPrefix(input, s):
			input = input[len(s):]
			n++
		case strings.HasPrefix(s, input):
			return n + 1
		default:
			return 0
		}
	}
	if input != "" {
		return 0
	}

	return n
}

var (
	loadOnce sync.Once
	loaded   *index
)

func load() *index {
	loadOnce.Do(func() { loaded = build() })
	return loaded
}

func build() *index {
	rank := map[rune]int{}
	for i, r := range []rune(strings.TrimSpace(commonChars)) {
		if _, seen := rank[r]; !seen {
			rank[r] = i
		}
	}

	idx := &index{chars: map[string][]rune{}, syllables: map[string]bool{}}
	args := pinyin.Args{Style: pinyin.Normal, Heteronym: true}
	for code := range pinyin.PinyinDict {
		r := rune(code)
		level := gb2312Level(r)
		if level == 0 {
			continue
		}
		for _, s := range pinyin.SinglePinyin(r, args) {
			idx.chars[s] = append(idx.chars[s], r)
			idx.syllables[s] = true
		}
	}

	for s, chars := range idx.chars {
		slices.SortFunc(chars, func(a, b rune) int { return compareChars(a, b, rank) })
		idx.chars[s] = chars
	}

	for line := range strings.SplitSeq(wordList, "\n") {
		text := strings.TrimSpace(line)
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		idx.words = append(idx.words, word{text: text, syllables: pinyin.LazyConvert(text, nil)})
	}

	return idx
}

// compareChars orders frequent characters first, then GB 2312 level 1
// (the 3,755 common characters) before level 2, then by code point.
func compareChars(a, b rune, rank map[rune]int) int {
	ra, okA := rank[a]
	rb, okB := rank[b]
	switch {
	case okA && okB:
		return ra - rb
	case okA:
		return -1
	case okB:
		return 1
	}

	if la, lb := gb2312Level(a), gb2312Level(b); la != lb {
		return la - lb
	}
	return int(a - b)
}

// gb2312Level returns 1 or 2 for a GB 2312 hanzi and 0 otherwise. In GBK,
// which contains GB 2312 at the same codes, level 1 has lead bytes 0xB0 to
// 0xD7 and level 2 has 0xD8 to 0xF7.
func gb2312Level(r rune) int {
	if !unicode.Is(unicode.Han, r) {
		return 0
	}

	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(string(r)))
	if err != nil || len(b) != 2 || b[1] < 0xA1 || b[1] > 0xFE {
		return 0
	}

	switch {
	case b[0] >= 0xB0 && b[0] <= 0xD7:
		return 1
	case b[0] >= 0xD8 && b[0] <= 0xF7:
		return 2
	default:
		return 0
	}
}

// Candidates returns at most limit choices for input, lower-case ASCII
// pinyin without tones. Words that input spells over two syllables or
// more come first, then characters for the first syllable, then words
// that only start with that syllable. Input longer than MaxInput or with
// other characters yields none.
func Candidates(input string, limit int) []Candidate {
	if input == "" || len(input) > MaxInput || limit <= 0 || !isLetters(input) {
		return nil
	}
	idx := load()

	var long, short []Candidate
	for _, w := range idx.words {
		switch n := w.covered(input); {
		case n >= 2:
			long = append(long, Candidate{Text: w.text, Consumed: len(input)})
		case n == 1 && len(w.syllables) > 0 && strings.HasPrefix(input, w.syllables[0]):
			short = append(short, Candidate{Text: w.text, Consumed: len(input)})
		}
	}

	first := idx.firstSyllable(input)
	var chars []Candidate
	for _, r := range idx.chars[first] {
		chars = append(chars, Candidate{Text: string(r), Consumed: len(first)})
	}

	out := slices.Concat(long, chars, short)
	return out[:min(len(out), limit)]
}

// firstSyllable returns the longest known syllable that starts input, or
// input itself when none does.
func (idx *index) firstSyllable(input string) string {
	for n := min(len(input), 6); n > 0; n-- {
		if idx.syllables[input[:n]] {
			return input[:n]
		}
	}

	return input
}

func isLetters(s string) bool {
	for _, c := range s {
		if c < 'a' || c > 'z' {
			return false
		}
	}

	return true
}
