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
