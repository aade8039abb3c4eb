package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// featureKind is the source of a feature. Each kind has its own weight
// because a whole lexicon term carries more evidence than a character
// pair, and a pair more than one character.
type featureKind uint8

const (
	featUnigram  featureKind = iota // one character or one run of ASCII letters and digits
	featBigram                      // two adjacent units
	featTerm                        // a canonical lexicon term
	featAskType                     // an ask type the text names
	featOffTopic                    // an off-topic term, never in a vocabulary
	numFeatureKinds
)

// feature is one weighted property of a text, such as "u:矿" or "t:抵押注销".
type feature struct {
	key  string
	kind featureKind
}

// analysis is the reading of one text: the features of its matter, the ask
// types it mentions and the off-topic terms it names.
type analysis struct {
	features  []feature
	askTypes  []string
	offTopics []string
}

// stopChars are grammatical and generic characters that mean nothing
// alone. They give no unigram feature and the speller never corrects a
// pair that has one, but they still take part in bigrams, where 什么 or
// 可以 may belong to a phrase.
var stopChars = func() map[rune]bool {
	m := make(map[rune]bool)
	for _, r := range "的了吗么呢是在有我你他她它们这那个和与及或也都就还又把被给对从到去来为啥咋怎什如何哪些吧啊呀嘛哦可以能会要想该得请问需办理" {
		m[r] = true
	}
	return m
}()

// analyze turns segmented pieces into features. Units are characters, runs
// of ASCII letters and digits, and the characters of canonical terms, and
// a bigram joins two adjacent units of the same run. The characters of a
// variant that a synonym rewrote make a run of their own. An ask-type phrase
// adds one ask-type feature and ends the run, so its words never count
// towards the matter. An off-topic term does the same with its own
// feature, and a break only ends the run.
func analyze(pieces []piece) analysis {
	var a analysis
	seen := make(map[string]bool)
	add := func(key string, kind featureKind) {
		if !seen[key] {
			seen[key] = true
			a.features = append(a.features, feature{key: key, kind: kind})
		}
	}

	prev := ""
	for _, p := range pieces {
		switch p.kind {
		case pieceAskType:
			if !containsString(a.askTypes, p.text) {
				a.askTypes = append(a.askTypes, p.text)
				add("a:"+p.text, featAskType)
			}
			prev = ""
			continue
		case pieceBreak:
			prev = ""
			continue
		case pieceTerm:
			add("t:"+p.text, featTerm)
		case pieceOffTopic:
			// An off-topic term counts against entries that lack it and
			// never towards entries that have it: its one feature stays out
			// of every vocabulary, so it only adds to a question's norm.
			if !containsString(a.offTopics, p.text) {
				a.offTopics = append(a.offTopics, p.text)
				add("o:"+p.text, featOffTopic)
			}
			prev = ""
			continue
		}
		if p.kind == pieceTerm && p.raw != p.text {
			addVariantUnits(p.raw, add)
		}
		for _, u := range units(p.text) {
			if !isStopUnit(u) {
				add("u:"+u, featUnigram)
			}
			if prev != "" {
				add("b:"+prev+u, featBigram)
			}
			prev = u
		}
	}
	return a
}

// units splits text into characters, keeping each run of ASCII letters and
// digits whole so that 12336 or gis is one unit.
func units(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isASCIIAlnum(r) {
			out = append(out, s[i:i+size])
			i += size
			continue
		}
		j := i
		for j < len(s) && isASCIIAlnum(rune(s[j])) {
			j++
		}
		out = append(out, s[i:j])
		i = j
	}
	return out
}

func isASCIIAlnum(r rune) bool {
	return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

func isStopUnit(u string) bool {
	r, size := utf8.DecodeRuneInString(u)
	return size == len(u) && stopChars[r]
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// joinPieces joins the pieces back into normalised text, which the
// candidate index and the n-gram ranker read. Ask types and breaks become
// spaces.
func joinPieces(pieces []piece) string {
	var b strings.Builder
	for _, p := range pieces {
		switch p.kind {
		case pieceText, pieceTerm, pieceOffTopic:
			b.WriteString(p.text)
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// addVariantUnits adds the units and bigrams of the variant a synonym
// rewrote, as one run of their own. The canonical term makes all variants
// alike; the variant's own characters add that the question uses the very
// words of a phrasing, which the rewrite would otherwise hide.
func addVariantUnits(variant string, add func(string, featureKind)) {
	prev := ""
	for _, u := range units(variant) {
		if !isStopUnit(u) {
			add("u:"+u, featUnigram)
		}
		if prev != "" {
			add("b:"+prev+u, featBigram)
		}
		prev = u
	}
}
