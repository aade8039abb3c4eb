package bot

import (
	"strings"

	"github.com/mozillazg/go-pinyin"
)

// maxReadings bounds how many pinyin readings of one character count. The
// dictionary lists rare and archaic readings after the common one (厂:
// chang, han, yan, an; 找: zhao, hua; 才: cai, zai), and a second reading
// let 找测绘公司 become 划测绘公司. A typo made with a pinyin input method
// comes from the reading the citizen meant, which is nearly always the
// first.
const maxReadings = 1

// speller corrects homophone typos made with a pinyin input method. It
// replaces a character of an unknown bigram when the bigram sounds like a
// target bigram that shares its other character: 登计 becomes 登记, 低押
// becomes 抵押 and 不动厂 becomes 不动产.
//
// Known bigrams, which are never corrected, come from all text the engine
// is built from. Targets come only from lexicon terms and from bigrams that several
// phrasings share, because a bigram seen once is often two words side by
// side, and correcting towards it turns everyday words into noise.
type speller struct {
	known   map[string]bool
	targets map[string]int      // target bigram to its count of sources
	sounds  map[string][]string // fuzzy pinyin key to target bigrams
	words   map[string][]string // exact pinyin key to two-character lexicon terms

	// charPhrasings counts the phrasings each character occurs in, out of
	// phrasings, so that a character most phrasings use is never taken
	// for a typo (see commonCharShare).
	charPhrasings map[rune]int
	phrasings     int
}

// numeralChars are Chinese numerals. A pair with one is an amount (十几万,
// 三年) whatever it sounds like, so it is never corrected: 花十几万 must
// not become 化石几万.
var numeralChars = func() map[rune]bool {
	m := make(map[rune]bool)
	for _, r := range "〇零一二三四五六七八九十百千万亿两几半" {
		m[r] = true
	}
	return m
}()

// commonCharShare is the share of a knowledge base's phrasings above which
// a character counts as one of its own common characters. A citizen who
// types 证 or 房 meant it: a homophone slip gives a character the field
// rarely uses, so 证出来了 must not become 争出来了 only because 竞争出让 is a
// lexicon phrase.
const commonCharShare = 0.05

// exactSoundBonus ranks a correction whose characters share a toneless
// reading above every correction that only matches after dialect folding.
const exactSoundBonus = 1 << 20

// minTargetCount is how many phrasings must share a knowledge-base bigram
// for it to become a correction target.
const minTargetCount = 2

func newSpeller() *speller {
	return &speller{
		known:         make(map[string]bool),
		targets:       make(map[string]int),
		sounds:        make(map[string][]string),
		words:         make(map[string][]string),
		charPhrasings: make(map[rune]int),
	}
}

// learnWord adds a two-character lexicon term that a pair of wrong
// characters with exactly its sound may stand for, as 划破 stands for 滑坡.
func (sp *speller) learnWord(term string) {
	r := []rune(term)
	if len(r) != 2 || !isHan(r[0]) || !isHan(r[1]) {
		return
	}
	for _, key := range exactKeys(r[0], r[1]) {
		if !contains(sp.words[key], term) {
			sp.words[key] = append(sp.words[key], term)
		}
	}
}

// learnKnown adds the bigrams of normalised text to the known bigrams.
func (sp *speller) learnKnown(text string) {
	forEachHanBigram(text, func(a, b rune) {
		sp.known[string([]rune{a, b})] = true
	})
}

// learnTarget adds the bigrams of normalised text to the known bigrams and
// counts them as sources of targets. weight is minTargetCount for a
// lexicon term, which is a target at once, and 1 for a phrasing.
func (sp *speller) learnTarget(text string, weight int) {
	if weight == 1 {
		sp.countCharacters(text)
	}
	seen := make(map[string]bool)
	forEachHanBigram(text, func(a, b rune) {
		bigram := string([]rune{a, b})
		sp.known[bigram] = true
		if seen[bigram] || stopChars[a] || stopChars[b] {
			return
		}
		seen[bigram] = true
		before := sp.targets[bigram]
		sp.targets[bigram] += weight
		if before < minTargetCount && sp.targets[bigram] >= minTargetCount {
			for _, key := range soundKeys(a, b) {
				sp.sounds[key] = append(sp.sounds[key], bigram)
			}
		}
	})
}

