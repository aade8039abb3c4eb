package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"wenban/appliance/audit"
	"wenban/appliance/policy"
	policyui "wenban/ui/policy"
)

// PolicyLibrary is the part of the policy library the pages call.
// *policy.Library implements it.
type PolicyLibrary interface {
	Search(ctx context.Context, q policy.Query) (policy.Results, error)
	Document(id string) (policy.Document, bool)
	Documents() []policy.Document
	Versions(id string) ([]policy.Document, error)
	Version(id string, revision uint64) (policy.Document, error)
	Reports(limit int) ([]policy.Report, error)
	Cite(refs []string) []policy.Citation
}

// PolicyJob is the update job the admin page shows and triggers.
// *policy.Job implements it.
type PolicyJob interface {
	Trigger(trigger string) bool
	Running() bool
	Next() time.Time
	Source() string
	Schedule() string
}

// policyPageSize is the number of articles a search page shows.
const policyPageSize = 20

func (s *Server) policyRoutes(mux *http.ServeMux) {
	if s.deps.Policy == nil {
		return
	}
	mux.Handle("GET /policy", s.page(s.policySearch))
	mux.Handle("GET /policy/doc/{id}", s.page(s.policyDocument))
	mux.Handle("GET /api/v1/policy/search", s.api(s.apiPolicySearch))
	mux.Handle("GET /seat/admin/policy", s.adminPage(s.policyAdmin))
	mux.Handle("POST /seat/admin/policy/run", s.adminPage(s.audited(audit.PolicyUpdated, nil, s.policyRun)))
	mux.Handle("GET /seat/admin/policy/doc/{id}", s.adminPage(s.policyVersions))
}

// policyQuery reads the search parameters. Unknown filter values are
// ignored rather than rejected, so an old bookmarked link still works.
func policyQuery(v url.Values) policy.Query {
	q := policy.Query{Text: v.Get("q"), Issuer: strings.TrimSpace(v.Get("issuer")), Limit: policyPageSize}
	q.Status, _ = policy.ParseStatus(v.Get("status"))
	q.Level, _ = policy.ParseLevel(v.Get("level"))
	if page, err := strconv.Atoi(v.Get("page")); err == nil && page > 1 {
		q.Offset = (page - 1) * policyPageSize
	}
	return q
}

func (s *Server) policySearch(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	q := policyQuery(v)
	p := policyui.Search{Query: q.Text, Status: v.Get("status"), Issuer: q.Issuer, Level: v.Get("level")}
	p.Searched = strings.TrimSpace(q.Text) != "" || q.Status != policy.StatusUnknown || q.Issuer != "" || q.Level != policy.LevelUnknown

	if !validPolicyText(q.Text) {
		p.Error = "关键词不能超过 100 个字，且不能含有无法识别的字符。"
		p.Searched = false
		q = policy.Query{Limit: policyPageSize}
	}
	res, err := s.deps.Policy.Search(r.Context(), q)
	if err != nil {
		return internalError(err)
	}

	p.StatusOptions = facetOptions(res.Facets.Status, p.Status)
	p.LevelOptions = facetOptions(res.Facets.Level, p.Level)
	p.IssuerOptions = facetOptions(res.Facets.Issuer, p.Issuer)
	if !p.Searched {
		p.Documents = s.documentRows(s.deps.Policy.Documents())
		return s.render(w, r, http.StatusOK, policyui.SearchView(p))
	}

	p.Total = int(res.Total)
	for _, h := range res.Hits {
		p.Hits = append(p.Hits, hitView(h))
	}
	p.PrevURL, p.NextURL = pageLinks(v, q.Offset, len(res.Hits), int(res.Total))
	return s.render(w, r, http.StatusOK, policyui.SearchView(p))
}

// validPolicyText reports whether a search text is valid UTF-8 within the
// library's length limit.
func validPolicyText(text string) bool {
	return utf8.ValidString(text) && utf8.RuneCountInString(text) <= policy.MaxQueryRunes
}

func facetOptions(counts []policy.FacetCount, selected string) []policyui.Option {
	var out []policyui.Option
	found := false
	for _, c := range counts {
		out = append(out, policyui.Option{Value: c.Value, Count: c.Count, Selected: c.Value == selected})
		found = found || c.Value == selected
	}
	if selected != "" && !found {
		out = append(out, policyui.Option{Value: selected, Selected: true})
	}
	return out
}

func hitView(h policy.Hit) policyui.Hit {
	hv := policyui.Hit{
		Title: h.Title, DocNumber: h.DocNumber, Issuer: h.Issuer, Status: h.Status.String(),
		Level: h.Level.String(), Article: h.Article.Number, Chapter: h.Article.Chapter,
		URL: policy.DocumentURL(h.DocID) + "#" + h.Article.Anchor(),
	}
	for _, seg := range splitSnippet(h.Snippet) {
		hv.Snippet = append(hv.Snippet, policyui.Segment{Text: seg.Text, Mark: seg.Mark})
	}
	return hv
}

