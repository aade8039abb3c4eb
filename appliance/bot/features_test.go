package bot

import "testing"

func TestAnalyzeKeepsVariantCharacters(t *testing.T) {
	n, lx := loadEmbeddedLexicon(t)
	a := analyze(newSegmenter(lx).segment(n.normalize("红本丢了")))

	tests := []struct {
		name string
		key  string
		want bool
	}{
		{"canonical term", "t:不动产权证书", true},
		{"canonical bigram", "b:证书", true},
		{"variant bigram", "b:红本", true},
		{"variant unigram", "u:红", true},
		{"no bigram across the rewrite", "b:本证", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hasFeature(a, tt.key); got != tt.want {
				t.Errorf("analysis of 红本丢了 has %s: got %v, want %v", tt.key, got, tt.want)
			}
		})
	}
}

func TestIsStopBigram(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"b:你们", true},
		{"b:这个", true},
		{"b:们那", true},
		{"b:抵押", false},
		{"b:的房", false},
		{"b:我", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if got := isStopBigram(tt.key); got != tt.want {
				t.Errorf("isStopBigram(%q): got %v, want %v", tt.key, got, tt.want)
			}
		})
	}
}

func TestUnknownStopBigramWeighsNothing(t *testing.T) {
	fs := newFeatureSpace([][]analysis{{{features: []feature{{key: "b:抵押", kind: featBigram}}}}},
		defaultScoring.kind, defaultScoring.unknown)

	if got := fs.weight(feature{key: "b:你们", kind: featBigram}); got != 0 {
		t.Errorf("weight of unknown b:你们: got %v, want 0", got)
	}
	if got := fs.weight(feature{key: "b:房价", kind: featBigram}); got <= 0 {
		t.Errorf("weight of unknown b:房价: got %v, want above 0", got)
	}
}
