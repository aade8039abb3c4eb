// Package kb holds the government knowledge base: its entries, the import
// and export formats staff use to maintain it, and the shipped default KB.
package kb

import (
	"errors"
	"strings"
)

// Entry is one knowledge-base item: a standard question, the phrasings
// citizens use for it, the answer and, where the matter needs them, the
// materials an applicant must bring.
type Entry struct {
	ID        string   `json:"id"`
	Category  string   `json:"category"`
	Question  string   `json:"question"`
	Similar   []string `json:"similar,omitempty"`
	Answer    string   `json:"answer"`
	Materials []string `json:"materials,omitempty"`
	// Basis lists the 政策依据 of the answer as references into the policy
	// library: a document id, optionally with "#" and an article number,
	// such as "土地管理法#第四十四条".
	Basis []string `json:"basis,omitempty"`
}

// Limits on entry fields, counted in characters (runes). They keep one bad
// row from bloating the index.
const (
	MaxIDLen       = 64
	MaxCategoryLen = 50
	MaxQuestionLen = 200
	MaxAnswerLen   = 5000
	MaxSimilar     = 100
	MaxMaterials   = 100
	MaxMaterialLen = 200
	MaxBasis       = 20
	MaxBasisLen    = 100
)

// Validate reports the first problem that makes e unusable, in Chinese,
// so the import report can show it to staff as is. Validate does not trim:
// call Normalize first on entries typed by people.
func (e Entry) Validate() error {
	if problems := e.problems(); len(problems) > 0 {
		return errors.New(problems[0].Reason)
	}
	return nil
}

// problems lists at most one problem per field, in column order, with Row 0.
func (e Entry) problems() []Problem {
	checks := []struct {
		field  string
		reason string
	}{
		{"id", checkID(e.ID)},
		{"category", checkText(e.Category, "分类", MaxCategoryLen, false, false)},
		{"question", checkText(e.Question, "标准问题", MaxQuestionLen, true, false)},
		{"similar", checkList(e.Similar, "相似问题", MaxSimilar, MaxQuestionLen)},
		{"answer", checkText(e.Answer, "答案", MaxAnswerLen, true, true)},
		{"materials", checkList(e.Materials, "所需材料", MaxMaterials, MaxMaterialLen)},
		{"basis", checkBasis(e.Basis)},
	}

	var problems []Problem
	for _, c := range checks {
		if c.reason != "" {
			problems = append(problems, Problem{Field: c.field, Reason: c.reason})
		}
	}
	return problems
}

// Normalize returns a copy of e as the decoders store it: text trimmed of
// surrounding white space, line breaks written as "\n", list items trimmed,
// empty items dropped and empty lists nil. Encoding then decoding a
// normalized, valid entry gives it back unchanged in every format.
func (e Entry) Normalize() Entry {
	return Entry{
		ID:        normalizeText(e.ID),
		Category:  normalizeText(e.Category),
		Question:  normalizeText(e.Question),
		Similar:   normalizeList(e.Similar),
		Answer:    normalizeText(e.Answer),
		Materials: normalizeList(e.Materials),
		Basis:     normalizeList(e.Basis),
	}
}

var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n")

func normalizeText(s string) string {
	return strings.TrimSpace(lineBreaks.Replace(s))
}

func normalizeList(items []string) []string {
	var out []string
	for _, item := range items {
		if item = normalizeText(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
