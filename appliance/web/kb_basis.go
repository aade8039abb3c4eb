package web

import (
	"fmt"

	"wenban/appliance/kb"
	"wenban/appliance/policy"
)

// citationProblem returns why the policy library cannot resolve ref, in
// Chinese for staff, or "" when it can. A reference of invalid form is
// left to the knowledge-base checks, which explain the expected form.
func citationProblem(c policy.Citation) string {
	switch {
	case c.Found || c.DocID == "":
		return ""
	case c.Title == "":
		return fmt.Sprintf("政策依据“%s”无效：政策法规库中没有编号为“%s”的文件，请在“政策法规库”中核对文件编号", c.Ref, c.DocID)
	default:
		return fmt.Sprintf("政策依据“%s”无效：《%s》中没有%s，请核对条文序号", c.Ref, c.Title, c.Article)
	}
}

// entryCitationProblem checks the 政策依据 of one entry against the policy
// library and returns the first problem, or "" when every reference
// resolves or no library is configured.
func (s *Server) entryCitationProblem(e kb.Entry) string {
	if s.deps.Policy == nil || len(e.Basis) == 0 {
		return ""
	}
	for _, c := range s.deps.Policy.Cite(e.Basis) {
		if reason := citationProblem(c); reason != "" {
			return reason
		}
	}
	return ""
}

// checkImportCitations returns a *kb.ImportError that lists every entry
// whose 政策依据 the policy library cannot resolve, or nil.
//
// NOTE: Row assumes the file has a header row and no blank rows, so each
// reason also names the entry id.
func (s *Server) checkImportCitations(entries []kb.Entry) error {
	var problems []kb.Problem
	for i, e := range entries {
		reason := s.entryCitationProblem(e)
		if reason == "" {
			continue
		}
		problems = append(problems, kb.Problem{Row: i + 2, Field: "basis", Reason: "条目 " + e.ID + "：" + reason})
		if len(problems) == kb.MaxProblems {
			return &kb.ImportError{Problems: problems, Truncated: i < len(entries)-1}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return &kb.ImportError{Problems: problems}
}
