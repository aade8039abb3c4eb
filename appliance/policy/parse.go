package policy

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on one source document. The full text of the 土地管理法 is
// estimated at under 100 KB of UTF-8, so 2 MiB leaves ample room while
// keeping a mistaken or hostile file from filling memory.
const (
	MaxDocumentBytes = 2 << 20
	MaxArticles      = 3000
	MaxArticleRunes  = 20000
	MaxTitleRunes    = 200
	MaxFieldRunes    = 200
	MaxSummaryRunes  = 2000
	MaxIDRunes       = 64
)

// ParseError is a problem at one line of a source document. Reason is
// Simplified Chinese, for the update report staff read.
type ParseError struct {
	// Line is 1-based; 0 means the whole file.
	Line   int
	Reason string
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return e.Reason
	}
	return fmt.Sprintf("第 %d 行：%s", e.Line, e.Reason)
}

func parseErr(line int, format string, args ...any) *ParseError {
	return &ParseError{Line: line, Reason: fmt.Sprintf(format, args...)}
}

// headerKeys maps the header keys, English or Chinese, to their fields.
var headerKeys = map[string]string{
	"id": "id", "编号": "id",
	"title": "title", "标题": "title",
	"doc_number": "doc_number", "文号": "doc_number",
	"issuer": "issuer", "发布机关": "issuer",
	"published": "published", "发布日期": "published",
	"effective": "effective", "施行日期": "effective",
	"status": "status", "效力": "status",
	"level": "level", "层级": "level",
	"summary": "summary", "摘要": "summary",
	"note": "note", "说明": "note",
}

// Parse reads one document in the Markdown source format that
// docs/policy-format.md describes: a header between "---" lines, then
// 章 and 节 headings and articles that each start a line with "第X条".
// The returned document has no Version, SourceHash or Revision.
func Parse(data []byte) (Document, error) {
	if len(data) > MaxDocumentBytes {
		return Document{}, parseErr(0, "文件超过 %d MiB 的上限", MaxDocumentBytes>>20)
	}
	if !utf8.Valid(data) {
		return Document{}, parseErr(0, "文件含有无效的 UTF-8 字符，请另存为 UTF-8 编码")
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	lines := strings.Split(text, "\n")

	var d Document
	bodyStart, err := parseHeader(lines, &d)
	if err != nil {
		return Document{}, err
	}
	if err := parseBody(lines, bodyStart, &d); err != nil {
		return Document{}, err
	}
	if err := d.validate(); err != nil {
		return Document{}, err
	}
	return d, nil
}

// parseHeader fills d from the header and returns the index of the first
// body line.
func parseHeader(lines []string, d *Document) (int, error) {
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		return 0, parseErr(1, "文件应以 --- 开头的文件头开始")
	}
	seen := map[string]bool{}
	for i := 1; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if line == "---" {
			return i + 1, nil
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := cutHeaderLine(line)
		if !ok {
			return 0, parseErr(i+1, "文件头应写成“键: 值”")
		}
		field, known := headerKeys[key]
		if !known {
			return 0, parseErr(i+1, "未知的文件头 %q", clip(key))
		}
		if seen[field] {
			return 0, parseErr(i+1, "文件头 %q 重复", key)
		}
		seen[field] = true
		if err := setHeader(d, field, value); err != nil {
			return 0, parseErr(i+1, "%s", err.Error())
		}
	}
	return 0, parseErr(len(lines), "文件头缺少结束的 ---")
}

// cutHeaderLine splits "key: value", accepting the full-width colon that
// Chinese input methods type.
func cutHeaderLine(line string) (string, string, bool) {
	i := strings.IndexAny(line, ":：")
	if i <= 0 {
		return "", "", false
	}
	_, size := utf8.DecodeRuneInString(line[i:])
	value := strings.TrimSpace(line[i+size:])
	value = strings.Trim(value, `"`)
	return strings.ToLower(strings.TrimSpace(line[:i])), value, true
}

