package conversation

import (
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	regexpfilter "github.com/blevesearch/bleve/v2/analysis/char/regexp"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
)

// historyAnalyzer is the analyzer of transcript text and history queries.
// It is bleve's cjk analyzer (Unicode words, width folding, lower case,
// CJK bigrams) after a character filter that turns "." and "_" into
// spaces. Unicode word rules (UAX #29) keep "survey_map.pdf" or
// "evil.exe.txt" as one word, so without the filter a search for "survey"
// or "evil" would miss the attachment line "[文件] survey_map.pdf". Each
// one-byte character becomes one space, so the highlight offsets still
// point into the original text.
const historyAnalyzer = "history"

// historyIndexAnalyzer is historyAnalyzer that also indexes each CJK
// character alone, so a one-character search such as 婚 finds 离婚. Queries
// keep historyAnalyzer: a longer query then still matches its bigrams
// only, and 登记 does not find every line with 登 or 记 in it.
const historyIndexAnalyzer = "history_index"

const (
	historySeparators     = "history_separators"
	historyBigramUnigrams = "history_bigram_unigrams"
)

func addHistoryAnalyzer(m *mapping.IndexMappingImpl) error {
	err := m.AddCustomCharFilter(historySeparators, map[string]any{
		"type":    regexpfilter.Name,
		"regexp":  `[._]`,
		"replace": " ",
	})
	if err != nil {
		return fmt.Errorf("adding history character filter: %w", err)
	}

	err = m.AddCustomAnalyzer(historyAnalyzer, map[string]any{
		"type":          custom.Name,
		"char_filters":  []any{historySeparators},
		"tokenizer":     unicode.Name,
		"token_filters": []any{cjk.WidthName, lowercase.Name, cjk.BigramName},
	})
	if err != nil {
		return fmt.Errorf("adding history analyzer: %w", err)
	}

	err = m.AddCustomTokenFilter(historyBigramUnigrams, map[string]any{
		"type":           cjk.BigramName,
		"output_unigram": true,
	})
	if err != nil {
		return fmt.Errorf("adding history unigram filter: %w", err)
	}
	err = m.AddCustomAnalyzer(historyIndexAnalyzer, map[string]any{
		"type":          custom.Name,
		"char_filters":  []any{historySeparators},
		"tokenizer":     unicode.Name,
		"token_filters": []any{cjk.WidthName, lowercase.Name, historyBigramUnigrams},
	})
	if err != nil {
		return fmt.Errorf("adding history index analyzer: %w", err)
	}
	return nil
}