// pageLinks builds the previous and next page links of a result page.
func pageLinks(v url.Values, offset, hitsOnPage, total int) (prev, next string) {
	page := offset/policyPageSize + 1
	link := func(n int) string {
		q := url.Values{}
		for k, vs := range v {
			q[k] = vs
		}
		q.Set("page", strconv.Itoa(n))
		return "/policy?" + q.Encode()
	}
	if page > 1 {
		prev = link(page - 1)
	}
	if offset+hitsOnPage < total && hitsOnPage == policyPageSize {
		next = link(page + 1)
	}
	return prev, next
}

func (s *Server) documentRows(docs []policy.Document) []policyui.DocumentRow {
	rows := make([]policyui.DocumentRow, 0, len(docs))
	for _, d := range docs {
		rows = append(rows, s.documentRow(d))
	}
	return rows
}

func (s *Server) documentRow(d policy.Document) policyui.DocumentRow {
	return policyui.DocumentRow{
		ID: d.ID, Title: d.Title, DocNumber: d.DocNumber, Issuer: d.Issuer,
		Status: d.Status.String(), Level: d.Level.String(), Published: d.Published.String(),
		URL: policy.DocumentURL(d.ID), VersionsURL: "/seat/admin/policy/doc/" + url.PathEscape(d.ID),
		Revision: d.Revision, Updated: s.formatTime(d.Updated),
	}
}

var errNoPolicyDocument = &appError{Status: http.StatusNotFound, Message: "未找到该政策法规文件。"}

// policyDocument renders GET /policy/doc/{id}; ?rev=N shows an older
// stored revision.
func (s *Server) policyDocument(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	latest, ok := s.deps.Policy.Document(id)
	if !ok {
		return errNoPolicyDocument
	}
	d := latest
	if raw := r.URL.Query().Get("rev"); raw != "" {
		rev, err := strconv.ParseUint(raw, 10, 64)
		if err != nil {
			return errNoPolicyDocument
		}
		d, err = s.deps.Policy.Version(id, rev)
		if errors.Is(err, policy.ErrNotFound) {
			return errNoPolicyDocument
		}
		if err != nil {
			return internalError(err)
		}
	}
	return s.render(w, r, http.StatusOK, policyui.DocumentView(s.documentView(d, latest)))
}

func (s *Server) documentView(d, latest policy.Document) policyui.Document {
	v := policyui.Document{
		DocumentRow: s.documentRow(d), Effective: d.Effective.String(), Summary: d.Summary,
		Note: d.Note, Version: d.Version, Old: d.Revision != latest.Revision,
		LatestURL: policy.DocumentURL(d.ID),
	}
	chapter := ""
	for _, a := range d.Articles {
		av := policyui.Article{Anchor: a.Anchor(), Number: a.Number, Paragraphs: strings.Split(a.Text, "\n")}
		if a.Chapter != chapter {
			av.Chapter, chapter = a.Chapter, a.Chapter
		}
		v.Articles = append(v.Articles, av)
	}
	return v
}

// policyHitJSON is one article of the JSON search API.
type policyHitJSON struct {
	DocID     string  `json:"doc_id"`
	Title     string  `json:"title"`
	DocNumber string  `json:"doc_number,omitempty"`
	Issuer    string  `json:"issuer"`
	Status    string  `json:"status"`
	Level     string  `json:"level"`
	Article   string  `json:"article"`
	Chapter   string  `json:"chapter,omitempty"`
	URL       string  `json:"url"`
	Snippet   string  `json:"snippet_html"`
	Score     float64 `json:"score"`
}

type facetJSON struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

type policySearchReply struct {
	Total  uint64                 `json:"total"`
	Hits   []policyHitJSON        `json:"hits"`
	Facets map[string][]facetJSON `json:"facets"`
}

// apiPolicySearch serves GET /api/v1/policy/search with the parameters of
// the search page. snippet_html is escaped text with <mark> around hits.
func (s *Server) apiPolicySearch(w http.ResponseWriter, r *http.Request) error {
	q := policyQuery(r.URL.Query())
	if !validPolicyText(q.Text) {
		return badRequest("关键词不能超过 100 个字，且不能含有无法识别的字符。", errors.New("invalid policy search text"))
	}
	res, err := s.deps.Policy.Search(r.Context(), q)
	if err != nil {
		return internalError(err)
	}

	reply := policySearchReply{Total: res.Total, Hits: []policyHitJSON{}, Facets: map[string][]facetJSON{}}
	for _, h := range res.Hits {
		reply.Hits = append(reply.Hits, policyHitJSON{
			DocID: h.DocID, Title: h.Title, DocNumber: h.DocNumber, Issuer: h.Issuer,
			Status: h.Status.String(), Level: h.Level.String(), Article: h.Article.Number,
			Chapter: h.Article.Chapter, URL: policy.DocumentURL(h.DocID) + "#" + h.Article.Anchor(),
			Snippet: h.Snippet, Score: h.Score,
		})
	}
	for name, counts := range map[string][]policy.FacetCount{
		"status": res.Facets.Status, "issuer": res.Facets.Issuer, "level": res.Facets.Level,
	} {
		list := []facetJSON{}
		for _, c := range counts {
			list = append(list, facetJSON{Value: c.Value, Count: c.Count})
		}
		reply.Facets[name] = list
	}
	s.writeJSON(w, r, http.StatusOK, reply)
	return nil
}
