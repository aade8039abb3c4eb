package web

import (
	"wenban/appliance/bot"
	"wenban/appliance/policy"
	"wenban/ui/citizen"
)

// askReply is the JSON of POST /api/v1/bot/ask: the engine's result with
// the cited articles of the matched entry.
type askReply struct {
	bot.Result
	// Citations are the 政策依据 of the matched entry resolved against the
	// policy library, in the entry's order. Never nil; empty when nothing
	// matched, the entry cites nothing or the library is not configured.
	Citations []policy.Citation `json:"citations"`
	// Referral, set only when nothing matched, points a question about
	// another department's business to that department and the 12345
	// hotline.
	Referral string `json:"referral,omitempty"`
}

func (s *Server) askReply(question string, res bot.Result) askReply {
	out := askReply{Result: res, Citations: s.citations(res)}
	if !res.Matched {
		out.Referral = referralText(question)
	}
	return out
}

// citations resolves the matched entry's basis. The engine is read again
// here; a knowledge-base swap in between at worst drops the citations of
// one answer.
func (s *Server) citations(res bot.Result) []policy.Citation {
	out := []policy.Citation{}
	if !res.Matched || s.deps.Policy == nil {
		return out
	}
	engine := s.engine()
	if engine == nil {
		return out
	}
	e, ok := engine.Entry(res.FAQID)
	if !ok || len(e.Basis) == 0 {
		return out
	}
	return append(out, publicCitations(s.deps.Policy.Cite(e.Basis))...)
}

// publicCitations drops the references to documents the library lacks and
// blanks every Ref, because citizens should see a title and article and
// never the internal "doc#article" form. A known document whose article is
// missing stays, shown by its title with Found false.
func publicCitations(cs []policy.Citation) []policy.Citation {
	out := make([]policy.Citation, 0, len(cs))
	for _, c := range cs {
		if c.Title == "" {
			continue
		}
		c.Ref = ""
		out = append(out, c)
	}
	return out
}

// citationViews shapes the citations for the no-JavaScript citizen page.
func (s *Server) citationViews(res bot.Result) []citizen.Citation {
	var out []citizen.Citation
	for _, c := range s.citations(res) {
		out = append(out, citizen.Citation{
			Ref: c.Ref, Found: c.Found, Title: c.Title, DocNumber: c.DocNumber,
			Article: c.Article, Status: c.Status, URL: c.URL,
		})
	}
	return out
}