func setHeader(d *Document, field, value string) error {
	var err error
	switch field {
	case "id":
		d.ID = value
	case "title":
		d.Title = value
	case "doc_number":
		d.DocNumber = value
	case "issuer":
		d.Issuer = value
	case "published":
		d.Published, err = ParseDate(value)
	case "effective":
		d.Effective, err = ParseDate(value)
	case "status":
		d.Status, err = ParseStatus(value)
	case "level":
		d.Level, err = ParseLevel(value)
	case "summary":
		d.Summary = value
	case "note":
		d.Note = value
	}
	return err
}

// section tracks the 章 and 节 the parser is in.
type section struct {
	chapter, part string
}

func (s section) label() string {
	if s.part == "" {
		return s.chapter
	}
	if s.chapter == "" {
		return s.part
	}
	return s.chapter + " · " + s.part
}

func parseBody(lines []string, start int, d *Document) error {
	var sec section
	var current *Article
	var paragraph []string
	articleRunes := 0
	flush := func() {
		if current != nil && len(paragraph) > 0 {
			current.Text = joinParagraph(current.Text, paragraph)
		}
		paragraph = nil
	}

	for i := start; i < len(lines); i++ {
		lineNo := i + 1
		line := strings.TrimSpace(strings.TrimRight(lines[i], " \t　"))
		if strings.IndexFunc(line, isForbiddenControl) >= 0 {
			return parseErr(lineNo, "含有控制字符")
		}
		heading := strings.TrimSpace(strings.TrimLeft(line, "#"))

		if kind, title, ok := parseHeading(heading); ok {
			flush()
			current = nil
			switch kind {
			case '章':
				sec = section{chapter: title}
			case '节':
				sec.part = title
			}
			continue
		}
		if number, ordinal, rest, ok := parseArticleStart(line); ok {
			flush()
			if len(d.Articles) >= MaxArticles {
				return parseErr(lineNo, "条文超过 %d 条的上限", MaxArticles)
			}
			if n := len(d.Articles); n > 0 && ordinal <= d.Articles[n-1].Ordinal {
				return parseErr(lineNo, "%s 应排在 %s 之后", d.Articles[n-1].Number, number)
			}
			d.Articles = append(d.Articles, Article{Number: number, Ordinal: ordinal, Chapter: sec.label()})
			current = &d.Articles[len(d.Articles)-1]
			articleRunes = utf8.RuneCountInString(rest)
			if rest != "" {
				paragraph = append(paragraph, rest)
			}
			continue
		}

		switch {
		case line == "":
			flush()
		case current == nil:
			return parseErr(lineNo, "正文应以“第一章”等章节标题或“第一条”等条文开始，这一行不属于任何条文")
		default:
			paragraph = append(paragraph, line)
			articleRunes += utf8.RuneCountInString(line)
		}
		if current != nil && articleRunes > MaxArticleRunes {
			return parseErr(lineNo, "%s 超过 %d 个字的上限", current.Number, MaxArticleRunes)
		}
	}
	flush()
	return nil
}

// joinParagraph appends the lines of one paragraph to text. Lines of one
// paragraph join without a space, as Chinese text does; paragraphs are
// separated by a line break.
func joinParagraph(text string, lines []string) string {
	p := strings.Join(lines, "")
	if text == "" {
		return p
	}
	return text + "\n" + p
}

// parseHeading recognises "第一章 总则" and "第二节 土地调查", returning
// the unit (章 or 节) and the whole heading.
func parseHeading(line string) (rune, string, bool) {
	for _, unit := range []rune{'章', '节'} {
		if _, _, rest, ok := parseOrdinalPrefix(line, unit); ok {
			if rest == "" || len([]rune(rest)) <= MaxFieldRunes {
				return unit, line, true
			}
		}
	}
	return 0, "", false
}

