package bot

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// The bleve index that the engine used for retrieval before
// candidateIndex, kept as the reference that candidateIndex must match.

// phrasingIndex is an in-memory bleve index of every entry's phrasings.
type phrasingIndex struct {
	index bleve.Index
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
