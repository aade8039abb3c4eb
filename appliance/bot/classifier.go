package bot

import "sort"

// scoring holds the weights of the scoring model. They were set on the
// development set in testdata. They weigh kinds of evidence, never
// particular words, so they carry over to other knowledge bases, though
// how well is measured only on the shipped one.
type scoring struct {
	// kind scales the inverse document frequency of each feature kind.
	kind [numFeatureKinds]float64

	// unknown scales the weight a question feature gets when no entry has
	// it. Unknown words make a question less like every entry, which is
	// what rejects questions outside the knowledge base, but colloquial
	// words are often unknown too, so they count less than a rare known
	// feature.
	unknown float64

	// nearest is the share of an entry's score taken from its closest
	// phrasing. The rest comes from the entry's centroid, which rewards a
	// question that mixes words of several phrasings. questionWeight is
	// how much the standard question counts in the centroid against one
	// similar phrasing, because staff word it most carefully.
	nearest        float64
	questionWeight float64

	// Ask-type factors multiply the matter similarity when the question
	// names no ask type while the phrasing does, and when the phrasing
	// names none while the question does. When both name ask types that
	// differ, the factor is 1-(1-askMismatch)*strength, where strength
	// (see askStrength) is near 1 for an ask type few entries name.
	// Sharing an ask type, or both naming none, keeps the similarity.
	askQuestionNone float64
	askPhrasingNone float64
	askMismatch     float64

	// coverage is the exponent of the share of the question's weight that
	// the entry's phrasings contain anywhere, with features found only in
	// the entry's answer counting answerCover as much. It favours the entry
	// that explains all of the question over one whose short phrasing
	// matches its main term only.
	coverage    float64
	answerCover float64

	// answer is the share of an entry's score taken from the similarity
	// of the question to the entry's answer and materials, which name
	// details that the phrasings leave out. It was set on unseen set a,
	// whose entries have 3 to 5 phrasings, so the answer carries much of
	// what an entry is about. On the shipped knowledge base, with about 12
	// phrasings an entry, top-1 on eval.jsonl moves by at most 2 of 616
	// cases between 0.1 and 0.5.
	answer float64

	// likelihood scales how much the query likelihood under each leading
	// candidate's language model (see languageModel) reorders them: a
	// candidate whose log-likelihood trails the best by d keeps a share
	// exp(-likelihood*d) of its score.
	likelihood float64

	// local scales how much a question feature gains for separating the
	// localK best candidates from each other (see localQuery).
	local  float64
	localK int

	// offTopic multiplies the score of an entry none of whose phrasings
	// names an off-topic term that the question names. The factor is
	// raised to offTopicSpread times the share of the question's weight
	// that off-topic terms make up, capped at 1.
	offTopic       float64
	offTopicSpread float64
}

var defaultScoring = scoring{
	kind: [numFeatureKinds]float64{
		featUnigram:  0.5,
		featBigram:   1.0,
		featTerm:     1.5,
		featAskType:  1.5,
		featOffTopic: 1.5,
	},
	unknown:         0.6,
	nearest:         0.7,
	questionWeight:  2,
	askQuestionNone: 0.92,
	askPhrasingNone: 0.9,
	askMismatch:     0.5,
	coverage:        0.5,
	answerCover:     0.5,
	answer:          0.3,
	likelihood:      0.2,
	local:           0.5,
	localK:          8,
	offTopic:        0.05,
	offTopicSpread:  4,
}

// phrasing is one standard question or similar phrasing of an entry.
type phrasing struct {
	vector   sparseVector
	askTypes []string
}

// classifier scores entries against a question. Its main score is TF-IDF
// cosine similarity over the features of the matter, adjusted by the ask
// types; see rank for the steps.
type classifier struct {
	params    scoring
	phrases   *featureSpace // over standard questions and similar phrasings
	answers   *featureSpace // over answers and materials
	phrasings []phrasing
	byEntry   [][]int // phrasing indices of each entry
	centroids []sparseVector
	answerVec []sparseVector
	// answerOnly holds, for each entry, the phrase-space features that its
	// answer and materials have and its phrasings lack.
	answerOnly []sparseVector
	entryAsks  [][]string
	offTopics  []map[string]bool // off-topic terms each entry names
	lm         *languageModel
	// logOdds holds, for each entry and each of its near neighbours, the
	// bounded log-odds of features in its phrasings against the
	// neighbour's (see learnDiscrimination). It is nil until training sets
	// it.
	logOdds []map[int]map[int32]float64
}

// trainClassifier builds the model from the analysed phrasings of each
// entry, standard question first, and the analysed answer and materials of
// each entry.
func trainClassifier(entries [][]analysis, answers []analysis, params scoring) *classifier {
	c := &classifier{params: params}
	c.phrases = newFeatureSpace(entries, params.kind, params.unknown)
	answerDocs := make([][]analysis, len(answers))
	for i, a := range answers {
		answerDocs[i] = []analysis{a}
	}
	c.answers = newFeatureSpace(answerDocs, params.kind, params.unknown)

	n := len(entries)
	c.byEntry = make([][]int, n)
	c.centroids = make([]sparseVector, n)
	c.answerVec = make([]sparseVector, n)
	c.answerOnly = make([]sparseVector, n)
	c.entryAsks = make([][]string, n)
	c.offTopics = make([]map[string]bool, n)
	for e, texts := range entries {
		c.addEntry(e, texts)
		c.addAnswer(e, answers[e])
	}
	c.lm = newLanguageModel(c, entries, answers)
	return c
}

func (c *classifier) addEntry(e int, texts []analysis) {
	c.entryAsks[e] = entryAskTypes(texts)
	c.offTopics[e] = make(map[string]bool)

	centroid := make(map[int32]float64)
	for j, a := range texts {
		v := newSparseVector(c.phrases.weigh(a.features))
		weight := 1.0
		if j == 0 {
			weight = c.params.questionWeight
		}
		for i, id := range v.ids {
			centroid[id] += weight * float64(v.weights[i])
		}

		// A phrasing that names only the matter, such as a bare 抵押登记,
		// takes the ask types of its entry.
		asks := a.askTypes
		if len(asks) == 0 {
			asks = c.entryAsks[e]
		}
		c.byEntry[e] = append(c.byEntry[e], len(c.phrasings))
		c.phrasings = append(c.phrasings, phrasing{vector: v, askTypes: asks})

		for _, t := range a.offTopics {
			c.offTopics[e][t] = true
		}
	}
	c.centroids[e] = newSparseVector(centroid)
}

func (c *classifier) addAnswer(e int, a analysis) {
	c.answerVec[e] = newSparseVector(c.answers.weigh(a.features))
	only := c.phrases.weigh(a.features)
	for _, id := range c.centroids[e].ids {
		delete(only, id)
	}
	c.answerOnly[e] = newSparseVector(only)
}

// entryAskTypes returns the ask types of an entry: those of its standard
// question, which comes first, or when it names none, those named by at
// least half of its phrasings.
func entryAskTypes(texts []analysis) []string {
	if len(texts) == 0 {
		return nil
	}
	if len(texts[0].askTypes) > 0 {
		return texts[0].askTypes
	}
	counts := make(map[string]int)
	for _, a := range texts {
		for _, t := range a.askTypes {
			counts[t]++
		}
	}
	var out []string
	for t, n := range counts {
		if 2*n >= len(texts) {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}
