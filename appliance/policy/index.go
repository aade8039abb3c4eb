package policy

import (
	"context"
	"fmt"
	"html"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	htmlhl "github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Index analysis. Text fields are indexed with the single characters and
// the bigrams of CJK runs, and queries are analysed with bleve's cjk
// analyzer, which makes bigrams and leaves a lone character as it is. So a
// two-character word such as 征收 matches its bigram and a one-character
// query such as 矿 still finds every article that contains it.
const (
	indexAnalyzer  = "policy_cjk_index"
	unigramsFilter = "policy_cjk_unigrams"
	queryAnalyzer  = cjk.AnalyzerName
)

// Index field names.
const (
	fieldDoc     = "doc"
	fieldTitle   = "title"
	fieldNumber  = "number"
	fieldChapter = "chapter"
	fieldText    = "text"
	fieldStatus  = "status"
	fieldIssuer  = "issuer"
	fieldLevel   = "level"
)

// indexDoc is the index entry of one article.
type indexDoc struct {
	Doc     string `json:"doc"`
	Title   string `json:"title"`
	Number  string `json:"number"`
	Chapter string `json:"chapter"`
	Text    string `json:"text"`
	Status  string `json:"status"`
	Issuer  string `json:"issuer"`
	Level   string `json:"level"`
}

func newIndexMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	err := m.AddCustomTokenFilter(unigramsFilter, map[string]any{
		"type":           cjk.BigramName,
		"output_unigram": true,
	})
	if err != nil {
		return nil, fmt.Errorf("defining unigram filter: %w", err)
	}
	err = m.AddCustomAnalyzer(indexAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []string{cjk.WidthName, lowercase.Name, unigramsFilter},
	})
	if err != nil {
		return nil, fmt.Errorf("defining index analyzer: %w", err)
	}
	m.DefaultAnalyzer = indexAnalyzer

	doc := bleve.NewDocumentMapping()
	for _, name := range []string{fieldTitle, fieldChapter, fieldText} {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = indexAnalyzer
		f.Store = true
		f.IncludeTermVectors = true
		doc.AddFieldMappingsAt(name, f)
	}
	for _, name := range []string{fieldDoc, fieldNumber, fieldStatus, fieldIssuer, fieldLevel} {
		f := mapping.NewKeywordFieldMapping()
		f.Store = true
		doc.AddFieldMappingsAt(name, f)
	}
	m.DefaultMapping = doc
	return m, nil
}

// articleKey is the index id of an article: the reference "id#第X条".
func articleKey(docID, number string) string { return docID + "#" + number }

// buildIndex indexes every article of docs in a new in-memory scorch
// index. Scorch with an empty path keeps its segments in memory.
// BenchmarkBuildIndex indexed 3,000 articles in 3.5 s this way and in 31 s
// with bleve.NewMemOnly, on a shared 2-core machine at a load average of
// about 14, so both figures are far above an idle appliance's.
func buildIndex(docs []Document) (bleve.Index, error) {
	m, err := newIndexMapping()
	if err != nil {
		return nil, err
	}
	idx, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("creating policy index: %w", err)
	}

	batch := idx.NewBatch()
	for _, d := range docs {
		for _, a := range d.Articles {
			entry := indexDoc{
				Doc: d.ID, Title: d.Title, Number: a.Number, Chapter: a.Chapter, Text: a.Text,
				Status: d.Status.String(), Issuer: d.Issuer, Level: d.Level.String(),
			}
			if err := batch.Index(articleKey(d.ID, a.Number), entry); err != nil {
				idx.Close()
				return nil, fmt.Errorf("indexing %s %s: %w", d.ID, a.Number, err)
			}
		}
	}
	if err := idx.Batch(batch); err != nil {
		idx.Close()
		return nil, fmt.Errorf("indexing %d documents: %w", len(docs), err)
	}
	return idx, nil
}

// Query is a library search. The zero value of each filter means "any".
type Query struct {
	// Text is the search text; empty lists every article that passes the
	// filters.
	Text   string
	Status Status
	Issuer string
	Level  Level
	// Limit is the page size; zero means DefaultLimit, and it is capped
	// at MaxLimit.
	Limit  int
	Offset int
}

// Paging limits of Search.
const (
	DefaultLimit  = 20
	MaxLimit      = 100
	MaxQueryRunes = 100
	// maxOffset keeps deep paging from making bleve collect huge result
	// sets.
	maxOffset = 1000
)

// Results is one page of search results.
type Results struct {
	// Total counts every matching article, not only this page.
	Total uint64
	Hits  []Hit
	// Facets count the matching articles by status, issuer and level.
	Facets Facets
}

// Hit is one matching article.
type Hit struct {
	DocID     string
	Title     string
	DocNumber string
	Issuer    string
	Status    Status
	Level     Level
	Article   Article
	// Snippet is HTML: the matching part of the article, escaped, with the
	// matched terms in <mark>. It is plain escaped text when the match was
	// in the title only.
	Snippet string
	Score   float64
}

// Facets are the counts of matching articles per filter value, largest
// first.
type Facets struct {
	Status []FacetCount
	Issuer []FacetCount
	Level  []FacetCount
}

