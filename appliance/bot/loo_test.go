package bot

import (
	"maps"
	"slices"
	"testing"
)

func TestPickClearGain(t *testing.T) {
	tests := []struct {
		name    string
		correct []int
		folds   int
		want    int
	}{
		{name: "too few folds", correct: []int{50, 90}, folds: minFolds - 1, want: 0},
		{name: "gain below minimum folds", correct: []int{100, 104}, folds: 150, want: 0},
		{name: "gain below share", correct: []int{500, 517}, folds: 600, want: 0},
		{name: "clear gain", correct: []int{100, 105}, folds: 150, want: 1},
		{name: "best of several", correct: []int{100, 105, 108, 90}, folds: 150, want: 2},
		{name: "default best", correct: []int{110, 100, 105}, folds: 150, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pickClearGain(tt.correct, tt.folds); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

func TestLooFoldsSkipsAndCaps(t *testing.T) {
	one := [][]analysis{{{}}}
	if got := looFolds(one, [][]string{{"抵押登记"}}); len(got) != 0 {
		t.Errorf("single phrasing: got %d folds, want 0", len(got))
	}

	var analysed [][]analysis
	var joined [][]string
	for range maxFolds {
		analysed = append(analysed, make([]analysis, 3))
		joined = append(joined, []string{"甲", "乙", "丙"})
	}
	got := looFolds(analysed, joined)
	if len(got) != maxFolds {
		t.Fatalf("got %d folds, want %d", len(got), maxFolds)
	}
	if got[0].entry != 0 || got[len(got)-1].entry < maxFolds-2 {
		t.Errorf("got folds from entry %d to %d, want them spread over all entries", got[0].entry, got[len(got)-1].entry)
	}
}

func TestHoldOutRestores(t *testing.T) {
	e := newFixtureEngine(t)
	c := e.classifier
	en := e.byID["dyzx"]
	byEntry := slices.Clone(c.byEntry[en])
	centroid := c.centroids[en]
	lmCounts := maps.Clone(c.lm.counts[en])
	lmTotal := c.lm.totals[en]
	ngCounts := maps.Clone(e.ngrams.counts[en])
	ngLength := e.ngrams.lengths[en]

	pieces := e.segmenter.segment(e.normalizer.normalize(e.entries[en].Similar[0]))
	restore := e.holdOut(fold{entry: en, position: 1, analysis: analyze(pieces), joined: joinPieces(pieces)})
	if got := len(c.byEntry[en]); got != len(byEntry)-1 {
		t.Errorf("held out: got %d phrasings, want %d", got, len(byEntry)-1)
	}
	if got := c.lm.totals[en]; got >= lmTotal {
		t.Errorf("held out: got language-model total %v, want less than %v", got, lmTotal)
	}
	if got := e.ngrams.lengths[en]; got >= ngLength {
		t.Errorf("held out: got n-gram length %v, want less than %v", got, ngLength)
	}

	restore()
	if !slices.Equal(c.byEntry[en], byEntry) {
		t.Errorf("restored: got phrasings %v, want %v", c.byEntry[en], byEntry)
	}
	if !slices.Equal(c.centroids[en].ids, centroid.ids) {
		t.Errorf("restored: centroid ids differ")
	}
	if !maps.Equal(c.lm.counts[en], lmCounts) || c.lm.totals[en] != lmTotal {
		t.Errorf("restored: language-model counts differ")
	}
	if !maps.Equal(e.ngrams.counts[en], ngCounts) || e.ngrams.lengths[en] != ngLength {
		t.Errorf("restored: n-gram counts differ")
	}
}

func TestLinkNeighbours(t *testing.T) {
	tests := []struct {
		name   string
		ranked []candidate
		want   [][2]int // linked pairs, both ways
	}{
		{name: "ranked above", ranked: []candidate{{entry: 1, score: 0.5}, {entry: 2, score: 0.4}, {entry: 0, score: 0.3}},
			want: [][2]int{{0, 1}, {0, 2}}},
		{name: "close runner-up", ranked: []candidate{{entry: 0, score: 0.5}, {entry: 3, score: 0.45}}, want: [][2]int{{0, 3}}},
		{name: "distant runner-up", ranked: []candidate{{entry: 0, score: 0.5}, {entry: 3, score: 0.2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			neighbours := make([]map[int]bool, 4)
			linkNeighbours(neighbours, 0, tt.ranked)
			links := 0
			for _, m := range neighbours {
				links += len(m)
			}
			if links != 2*len(tt.want) {
				t.Errorf("got %d links, want %d", links, 2*len(tt.want))
			}
			for _, p := range tt.want {
				if !neighbours[p[0]][p[1]] || !neighbours[p[1]][p[0]] {
					t.Errorf("got no link between %d and %d, want one both ways", p[0], p[1])
				}
			}
		})
	}
}

func TestPairLogOdds(t *testing.T) {
	matter := map[int32]bool{1: true, 2: true, 3: true}
	own := map[int32]float64{1: 3, 2: 3, 4: 3}
	other := map[int32]float64{2: 3, 3: 3}
	odds := pairLogOdds(own, 3, other, 3, matter)

	if got := odds[1]; got <= minLogOdds || got > maxLogOdds {
		t.Errorf("feature only in own: got %v, want in (%v, %v]", got, minLogOdds, maxLogOdds)
	}
	if got := odds[3]; got >= -minLogOdds || got < -maxLogOdds {
		t.Errorf("feature only in other: got %v, want in [%v, %v)", got, -maxLogOdds, -minLogOdds)
	}
	if _, ok := odds[2]; ok {
		t.Errorf("shared feature: got log-odds %v, want none", odds[2])
	}
	if _, ok := odds[4]; ok {
		t.Errorf("feature of no matter: got log-odds %v, want none", odds[4])
	}
}

func TestLearnedWeightsOnFixture(t *testing.T) {
	e := newFixtureEngine(t)
	if e.fusion != (fusion{answer: answerGrid[0], ngram: ngramGrid[0]}) {
		t.Errorf("got fusion %+v, want the defaults, because the fixture has fewer than %d folds", e.fusion, minFolds)
	}
	if e.discriminationWeight != 0 {
		t.Errorf("got discrimination weight %v, want 0", e.discriminationWeight)
	}
}

func TestDiscriminateSwapsNeighbours(t *testing.T) {
	e := newFixtureEngine(t)
	c := e.classifier
	x, y, z := e.byID["dy-cl"], e.byID["dy-sx"], e.byID["mm"]
	a := e.analyzeText("抵押登记要几天")
	q := c.phrases.query(a.features)
	if len(q) == 0 {
		t.Fatal("got an empty question vector")
	}
	againstX := make(map[int32]float64)
	for id := range q {
		againstX[id] = -maxLogOdds
	}
	c.logOdds = make([]map[int]map[int32]float64, len(e.entries))
	c.logOdds[x] = map[int]map[int32]float64{y: againstX}

	tests := []struct {
		name   string
		ranked []candidate
		weight float64
		want   int
	}{
		{name: "neighbour takes lead", ranked: []candidate{{x, 0.5}, {z, 0.48}, {y, 0.45}}, weight: 1, want: y},
		{name: "weight zero", ranked: []candidate{{x, 0.5}, {z, 0.48}, {y, 0.45}}, weight: 0, want: x},
		{name: "non-neighbour stays", ranked: []candidate{{z, 0.5}, {x, 0.48}, {y, 0.45}}, weight: 1, want: z},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.discriminate(a, tt.ranked, discriminationK, tt.weight)
			if got := tt.ranked[0].entry; got != tt.want {
				t.Errorf("got entry %d first, want %d", got, tt.want)
			}
			if tt.ranked[0].score != 0.5 || tt.ranked[2].score != 0.45 {
				t.Errorf("got scores %v, %v, want 0.5, 0.45 kept in place", tt.ranked[0].score, tt.ranked[2].score)
			}
		})
	}
}
