package bot

import (
	"math"
	"strings"
)

// maxSyllableLen is the length in letters of the longest pinyin syllable
// (zhuang, shuang).
const maxSyllableLen = 6

// pinyinInput turns questions typed in toneless pinyin, such as
// "ershoufang guohu", into Chinese characters. It works like a small input
// method whose dictionary is the engine's own text: each syllable may
// become any known character with that reading, and the sequence with the
// most frequent character pairs wins.
type pinyinInput struct {
	chars   map[string][]reading // syllable to the known characters read so
	unigram map[rune]int
	bigram  map[[2]rune]int
	total   int
}

// reading is one character that a syllable may stand for. rank is the
// place of the syllable among the character's readings, 0 for the common
// one.
type reading struct {
	char rune
	rank int
}

// secondReadingCost is the log-probability cost of taking a character by a
// reading other than its first, which keeps "guo" from becoming 划 only
// because 规划 makes 划 frequent.
const secondReadingCost = 4.0

func newPinyinInput() *pinyinInput {
	return &pinyinInput{
		chars:   make(map[string][]reading),
		unigram: make(map[rune]int),
		bigram:  make(map[[2]rune]int),
	}
}

// learn counts the characters and character pairs of normalised text.
func (pi *pinyinInput) learn(text string) {
	for _, chunk := range strings.Split(text, string(boundary)) {
		var prev rune
		for _, r := range chunk {
			if !isHan(r) {
				prev = 0
				continue
			}
			if pi.unigram[r] == 0 {
				pi.addChar(r)
			}
			pi.unigram[r]++
			pi.total++
			if prev != 0 {
				pi.bigram[[2]rune{prev, r}]++
			}
			prev = r
		}
	}
}

func (pi *pinyinInput) addChar(r rune) {
	readings := readingsOf(r)
	if len(readings) > maxReadings {
		readings = readings[:maxReadings]
	}
	for rank, p := range readings {
		pi.chars[p] = append(pi.chars[p], reading{char: r, rank: rank})
	}
}

// convert replaces every run of ASCII letters in normalised text that
// splits wholly into pinyin syllables. Neighbouring chunks typed wholly in
// pinyin ("bu ban") are decoded as one sequence, because the characters of
// one word depend on each other, and joined without the space. Nothing
// converts unless some run has more than one syllable, so a lone English
// word such as "an" stays as typed.
func (pi *pinyinInput) convert(text string) string {
	if pi.total == 0 || !hasASCIILetter(text) || pi.isEnglish(text) {
		return text
	}
	chunks := strings.Split(text, string(boundary))
	syllables := make([][]string, len(chunks)) // non-nil for chunks wholly in pinyin
	multi := false
	for c, chunk := range chunks {
		if isLetters(chunk) {
			syllables[c] = pi.split(chunk)
		}
		multi = multi || len(syllables[c]) > 1 || len(pi.runSyllables(chunk)) > 1
	}
	if !multi {
		return text
	}

	var b strings.Builder
	for c := 0; c < len(chunks); {
		if c > 0 {
			b.WriteRune(boundary)
		}
		if syllables[c] == nil {
			out, _, _ := pi.convertChunk(chunks[c])
			b.WriteString(out)
			c++
			continue
		}
		var seq []string
		for ; c < len(chunks) && syllables[c] != nil; c++ {
			seq = append(seq, syllables[c]...)
		}
		b.WriteString(pi.decode(seq))
	}
	return b.String()
}