// parseArticleStart recognises a line that starts an article: "第X条"
// followed by white space or the end of the line. A reference inside a
// sentence ("依照第十条规定") is not at the start of a line or is not
// followed by a space, so it stays text.
func parseArticleStart(line string) (number string, ordinal int, rest string, ok bool) {
	return parseOrdinalPrefix(line, '条')
}

func parseOrdinalPrefix(line string, unit rune) (string, int, string, bool) {
	after, found := strings.CutPrefix(line, "第")
	if !found {
		return "", 0, "", false
	}
	end := strings.IndexRune(after, unit)
	if end <= 0 {
		return "", 0, "", false
	}
	n, valid := parseNumeral(after[:end])
	if !valid {
		return "", 0, "", false
	}
	rest := after[end+utf8.RuneLen(unit):]
	if rest != "" {
		r, _ := utf8.DecodeRuneInString(rest)
		if !unicode.IsSpace(r) {
			return "", 0, "", false
		}
	}
	number := "第" + formatNumeral(n) + string(unit)
	return number, n, strings.TrimSpace(rest), true
}

func isForbiddenControl(r rune) bool {
	return unicode.IsControl(r) && r != '\t'
}

// validate checks the header fields and the articles of a parsed document.
func (d Document) validate() error {
	if reason := checkID(d.ID); reason != "" {
		return parseErr(0, "%s", reason)
	}
	checks := []struct {
		label, value string
		max          int
		required     bool
	}{
		{"标题（title）", d.Title, MaxTitleRunes, true},
		{"文号（doc_number）", d.DocNumber, MaxFieldRunes, false},
		{"发布机关（issuer）", d.Issuer, MaxFieldRunes, true},
		{"摘要（summary）", d.Summary, MaxSummaryRunes, false},
		{"说明（note）", d.Note, MaxSummaryRunes, false},
	}
	for _, c := range checks {
		switch {
		case c.required && c.value == "":
			return parseErr(0, "文件头缺少%s", c.label)
		case utf8.RuneCountInString(c.value) > c.max:
			return parseErr(0, "%s超过 %d 个字的上限", c.label, c.max)
		}
	}
	switch {
	case d.Published.IsZero():
		return parseErr(0, "文件头缺少发布日期（published）")
	case d.Status == StatusUnknown:
		return parseErr(0, "文件头缺少效力（status）")
	case d.Level == LevelUnknown:
		return parseErr(0, "文件头缺少层级（level）")
	case len(d.Articles) == 0:
		return parseErr(0, "文件中没有任何条文，条文应以“第一条”等开头")
	}
	for _, a := range d.Articles {
		if a.Text == "" {
			return parseErr(0, "%s 没有内容", a.Number)
		}
	}
	return nil
}

// checkID returns why id cannot name a document, or "". Ids appear in
// references ("id#第X条"), URLs and store keys, so the characters those
// use as separators are excluded.
func checkID(id string) string {
	switch {
	case id == "":
		return "文件头缺少编号（id）"
	case !utf8.ValidString(id):
		return "编号含有无效的 UTF-8 字符"
	case utf8.RuneCountInString(id) > MaxIDRunes:
		return fmt.Sprintf("编号超过 %d 个字符", MaxIDRunes)
	case id == "." || id == "..":
		return fmt.Sprintf("编号 %q 无效", id)
	case strings.ContainsAny(id, "#/\\?%&\"'<>|"):
		return fmt.Sprintf("编号 %q 不能含有 # / \\ ? %% & 引号 尖括号或竖线", clip(id))
	case strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return fmt.Sprintf("编号 %q 不能含有空白或控制字符", clip(id))
	}
	return ""
}

// clip shortens s for quoting in a message.
func clip(s string) string {
	const keep = 20
	if utf8.RuneCountInString(s) <= keep {
		return s
	}
	return string([]rune(s)[:keep]) + "…"
}
