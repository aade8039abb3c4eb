package bot

import (
	"fmt"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/mapping"
)

const (
	fieldText     = "text"     // normalised text, analysed into CJK bigrams
	fieldFeatures = "features" // engine features and pinyin keys, one token each

	featuresAnalyzer = "wenban_features"
)

// indexDocument is the text and the feature tokens indexed for one
// entry.
type indexDocument struct {
	text     string
	features string
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
