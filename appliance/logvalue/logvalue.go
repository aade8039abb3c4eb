// Package logvalue bounds values taken from requests before they are
// logged, so a client cannot make each rejected request write a megabyte
// of log.
package logvalue

import (
	"fmt"
	"unicode/utf8"
)

// MaxBytes is the most of a request value a log line keeps. Identifiers
// the hub issues, such as window and room names, are far shorter.
const MaxBytes = 64

// Clip returns v when it is at most MaxBytes long, else its first
// MaxBytes bytes, cut at a character boundary, and the length it had.
func Clip(v string) string {
	if len(v) <= MaxBytes {
		return v
	}
	cut := MaxBytes
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return fmt.Sprintf("%s…(%d bytes)", v[:cut], len(v))
}
