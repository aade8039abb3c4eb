package web

import (
	"wenban/appliance/kb"
)

// entryCitationProblem checks the 政策依据 of one entry against the policy
// library and returns the first problem, or "" when every reference
// resolves or no library is configured.
func (s *Server) entryCitationProblem(e kb.Entry) string {
	if s.deps.Policy == nil {
		return ""
	}
	return kb.EntryCitationProblem(s.deps.Policy, e)
}

// checkImportCitations returns a *kb.ImportError that lists every entry
// whose 政策依据 the policy library cannot resolve, or nil. It is the
// check wenban kb import runs, so a file one accepts the other accepts.
func (s *Server) checkImportCitations(entries []kb.Entry) error {
	if s.deps.Policy == nil {
		return nil
	}
	return kb.CheckCitations(s.deps.Policy, entries)
}
