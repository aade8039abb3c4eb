package bot

import (
	"math"
	"strings"
)

// featureSpace weighs features by inverse document frequency over a set of
// documents, one document per entry. Counting entries, not phrasings, keeps
// an entry with many similar phrasings from making its own words look
// common.
type featureSpace struct {
	vocabulary map[string]int32
	idf        []float64
	unknownIDF float64
	kind       [numFeatureKinds]float64
	unknown    float64
}

// newFeatureSpace counts the features of each entry's texts.
func newFeatureSpace(entries [][]analysis, kind [numFeatureKinds]float64, unknown float64) *featureSpace {
	fs := &featureSpace{vocabulary: make(map[string]int32), kind: kind, unknown: unknown}
	var df []int
	for _, texts := range entries {
		inEntry := make(map[int32]bool)
		for _, a := range texts {
			for _, f := range a.features {
				if f.kind == featOffTopic {
					continue
				}
				id, ok := fs.vocabulary[f.key]
				if !ok {
					id = int32(len(df))
					fs.vocabulary[f.key] = id
					df = append(df, 0)
				}
				if !inEntry[id] {
					inEntry[id] = true
					df[id]++
				}
			}
		}
	}

	n := float64(len(entries))
	fs.idf = make([]float64, len(df))
	for id, d := range df {
		fs.idf[id] = math.Log((n + 1) / (float64(d) + 0.5))
	}
	fs.unknownIDF = math.Log((n + 1) / 0.5)
	return fs
}

// weigh returns the TF-IDF weight of each known feature.
func (fs *featureSpace) weigh(features []feature) map[int32]float64 {
	out := make(map[int32]float64, len(features))
	for _, f := range features {
		if id, ok := fs.vocabulary[f.key]; ok {
			out[id] = fs.kind[f.kind] * fs.idf[id]
		}
	}
	return out
}

// weight returns the weight of a question feature: its kind weight times
// its inverse document frequency, or for a feature no entry has, times the
// unknown factor and the frequency of a feature seen nowhere. A pair of
// stop characters that no entry has weighs nothing.
func (fs *featureSpace) weight(f feature) float64 {
	if id, ok := fs.vocabulary[f.key]; ok {
		return fs.kind[f.kind] * fs.idf[id]
	}
	if f.kind == featBigram && isStopBigram(f.key) {
		return 0
	}
	return fs.kind[f.kind] * fs.unknown * fs.unknownIDF
}

// isStopBigram reports whether a bigram feature joins two stop characters,
// such as 你们 or 这个. Such a pair is grammar, not a word of another
// field, so when no entry has it, it says nothing against the entries.
func isStopBigram(key string) bool {
	units := strings.TrimPrefix(key, "b:")
	n := 0
	for _, r := range units {
		if !stopChars[r] {
			return false
		}
		n++
	}
	return n == 2
}

// query returns a question's unit weights over known features. Unknown
// features add to the norm only, so they lower every similarity.
func (fs *featureSpace) query(features []feature) map[int32]float64 {
	q := make(map[int32]float64, len(features))
	norm := 0.0
	for _, f := range features {
		w := fs.weight(f)
		norm += w * w
		if id, ok := fs.vocabulary[f.key]; ok {
			q[id] = w
		}
	}
	if norm == 0 {
		return q
	}
	norm = math.Sqrt(norm)
	for id := range q {
		q[id] /= norm
	}
	return q
}
