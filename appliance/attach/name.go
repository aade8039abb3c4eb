package attach

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameRunes bounds a stored file name. Longer names keep their
// extension and lose the middle.
const maxNameRunes = 120

// defaultName replaces a name that cleaning leaves empty.
const defaultName = "文件"

// CleanName returns the file name a client sent as the hub stores it.
// Only the last path element is kept, because browsers on Windows may
// send backslashed paths. Control characters are dropped, and so are
// format characters (Unicode category Cf) and line and paragraph
// separators: Cf holds the bidirectional overrides and marks that make a
// name read backwards ("invoice\u202Efdp.exe") and the zero-width
// characters that make two names look alike. Spaces and dots are trimmed,
// and the result is cut to 120 runes with its extension kept. Invalid
// UTF-8 becomes U+FFFD. Cleaning a cleaned name changes nothing.
func CleanName(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
			return -1
		}
		return r
	}, name)
	name = strings.Trim(shortenName(strings.Trim(name, " .")), " .")
	if name == "" {
		return defaultName
	}
	return name
}

func shortenName(name string) string {
	if utf8.RuneCountInString(name) <= maxNameRunes {
		return name
	}
	ext := path.Ext(name)
	if utf8.RuneCountInString(ext) > 16 {
		ext = ""
	}
	stem := []rune(strings.TrimSuffix(name, ext))
	return string(stem[:maxNameRunes-utf8.RuneCountInString(ext)]) + ext
}

// ContentDisposition builds a Content-Disposition header value for name
// with disposition "inline" or "attachment". It carries an ASCII-only
// filename for old clients and the exact name as an RFC 5987 filename*
// (UTF-8, percent-encoded), which every current browser prefers.
func ContentDisposition(disposition, name string) string {
	name = CleanName(name)
	var b strings.Builder
	b.WriteString(disposition)
	b.WriteString(`; filename="`)
	b.WriteString(asciiFallback(name))
	b.WriteString(`"; filename*=UTF-8''`)
	b.WriteString(percentEncode(name))
	return b.String()
}

// asciiFallback keeps the printable ASCII of name apart from the quote,
// the backslash and the percent sign, which old clients mishandle, and
// replaces every other rune with an underscore. The extension survives,
// so a client that reads only this still opens the file with the right
// program.
func asciiFallback(name string) string {
	out := strings.Map(func(r rune) rune {
		switch {
		case r < 0x20 || r > 0x7e, r == '"', r == '\\', r == '%', r == ';':
			return '_'
		}
		return r
	}, name)
	if strings.Trim(out, "_. ") == "" {
		return "file" + path.Ext(out)
	}
	return out
}

// attrChar reports whether c may appear unescaped in an RFC 5987
// ext-value: ALPHA, DIGIT and !#$&+-.^_`|~.
func attrChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}

func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if attrChar(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
