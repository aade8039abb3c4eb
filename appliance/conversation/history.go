package conversation

import (
	"context"
	"fmt"
	"html"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	htmlhl "github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"

	"wenban/appliance/store"
)

// historyIndex is the full-text index of transcripts. It lives in memory
// only, because a bleve index on disk would store message text in plain
// form. It is rebuilt from the sealed messages at start.
type historyIndex struct {
	idx bleve.Index
}

type historyDoc struct {
	Conversation string `json:"conversation"`
	Text         string `json:"text"`
}

func buildHistoryIndex(db *store.DB) (*historyIndex, error) {
	m := bleve.NewIndexMapping()
	if err := addHistoryAnalyzer(m); err != nil {
		return nil, err
	}
	m.DefaultAnalyzer = historyAnalyzer
	doc := bleve.NewDocumentMapping()
	text := bleve.NewTextFieldMapping()
	text.Analyzer = historyIndexAnalyzer
	text.Store = true
	text.IncludeTermVectors = true
	doc.AddFieldMappingsAt("text", text)
	conv := mapping.NewKeywordFieldMapping()
	doc.AddFieldMappingsAt("conversation", conv)
	m.DefaultMapping = doc

	idx, err := bleve.NewMemOnly(m)
	if err != nil {
		return nil, fmt.Errorf("creating history index: %w", err)
	}
	h := &historyIndex{idx: idx}

	batch := idx.NewBatch()
	err = db.View(func(tx *store.Tx) error {
		return tx.ScanSealed(bucketMessages, "", func(_ string, decode store.Decoder) error {
			var msg Message
			if err := decode(&msg); err != nil {
				return err
			}
			if msg.From == SenderSystem || msg.Recalled {
				return nil
			}
			return batch.Index(docID(msg), historyDoc{Conversation: string(msg.ConversationID), Text: msg.Text})
		})
	})
	if err != nil {
		idx.Close()
		return nil, fmt.Errorf("rebuilding history index: %w", err)
	}
	if err := idx.Batch(batch); err != nil {
		idx.Close()
		return nil, fmt.Errorf("rebuilding history index: %w", err)
	}
	return h, nil
}

func docID(m Message) string { return messageKey(m.ConversationID, m.Seq) }

// add indexes a message. Failures only cost search recall, so they are
// not returned to the sender; the caller's store write already succeeded.
func (h *historyIndex) add(m Message) {
	if m.From == SenderSystem {
		return
	}
	_ = h.idx.Index(docID(m), historyDoc{Conversation: string(m.ConversationID), Text: m.Text})
}

// remove drops a recalled line from search.
func (h *historyIndex) remove(m Message) {
	_ = h.idx.Delete(docID(m))
}

func (h *historyIndex) addAll(ms []Message) {
	for _, m := range ms {
		h.add(m)
	}
}

func (h *historyIndex) Ready() error {
	if _, err := h.idx.DocCount(); err != nil {
		return fmt.Errorf("history index: %w", err)
	}
	return nil
}

func (h *historyIndex) Close() error { return h.idx.Close() }

// SearchHit is a conversation whose transcript matches a search, with the
// matching lines HTML-escaped and the hits wrapped in <mark>.
type SearchHit struct {
	Conversation Conversation
	Snippets     []string
}

const maxSnippetsPerHit = 3

// Search finds conversations whose transcripts match query, best first.
func (s *Service) Search(ctx context.Context, query string, limit int) ([]SearchHit, error) {
	query = strings.TrimSpace(query)
	if query == "" {
		return nil, nil
	}
	if limit <= 0 {
		limit = 50
	}

	order, snippets, err := s.searchConversations(ctx, query, limit)
	if err != nil {
		return nil, err
	}

	hits := make([]SearchHit, 0, len(order))
	for _, id := range order {
		c, err := s.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		hits = append(hits, SearchHit{Conversation: c, Snippets: snippets[id]})
	}
	return hits, nil
}

// Paging of history search: messages are fetched a page at a time until
// enough distinct conversations are found, so one long conversation with
// many matching lines cannot hide the others.
const (
	searchPageSize = 200
	searchMaxPages = 10
)

func (s *Service) searchConversations(ctx context.Context, query string, limit int) ([]ID, map[ID][]string, error) {
	q := bleve.NewMatchQuery(query)
	q.SetField("text")
	q.Analyzer = historyAnalyzer

	var order []ID
	snippets := map[ID][]string{}
	for page := 0; page < searchMaxPages && len(order) < limit; page++ {
		req := bleve.NewSearchRequestOptions(q, searchPageSize, page*searchPageSize, false)
		req.Fields = []string{"conversation", "text"}
		req.Highlight = bleve.NewHighlightWithStyle(htmlhl.Name)
		req.Highlight.AddField("text")
		res, err := s.index.idx.SearchInContext(ctx, req)
		if err != nil {
			return nil, nil, fmt.Errorf("searching history: %w", err)
		}

		for _, hit := range res.Hits {
			id := ID(fmt.Sprint(hit.Fields["conversation"]))
			if _, seen := snippets[id]; !seen {
				if len(order) == limit {
					break
				}
				order = append(order, id)
			}
			if len(snippets[id]) < maxSnippetsPerHit {
				snippets[id] = append(snippets[id], snippetOf(hit.Fragments["text"], hit.Fields["text"]))
			}
		}
		if len(res.Hits) < searchPageSize {
			break
		}
	}
	return order, snippets, nil
}

// snippetOf prefers bleve's highlighted fragment, which escapes the text
// and marks the hits; the stored field is the fallback.
func snippetOf(fragments []string, stored any) string {
	if len(fragments) > 0 {
		return fragments[0]
	}
	return html.EscapeString(fmt.Sprint(stored))
}

func sortByCreated(cs []Conversation, newestFirst bool) {
	slices.SortFunc(cs, func(a, b Conversation) int {
		if newestFirst {
			return b.CreatedAt.Compare(a.CreatedAt)
		}
		return a.CreatedAt.Compare(b.CreatedAt)
	})
}