func (sp *speller) countCharacters(phrasing string) {
	sp.phrasings++
	seen := make(map[rune]bool)
	for _, r := range phrasing {
		if isHan(r) && !seen[r] {
			seen[r] = true
			sp.charPhrasings[r]++
		}
	}
}

// isCommon reports whether r occurs in more than commonCharShare of the
// knowledge base's phrasings.
func (sp *speller) isCommon(r rune) bool {
	return sp.phrasings > 0 && float64(sp.charPhrasings[r]) > commonCharShare*float64(sp.phrasings)
}

func forEachHanBigram(text string, fn func(a, b rune)) {
	for _, chunk := range strings.Split(text, string(boundary)) {
		runes := []rune(chunk)
		for i := 0; i+1 < len(runes); i++ {
			if isHan(runes[i]) && isHan(runes[i+1]) {
				fn(runes[i], runes[i+1])
			}
		}
	}
}

// correct returns normalised text with homophone typos replaced. A
// character is replaced only when both bigrams it is part of are unknown,
// so a correct word next to an unusual neighbour stays as it is. A pair
// with a grammatical character such as 的 or 么 is never corrected, because
// such pairs are too varied to judge.
func (sp *speller) correct(text string) string {
	if len(sp.sounds) == 0 {
		return text
	}
	chunks := strings.Split(text, string(boundary))
	changed := false
	for c, chunk := range chunks {
		runes := []rune(chunk)
		if sp.correctRunes(runes) {
			chunks[c] = string(runes)
			changed = true
		}
	}
	if !changed {
		return text
	}
	return strings.Join(chunks, string(boundary))
}

// NOTE: the speller knows only the words of the lexicon and the knowledge
// base, so an everyday word missing from both can still be taken for a
// typo when it sounds like a word of the field (资料差一样 becomes
// 资料查一样).
func (sp *speller) correctRunes(runes []rune) bool {
	changed := false
	for i := 0; i+1 < len(runes); i++ {
		a, b := runes[i], runes[i+1]
		if !isHan(a) || !isHan(b) || stopChars[a] || stopChars[b] || numeralChars[a] || numeralChars[b] || sp.isKnown(a, b) {
			continue
		}

		leftFree := i == 0 || !sp.isKnown(runes[i-1], a)
		rightFree := i+2 >= len(runes) || !sp.isKnown(b, runes[i+2])
		best, bestRank := "", 0
		for _, key := range soundKeys(a, b) {
			for _, cand := range sp.sounds[key] {
				c := []rune(cand)
				var typed, meant rune
				switch {
				case c[0] == a && rightFree && sp.fitsNeighbour(c[1], runes, i+2, false):
					typed, meant = b, c[1]
				case c[1] == b && leftFree && sp.fitsNeighbour(c[0], runes, i-1, true):
					typed, meant = a, c[0]
				default:
					continue
				}
				if sp.isCommon(typed) {
					continue
				}
				// A character that sounds exactly the same is the likelier
				// slip than one that sounds alike only in dialect.
				rank := sp.targets[cand]
				if sameReading(typed, meant) {
					rank += exactSoundBonus
				}
				if rank > bestRank {
					best, bestRank = cand, rank
				}
			}
		}
		if best == "" && sp.wholeWordFree(runes, i) {
			best = sp.wholeWord(a, b)
		}
		if best != "" {
			c := []rune(best)
			runes[i], runes[i+1] = c[0], c[1]
			changed = true
		}
	}
	return changed
}

// wholeWordFree reports whether neither neighbour of the pair at i forms a
// known pair with it. A known pair with a grammatical character, such as
// 破了, is no evidence that 破 was meant, so it does not count.
func (sp *speller) wholeWordFree(runes []rune, i int) bool {
	left := i == 0 || stopChars[runes[i-1]] || !sp.isKnown(runes[i-1], runes[i])
	right := i+2 >= len(runes) || stopChars[runes[i+2]] || !sp.isKnown(runes[i+1], runes[i+2])
	return left && right
}

