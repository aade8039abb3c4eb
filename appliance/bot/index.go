package bot

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
)

const (
	// candidateHits is how many entries the index returns for the
	// classifier to rank.
	candidateHits = 100

	fieldText     = "text"     // normalised text, analysed into CJK bigrams
	fieldFeatures = "features" // engine features and pinyin keys, one token each

	featuresAnalyzer = "wenban_features"
)

// phrasingIndex is the in-memory bleve index of every phrasing.
type phrasingIndex struct {
	index bleve.Index
}

// indexDocument is the text and the feature tokens indexed for one
// phrasing.
type indexDocument struct {
	text     string
	features string
}

func newPhrasingIndex(docs []indexDocument) (*phrasingIndex, error) {
	m, err := newIndexMapping()
	if err != nil {
		return nil, err
	}
	idx, err := bleve.NewMemOnly(m)
	if err != nil {
		return nil, fmt.Errorf("creating in-memory index: %w", err)
	}

	batch := idx.NewBatch()
	for i, d := range docs {
		doc := map[string]any{fieldText: d.text, fieldFeatures: d.features}
		if err := batch.Index(strconv.Itoa(i), doc); err != nil {
			idx.Close()
			return nil, fmt.Errorf("indexing phrasing %d: %w", i, err)
		}
	}
	if err := idx.Batch(batch); err != nil {
		idx.Close()
		return nil, fmt.Errorf("indexing %d phrasings: %w", len(docs), err)
	}
	return &phrasingIndex{index: idx}, nil
}

func newIndexMapping() (mapping.IndexMapping, error) {
	m := bleve.NewIndexMapping()
	err := m.AddCustomAnalyzer(featuresAnalyzer, map[string]any{
		"type":      custom.Name,
		"tokenizer": whitespace.Name,
	})
	if err != nil {
		return nil, fmt.Errorf("registering features analyzer: %w", err)
	}

	text := bleve.NewTextFieldMapping()
	text.Analyzer = cjk.AnalyzerName
	text.Store = false
	text.IncludeInAll = false
	text.IncludeTermVectors = false

	features := bleve.NewTextFieldMapping()
	features.Analyzer = featuresAnalyzer
	features.Store = false
	features.IncludeInAll = false
	features.IncludeTermVectors = false

	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fieldText, text)
	doc.AddFieldMappingsAt(fieldFeatures, features)
	m.DefaultMapping = doc
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m, nil
}

// search returns the phrasing indices that share the most with the query,
// best first.
func (pi *phrasingIndex) search(d indexDocument) ([]int, error) {
	var disjuncts []query.Query
	if strings.TrimSpace(d.text) != "" {
		q := bleve.NewMatchQuery(d.text)
		q.SetField(fieldText)
		disjuncts = append(disjuncts, q)
	}
	if d.features != "" {
		q := bleve.NewMatchQuery(d.features)
		q.SetField(fieldFeatures)
		disjuncts = append(disjuncts, q)
	}
	if len(disjuncts) == 0 {
		return nil, nil
	}

	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(disjuncts...), candidateHits, 0, false)
	res, err := pi.index.Search(req)
	if err != nil {
		return nil, fmt.Errorf("searching phrasing index: %w", err)
	}

	out := make([]int, 0, len(res.Hits))
	for _, h := range res.Hits {
		i, err := strconv.Atoi(h.ID)
		if err != nil {
			return nil, fmt.Errorf("phrasing index returned document %q: %w", h.ID, err)
		}
		out = append(out, i)
	}
	return out, nil
}

func (pi *phrasingIndex) close() error {
	return pi.index.Close()
}

// indexFeatures returns the tokens of the features field: the engine's
// term and ask-type features and the fuzzy pinyin key of every pair of
// Chinese characters, so a typo the speller left alone still finds
// phrasings that sound alike. Character pairs are left to the text field,
// whose CJK analyser indexes them already, and single characters too,
// because as query terms they match most phrasings and slow every search.
func indexFeatures(a analysis, text string) string {
	var b strings.Builder
	for _, f := range a.features {
		if f.kind == featUnigram || f.kind == featBigram || f.kind == featOffTopic {
			continue
		}
		b.WriteString(f.key)
		b.WriteByte(' ')
	}
	for _, chunk := range strings.Fields(text) {
		runes := []rune(chunk)
		for i := 0; i+1 < len(runes); i++ {
			if !isHan(runes[i]) || !isHan(runes[i+1]) {
				continue
			}
			keys := soundKeys(runes[i], runes[i+1])
			if len(keys) > 0 {
				b.WriteString("p:")
				b.WriteString(keys[0])
				b.WriteByte(' ')
			}
		}
	}
	return strings.TrimSpace(b.String())
}
