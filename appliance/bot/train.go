package bot

import (
	"fmt"
	"strings"

	"wenban/appliance/kb"
)

// train builds every model of the engine from its entries: the lexicon,
// the spelling and pinyin vocabularies, the classifier and the index. It
// returns the lexicon, whose out-of-scope questions calibrate the
// threshold.
func (e *Engine) train(lexiconDir string) (*lexicon, error) {
	n, err := newNormalizer()
	if err != nil {
		return nil, fmt.Errorf("loading traditional-to-simplified converter: %w", err)
	}
	e.normalizer = n

	lx, err := loadLexicon(n, lexiconDir)
	if err != nil {
		return nil, err
	}
	e.segmenter = newSegmenter(lx)

	normalised := e.learnVocabulary(lx)

	e.catalogue = e.buildCatalogue(lx.matters)

	// The candidate index holds one document per entry, made of all its
	// phrasings, because retrieval picks entries and not phrasings.
	analysed := make([][]analysis, len(e.entries))
	docs := make([]indexDocument, len(e.entries))
	joinedTexts := make([][]string, len(e.entries))
	for i, texts := range normalised {
		var text, features []string
		for _, t := range texts {
			pieces := e.segmenter.segment(t)
			a := analyze(pieces)
			analysed[i] = append(analysed[i], a)
			joined := joinPieces(pieces)
			text = append(text, joined)
			joinedTexts[i] = append(joinedTexts[i], joined)
			features = append(features, indexFeatures(a, joined))
		}
		docs[i] = indexDocument{text: strings.Join(text, " "), features: uniqueTokens(features)}
		e.phrasings += len(texts)
	}

	answers := make([]analysis, len(e.entries))
	for i, en := range e.entries {
		answers[i] = e.analyzeText(en.Answer + " " + strings.Join(en.Materials, " "))
	}
	e.classifier = trainClassifier(analysed, answers, defaultScoring)
	e.ngrams = newNgramRanker(joinedTexts)

	e.candidates, err = newCandidateIndex(docs)
	if err != nil {
		return nil, err
	}

	e.learnWeights(analysed, joinedTexts)
	return lx, nil
}

// learnVocabulary teaches the speller and the pinyin input the words of
// the lexicon and the knowledge base, and returns the normalised phrasings
// of each entry. Typos should become words of the field. Fillers,
// off-topic terms and answers are known words but never correction
// targets, so a question is not pulled towards 养老院 or 请问.
func (e *Engine) learnVocabulary(lx *lexicon) [][]string {
	e.speller = newSpeller()
	e.pinyin = newPinyinInput()
	for _, p := range lx.phrases(kindSynonym, kindAskType, kindTerm) {
		e.speller.learnTarget(p, minTargetCount)
		e.speller.learnWord(p)
		e.pinyin.learn(p)
	}
	for _, p := range lx.phrases(kindFiller, kindOffTopic) {
		e.speller.learnKnown(p)
	}

	normalised := make([][]string, len(e.entries))
	for i, en := range e.entries {
		for _, text := range phrasingsOf(en) {
			t := e.normalizer.normalize(text)
			normalised[i] = append(normalised[i], t)
			e.speller.learnTarget(t, 1)
			e.pinyin.learn(t)
		}
		answer := e.normalizer.normalize(en.Answer)
		e.speller.learnKnown(answer)
		e.pinyin.learn(answer)
	}
	return normalised
}

// phrasingsOf returns the standard question of an entry followed by its
// non-blank similar phrasings.
func phrasingsOf(en kb.Entry) []string {
	out := []string{en.Question}
	for _, s := range en.Similar {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

// uniqueTokens joins the space-separated tokens of texts, each token once,
// in order of first appearance.
func uniqueTokens(texts []string) string {
	seen := make(map[string]bool)
	var out []string
	for _, t := range texts {
		for _, tok := range strings.Fields(t) {
			if !seen[tok] {
				seen[tok] = true
				out = append(out, tok)
			}
		}
	}
	return strings.Join(out, " ")
}
