package kb

import (
	"fmt"

	"wenban/appliance/policy"
)

// Citer resolves 政策依据 references against the policy library.
// *policy.Library implements it.
type Citer interface {
	Cite(refs []string) []policy.Citation
}

// CitationProblem returns why the policy library cannot resolve c, in
// Chinese for staff, or "" when it can. A reference of invalid form is
// left to ValidateAll, which explains the expected form.
func CitationProblem(c policy.Citation) string {
	switch {
	case c.Found || c.DocID == "":
		return ""
	case c.Title == "":
		return fmt.Sprintf("政策依据“%s”无效：政策法规库中没有编号为“%s”的文件，请在“政策法规库”中核对文件编号", c.Ref, c.DocID)
	default:
		return fmt.Sprintf("政策依据“%s”无效：《%s》中没有%s，请核对条文序号", c.Ref, c.Title, c.Article)
	}
}

// EntryCitationProblem checks the 政策依据 of e against lib and returns
// the first problem, or "" when every reference resolves or lib is nil.
func EntryCitationProblem(lib Citer, e Entry) string {
	if lib == nil || len(e.Basis) == 0 {
		return ""
	}
	for _, c := range lib.Cite(e.Basis) {
		if reason := CitationProblem(c); reason != "" {
			return reason
		}
	}
	return ""
}

// CheckCitations returns an *ImportError that lists every entry whose
// 政策依据 lib cannot resolve, or nil. A nil lib checks nothing. wenban
// kb import calls it, and the web import page must call it too, so that
// a file one accepts the other accepts.
//
// NOTE: Row assumes a CSV or XLSX file with a header row and no blank
// rows, so each reason also names the entry id.
func CheckCitations(lib Citer, entries []Entry) error {
	var problems []Problem
	for i, e := range entries {
		reason := EntryCitationProblem(lib, e)
		if reason == "" {
			continue
		}
		problems = append(problems, Problem{Row: i + 2, Field: "basis", Reason: "条目 " + e.ID + "：" + reason})
		if len(problems) == MaxProblems {
			return &ImportError{Problems: problems, Truncated: i < len(entries)-1}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return &ImportError{Problems: problems}
}
