package web

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Limits of the seat's knowledge-base search. On the shipped knowledge
// base the entries a search is about score 0.1 to 0.7, and those sharing
// only a stray word with it (今天天气怎么样, xyzzy不存在) below 0.001, so
// results under kbSearchMinScore, or under kbSearchMinShare of the best,
// are left out.
const (
	maxKBSearchRunes   = 100
	maxKBSearchResults = 8
	kbSearchMinScore   = 0.05
	kbSearchMinShare   = 0.15
)

// kbSearchItem is one entry the seat's search found, shaped like the
// suggestions the hub pushes, so the page renders and inserts both alike.
type kbSearchItem struct {
	FAQID    string `json:"faq_id"`
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

type kbSearchReply struct {
	Items []kbSearchItem `json:"items"`
}

// seatKBSearch serves GET /seat/api/kb/search?q= for the search box of the
// suggestion panel. When the bot's three suggestions miss, staff find the
// right entry here, and a reply inserted from it carries the entry, so the
// learning loop can propose the citizen's question as its phrasing. An
// entry id finds that entry first.
func (s *Server) seatKBSearch(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	switch {
	case q == "":
		return badRequest("请输入要搜索的关键词或条目编号。", errors.New("empty knowledge-base search"))
	case !utf8.ValidString(q):
		return badRequest("搜索内容含有无法识别的字符，请重新输入。", errors.New("knowledge-base search is not UTF-8"))
	case utf8.RuneCountInString(q) > maxKBSearchRunes:
		return badRequest("搜索内容过长，请输入 100 字以内的关键词。", errors.New("knowledge-base search too long"))
	}

	reply := kbSearchReply{Items: []kbSearchItem{}}
	engine := s.engine()
	if engine == nil {
		s.writeJSON(w, r, http.StatusOK, reply)
		return nil
	}
	seen := map[string]bool{}
	if e, ok := engine.Entry(q); ok {
		reply.Items = append(reply.Items, kbSearchItem{FAQID: e.ID, Question: e.Question, Answer: e.Answer})
		seen[e.ID] = true
	}
	results := engine.Suggest(q, maxKBSearchResults)
	for _, sg := range results {
		// Entries far behind the best, or sharing no more than a stray
		// character with the search, would only invite a wrong insert.
		if sg.Score < kbSearchMinScore || sg.Score < kbSearchMinShare*results[0].Score {
			break
		}
		e, ok := engine.Entry(sg.FAQID)
		if !ok || seen[e.ID] || len(reply.Items) >= maxKBSearchResults {
			continue
		}
		seen[e.ID] = true
		reply.Items = append(reply.Items, kbSearchItem{FAQID: e.ID, Question: e.Question, Answer: e.Answer})
	}
	s.writeJSON(w, r, http.StatusOK, reply)
	return nil
}
