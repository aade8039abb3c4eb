package policy

import (
	"strconv"
	"strings"
)

// maxOrdinal bounds article, chapter and section numbers. The longest
// Chinese national laws have a few hundred articles (民法典 has 1,260).
const maxOrdinal = 9999

var digitValues = map[rune]int{
	'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4,
	'五': 5, '六': 6, '七': 7, '八': 8, '九': 9,
}

var unitValues = map[rune]int{'十': 10, '百': 100, '千': 1000}

// parseNumeral reads a number written in Chinese numerals ("四十四",
// "一百零二", "十二") or in Arabic digits ("44"). It reports false for
// anything else or a value outside 1 to maxOrdinal.
func parseNumeral(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(s); err == nil {
		return n, n >= 1 && n <= maxOrdinal && !strings.HasPrefix(s, "0")
	}

	total, digit, lastUnit := 0, -1, 100000
	for _, r := range s {
		if v, ok := digitValues[r]; ok {
			if digit >= 0 && digit != 0 {
				return 0, false // two digits in a row, such as "四四"
			}
			digit = v
			continue
		}
		unit, ok := unitValues[r]
		if !ok || unit >= lastUnit {
			return 0, false
		}
		if digit < 0 {
			if total != 0 {
				return 0, false // a bare unit is only valid first, as in "十二"
			}
			digit = 1
		}
		total += digit * unit
		digit, lastUnit = -1, unit
	}
	if digit > 0 {
		total += digit
	}
	return total, total >= 1 && total <= maxOrdinal
}

// formatNumeral writes n (1 to maxOrdinal) in Chinese numerals as statutes
// do: 十二, 二十, 一百零二, 一百一十.
func formatNumeral(n int) string {
	if n < 1 || n > maxOrdinal {
		return strconv.Itoa(n)
	}
	digits := []rune("零一二三四五六七八九")
	units := []struct {
		value int
		name  rune
	}{{1000, '千'}, {100, '百'}, {10, '十'}}

	var b strings.Builder
	rest, pendingZero := n, false
	for _, u := range units {
		d := rest / u.value
		rest %= u.value
		switch {
		case d > 0:
			if pendingZero {
				b.WriteRune('零')
				pendingZero = false
			}
			if !(u.value == 10 && d == 1 && b.Len() == 0) {
				b.WriteRune(digits[d])
			}
			b.WriteRune(u.name)
		case b.Len() > 0:
			pendingZero = true
		}
	}
	if rest > 0 {
		if pendingZero {
			b.WriteRune('零')
		}
		b.WriteRune(digits[rest])
	}
	return b.String()
}