// isEnglish reports whether text, with no Chinese character in it, has a
// word of two or more letters that is not pinyin. Such a question is
// English, and its words that happen to split into syllables (name, man,
// hang) are English too: "add my wife's name" must not turn name into 哪么.
func (pi *pinyinInput) isEnglish(text string) bool {
	for _, r := range text {
		if isHan(r) {
			return false
		}
	}
	for i := 0; i < len(text); {
		if !isASCIILetterByte(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && isASCIILetterByte(text[j]) {
			j++
		}
		if j-i >= 2 && pi.split(text[i:j]) == nil {
			return true
		}
		i = j
	}
	return false
}

// runSyllables returns the syllables of the longest letter run of a chunk.
func (pi *pinyinInput) runSyllables(chunk string) []string {
	var best []string
	for i := 0; i < len(chunk); {
		if !isASCIILetterByte(chunk[i]) {
			i++
			continue
		}
		j := i
		for j < len(chunk) && isASCIILetterByte(chunk[j]) {
			j++
		}
		if sy := pi.split(chunk[i:j]); len(sy) > len(best) {
			best = sy
		}
		i = j
	}
	return best
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isASCIILetterByte(s[i]) {
			return false
		}
	}
	return s != ""
}

// convertChunk converts the letter runs of a chunk that mixes pinyin with
// other characters. single reports that the chunk holds only one syllable,
// and ok that any run converted.
func (pi *pinyinInput) convertChunk(chunk string) (out string, single, ok bool) {
	var b strings.Builder
	syllables := 0
	for i := 0; i < len(chunk); {
		if !isASCIILetterByte(chunk[i]) {
			b.WriteByte(chunk[i])
			i++
			continue
		}
		j := i
		for j < len(chunk) && isASCIILetterByte(chunk[j]) {
			j++
		}
		run := chunk[i:j]
		if sy := pi.split(run); sy != nil {
			b.WriteString(pi.decode(sy))
			syllables += len(sy)
			ok = true
		} else {
			b.WriteString(run)
		}
		i = j
	}
	return b.String(), syllables == 1, ok
}

// split divides a run of letters into known syllables, as few as possible,
// or returns nil when it cannot.
func (pi *pinyinInput) split(run string) []string {
	n := len(run)
	best := make([]int, n+1) // minimum number of syllables covering run[:i]
	from := make([]int, n+1)
	for i := 1; i <= n; i++ {
		best[i] = math.MaxInt
		for l := 1; l <= maxSyllableLen && l <= i; l++ {
			if best[i-l] == math.MaxInt || len(pi.chars[run[i-l:i]]) == 0 {
				continue
			}
			if best[i-l]+1 < best[i] {
				best[i], from[i] = best[i-l]+1, i-l
			}
		}
	}
	if best[n] == math.MaxInt {
		return nil
	}
	var out []string
	for i := n; i > 0; i = from[i] {
		out = append(out, run[from[i]:i])
	}
	for l, r := 0, len(out)-1; l < r; l, r = l+1, r-1 {
		out[l], out[r] = out[r], out[l]
	}
	return out
}

// decode picks the most likely characters for a syllable sequence with the
// Viterbi algorithm over add-one smoothed character-pair counts.
func (pi *pinyinInput) decode(syllables []string) string {
	type state struct {
		char  rune
		score float64
		back  int
	}
	var layers [][]state
	for i, sy := range syllables {
		var layer []state
		for _, rd := range pi.chars[sy] {
			r := rd.char
			cost := secondReadingCost * float64(rd.rank)
			st := state{char: r, score: math.Log(float64(pi.unigram[r])/float64(pi.total)) - cost, back: -1}
			if i > 0 {
				st.score = math.Inf(-1)
				for k, p := range layers[i-1] {
					trans := math.Log(float64(pi.bigram[[2]rune{p.char, r}]+1) / float64(pi.unigram[p.char]+len(pi.unigram)))
					if s := p.score + trans - cost; s > st.score {
						st.score, st.back = s, k
					}
				}
			}
			layer = append(layer, st)
		}
		layers = append(layers, layer)
	}

	last := layers[len(layers)-1]
	k := 0
	for i := range last {
		if last[i].score > last[k].score {
			k = i
		}
	}
	out := make([]rune, len(layers))
	for i := len(layers) - 1; i >= 0; i-- {
		out[i] = layers[i][k].char
		k = layers[i][k].back
	}
	return string(out)
}

func hasASCIILetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if isASCIILetterByte(s[i]) {
			return true
		}
	}
	return false
}

func isASCIILetterByte(c byte) bool {
	return c >= 'a' && c <= 'z'
}
