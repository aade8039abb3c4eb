package bot

import (
	"sync"

	"github.com/mozillazg/go-pinyin"
)

// readingCache maps a rune to its toneless pinyin readings. Looking a
// reading up in go-pinyin builds new slices on every call, and training
// looks up every character of the knowledge base several times. The cache
// is bounded by the number of distinct characters, under 100,000 even when
// questions bring characters the knowledge base lacks.
var readingCache sync.Map

// readingsOf returns the toneless pinyin readings of r, most common first,
// as go-pinyin lists them. Callers must not modify the result, which is
// shared.
func readingsOf(r rune) []string {
	if v, ok := readingCache.Load(r); ok {
		return v.([]string)
	}
	readings := pinyin.SinglePinyin(r, pinyinArgs)
	readingCache.Store(r, readings)
	return readings
}