// wholeWord returns the one lexicon term that sounds exactly like the pair
// a, b, or "" when there is none or more than one. Replacing both
// characters of a pair is a bigger step than replacing one, so it needs an
// exact sound and a single candidate.
func (sp *speller) wholeWord(a, b rune) string {
	found := ""
	for _, key := range exactKeys(a, b) {
		for _, w := range sp.words[key] {
			if found != "" && found != w {
				return ""
			}
			found = w
		}
	}
	return found
}

// exactKeys returns the toneless pinyin keys of a character pair without
// dialect folding, from each character's first reading only. Replacing
// both characters of a pair is the boldest correction, and second
// readings are often archaic (才 also reads zai), which would turn 底才
// into 地灾.
func exactKeys(a, b rune) []string {
	ra := readingsOf(a)
	rb := readingsOf(b)
	if len(ra) == 0 || len(rb) == 0 {
		return nil
	}
	return []string{ra[0] + "-" + rb[0]}
}

// fitsNeighbour reports whether a replacement character r reads well with
// the character at position j on its left (before) or right: the pair is
// known, the neighbour is grammatical, or there is none. This keeps a pair
// such as 资料 from pulling 差一样 to 查一样 only because 资料查询 exists.
func (sp *speller) fitsNeighbour(r rune, runes []rune, j int, before bool) bool {
	if j < 0 || j >= len(runes) || !isHan(runes[j]) || stopChars[runes[j]] {
		return true
	}
	if before {
		return sp.known[string([]rune{runes[j], r})]
	}
	return sp.known[string([]rune{r, runes[j]})]
}

func (sp *speller) isKnown(a, b rune) bool {
	if !isHan(a) || !isHan(b) {
		return true
	}
	return sp.known[string([]rune{a, b})]
}

var pinyinArgs = func() pinyin.Args {
	a := pinyin.NewArgs()
	a.Heteronym = true
	return a
}()

// soundKeys returns the fuzzy pinyin keys of a character pair, one for each
// combination of the characters' common readings.
func soundKeys(a, b rune) []string {
	ra, rb := fuzzyReadings(a), fuzzyReadings(b)
	keys := make([]string, 0, len(ra)*len(rb))
	for _, x := range ra {
		for _, y := range rb {
			keys = append(keys, x+"-"+y)
		}
	}
	return keys
}

// fuzzyReadings returns the toneless readings of r folded the way speakers
// of Hunan and other southern dialects confuse them.
func fuzzyReadings(r rune) []string {
	readings := readingsOf(r)
	if len(readings) > maxReadings {
		readings = readings[:maxReadings]
	}
	out := make([]string, 0, len(readings))
	for _, p := range readings {
		f := foldPinyin(p)
		if !contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// foldPinyin merges the sounds commonly confused in southern Mandarin:
// retroflex and flat initials (zh/z, ch/c, sh/s), n and l, hu and fu, and
// front and back nasal finals (an/ang, en/eng, in/ing).
func foldPinyin(p string) string {
	switch {
	case strings.HasPrefix(p, "zh"), strings.HasPrefix(p, "ch"), strings.HasPrefix(p, "sh"):
		p = p[:1] + p[2:]
	case strings.HasPrefix(p, "n") && len(p) > 1:
		p = "l" + p[1:]
	case strings.HasPrefix(p, "hu"):
		p = "f" + p[1:]
	}
	if strings.HasSuffix(p, "ng") && !strings.HasSuffix(p, "ong") {
		p = p[:len(p)-1]
	}
	return p
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// sameReading reports whether two characters share a common toneless
// reading before dialect folding.
func sameReading(x, y rune) bool {
	rx := readingsOf(x)
	ry := readingsOf(y)
	for _, p := range rx[:min(len(rx), maxReadings)] {
		if contains(ry[:min(len(ry), maxReadings)], p) {
			return true
		}
	}
	return false
}