// FacetCount is the number of matching articles with one filter value.
type FacetCount struct {
	Value string
	Count int
}

// maxFacetValues bounds the issuers listed. A provincial library is
// estimated to have a few dozen issuing bodies.
const maxFacetValues = 50

// buildRequest turns q into a bleve request.
func buildRequest(q Query) *bleve.SearchRequest {
	var main query.Query = bleve.NewMatchAllQuery()
	if text := strings.TrimSpace(q.Text); text != "" {
		// Any bigram of the text matches, and articles that hold every one
		// of them rank first, which for a short text is nearly a phrase.
		body := textQuery(text, fieldText, 1)
		whole := textQuery(text, fieldText, 3)
		whole.SetOperator(query.MatchQueryOperatorAnd)
		main = preferInForce(bleve.NewDisjunctionQuery(whole, body, textQuery(text, fieldTitle, 2)))
	}

	conjuncts := []query.Query{main}
	addFilter := func(field, value string) {
		if value == "" {
			return
		}
		t := bleve.NewTermQuery(value)
		t.SetField(field)
		conjuncts = append(conjuncts, t)
	}
	if q.Status != StatusUnknown {
		addFilter(fieldStatus, q.Status.String())
	}
	if q.Level != LevelUnknown {
		addFilter(fieldLevel, q.Level.String())
	}
	addFilter(fieldIssuer, q.Issuer)

	req := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(conjuncts...), q.Limit, q.Offset, false)
	req.Fields = []string{fieldDoc, fieldNumber, fieldText}
	req.Highlight = bleve.NewHighlightWithStyle(htmlhl.Name)
	req.Highlight.AddField(fieldText)
	req.AddFacet(fieldStatus, bleve.NewFacetRequest(fieldStatus, len(Statuses)))
	req.AddFacet(fieldIssuer, bleve.NewFacetRequest(fieldIssuer, maxFacetValues))
	req.AddFacet(fieldLevel, bleve.NewFacetRequest(fieldLevel, len(Levels)))
	if strings.TrimSpace(q.Text) == "" {
		// Without a text every score is equal, so list in library order.
		req.SortBy([]string{fieldDoc, "_id"})
	}
	return req
}

func textQuery(text, field string, boost float64) *query.MatchQuery {
	q := bleve.NewMatchQuery(text)
	q.SetField(field)
	q.Analyzer = queryAnalyzer
	q.SetBoost(boost)
	return q
}

// normalizeQuery applies the paging defaults and caps and checks the text.
func normalizeQuery(q Query) (Query, error) {
	q.Text = strings.TrimSpace(q.Text)
	if !utf8.ValidString(q.Text) {
		return q, fmt.Errorf("search text is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(q.Text); n > MaxQueryRunes {
		return q, fmt.Errorf("search text has %d characters, more than %d", n, MaxQueryRunes)
	}
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	q.Limit = min(q.Limit, MaxLimit)
	q.Offset = min(max(q.Offset, 0), maxOffset)
	return q, nil
}

// searchIndex runs q against idx and resolves hits against docs.
func searchIndex(ctx context.Context, idx bleve.Index, docs map[string]Document, q Query) (Results, error) {
	res, err := idx.SearchInContext(ctx, buildRequest(q))
	if err != nil {
		return Results{}, fmt.Errorf("searching policy library: %w", err)
	}

	out := Results{Total: res.Total, Hits: make([]Hit, 0, len(res.Hits))}
	for _, h := range res.Hits {
		docID, _ := h.Fields[fieldDoc].(string)
		number, _ := h.Fields[fieldNumber].(string)
		d, ok := docs[docID]
		if !ok {
			continue
		}
		a, ok := d.Article(number)
		if !ok {
			continue
		}
		out.Hits = append(out.Hits, Hit{
			DocID: d.ID, Title: d.Title, DocNumber: d.DocNumber, Issuer: d.Issuer,
			Status: d.Status, Level: d.Level, Article: a,
			Snippet: snippet(h.Fragments[fieldText], a.Text), Score: h.Score,
		})
	}
	out.Facets = Facets{
		Status: facetCounts(res.Facets[fieldStatus]),
		Issuer: facetCounts(res.Facets[fieldIssuer]),
		Level:  facetCounts(res.Facets[fieldLevel]),
	}
	return out, nil
}

// snippetRunes is the length of the fallback snippet.
const snippetRunes = 120

// snippet prefers bleve's highlighted fragment, which escapes the text and
// marks the hits; the start of the article is the fallback.
func snippet(fragments []string, text string) string {
	if len(fragments) > 0 {
		return strings.Join(fragments, " … ")
	}
	if utf8.RuneCountInString(text) > snippetRunes {
		text = string([]rune(text)[:snippetRunes]) + "…"
	}
	return html.EscapeString(text)
}

func facetCounts(fr *search.FacetResult) []FacetCount {
	if fr == nil {
		return nil
	}
	var out []FacetCount
	for _, t := range fr.Terms.Terms() {
		out = append(out, FacetCount{Value: t.Term, Count: t.Count})
	}
	return out
}
