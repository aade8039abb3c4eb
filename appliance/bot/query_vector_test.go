package bot

import (
	"math"
	"slices"
	"testing"
)

func TestNewQueryVectorSortsAndDropsZero(t *testing.T) {
	q := newQueryVector(map[int32]float64{7: 0.5, 2: 0.25, 4: 0, 9: -1})
	if want := []int32{2, 7}; !slices.Equal(q.ids, want) {
		t.Fatalf("got ids %v, want %v", q.ids, want)
	}
	if want := []float64{0.25, 0.5}; !slices.Equal(q.weights, want) {
		t.Errorf("got weights %v, want %v", q.weights, want)
	}
}

func TestMergeQuery(t *testing.T) {
	v := newSparseVector(map[int32]float64{1: 3, 3: 4})
	tests := []struct {
		name        string
		query       map[int32]float64
		wantDot     float64
		wantCovered float64
	}{
		{"disjoint", map[int32]float64{2: 1}, 0, 0},
		{"one shared", map[int32]float64{1: 0.6, 2: 0.8}, 0.6 * 0.6, 0.36},
		{"both shared", map[int32]float64{1: 0.6, 3: 0.8}, 1, 1},
		{"empty query", map[int32]float64{}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dot, covered := v.mergeQuery(newQueryVector(tt.query))
			if math.Abs(dot-tt.wantDot) > 1e-6 {
				t.Errorf("got dot %.6f, want %.6f", dot, tt.wantDot)
			}
			if math.Abs(covered-tt.wantCovered) > 1e-6 {
				t.Errorf("got covered %.6f, want %.6f", covered, tt.wantCovered)
			}
			if got := v.dotQuery(newQueryVector(tt.query)); got != dot {
				t.Errorf("got dotQuery %.6f, want it equal to mergeQuery's %.6f", got, dot)
			}
		})
	}
}
