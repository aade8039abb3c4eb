package bot

import (
	"math"
	"sort"
)

// sparseVector is a unit-length vector over feature ids, sorted by id.
type sparseVector struct {
	ids     []int32
	weights []float32
}

// newSparseVector builds a unit vector from weights by feature id. A vector
// of zero length stays empty.
func newSparseVector(byID map[int32]float64) sparseVector {
	ids := sortedIDs(byID)
	norm := 0.0
	for _, id := range ids {
		norm += byID[id] * byID[id]
	}

	v := sparseVector{ids: ids, weights: make([]float32, len(ids))}
	norm = math.Sqrt(norm)
	for i, id := range ids {
		v.weights[i] = float32(byID[id] / norm)
	}
	return v
}

// dot returns the inner product of v with a query given as unit weights by
// feature id.
func (v sparseVector) dot(query map[int32]float64) float64 {
	sum := 0.0
	for i, id := range v.ids {
		if w, ok := query[id]; ok {
			sum += w * float64(v.weights[i])
		}
	}
	return sum
}

// dotCover returns the inner product of v with a unit query and the share
// of the query's squared weight on the features v contains.
func (v sparseVector) dotCover(query map[int32]float64) (dot, covered float64) {
	for i, id := range v.ids {
		if w, ok := query[id]; ok {
			dot += w * float64(v.weights[i])
			covered += w * w
		}
	}
	return dot, covered
}

// has reports whether v has a weight for feature id.
func (v sparseVector) has(id int32) bool {
	i := sort.Search(len(v.ids), func(i int) bool { return v.ids[i] >= id })
	return i < len(v.ids) && v.ids[i] == id
}

// sortedIDs returns the ids with a positive weight in increasing order, so
// sums over them come out the same on every run.
func sortedIDs(byID map[int32]float64) []int32 {
	ids := make([]int32, 0, len(byID))
	for id, w := range byID {
		if w > 0 {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// cover returns the share of a unit query's squared weight on the features
// v contains.
func (v sparseVector) cover(query map[int32]float64) float64 {
	covered := 0.0
	for _, id := range v.ids {
		if w, ok := query[id]; ok {
			covered += w * w
		}
	}
	return covered
}
