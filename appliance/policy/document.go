package policy

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Document is one law, regulation, rule or normative document.
type Document struct {
	// ID names the document in references such as "土地管理法#第四十四条".
	// It is stable across versions.
	ID    string `json:"id"`
	Title string `json:"title"`
	// DocNumber is the 文号, such as "国务院令第743号". It may be empty.
	DocNumber string `json:"doc_number,omitempty"`
	// Issuer is the 发布机关.
	Issuer string `json:"issuer"`
	// Published and Effective are the 发布日期 and 施行日期, in the
	// Asia/Shanghai calendar. Effective may be zero when unknown.
	Published Date   `json:"published"`
	Effective Date   `json:"effective,omitempty"`
	Status    Status `json:"status"`
	Level     Level  `json:"level"`
	Summary   string `json:"summary,omitempty"`
	// Note is shown above the articles, such as the notice that the text
	// is an outline and the official text prevails.
	Note     string    `json:"note,omitempty"`
	Articles []Article `json:"articles"`

	// Version is the source's own version label from the manifest.
	Version string `json:"version"`
	// SourceHash is the hex SHA-256 of the source file.
	SourceHash string `json:"source_hash"`
	// Revision counts stored versions of this document, from 1. The store
	// sets it.
	Revision uint64 `json:"revision"`
	// Updated is when this revision was stored.
	Updated time.Time `json:"updated"`
}

// Article is one 条 of a document.
type Article struct {
	// Number is the article's heading as written, such as "第十二条".
	Number string `json:"number"`
	// Ordinal is Number as an integer, such as 12; it orders articles and
	// names their anchors on the document page.
	Ordinal int `json:"ordinal"`
	// Chapter is the 章 heading the article sits under, with the 节
	// heading after " · " when there is one. Empty when the document has
	// no chapters.
	Chapter string `json:"chapter,omitempty"`
	Text    string `json:"text"`
}

// Anchor is the article's fragment id on the document page.
func (a Article) Anchor() string { return fmt.Sprintf("art-%d", a.Ordinal) }

// Article returns the article with the given number, such as "第十二条".
func (d Document) Article(number string) (Article, bool) {
	for _, a := range d.Articles {
		if a.Number == number {
			return a, true
		}
	}
	return Article{}, false
}

// Date is a calendar day without a time of day, written as YYYY-MM-DD.
type Date struct{ time.Time }

const dateLayout = "2006-01-02"

// ParseDate parses YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("日期 %q 无效，应写成 YYYY-MM-DD：%w", s, err)
	}
	return Date{t}, nil
}

// String returns YYYY-MM-DD, or "" for the zero date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(dateLayout)
}

// MarshalJSON writes "YYYY-MM-DD", or "" for the zero date. It replaces
// the RFC 3339 encoding that Date would otherwise take from time.Time.
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "YYYY-MM-DD"; "" is the zero date.
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("decoding date: %w", err)
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	parsed, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}
