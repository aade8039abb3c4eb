package ime

import (
	"strings"
	"testing"
)

func TestCandidates(t *testing.T) {
	tests := []struct {
		name         string
		input        string
		wantFirst    string
		wantConsumed int
	}{
		{"domain word", "budongchan", "不动产", 10},
		{"word prefix", "zhaiji", "宅基地", 6},
		{"frequent character first", "de", "的", 2},
		{"first syllable of a run", "woyao", "我", 2},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Candidates(tt.input, 8)
			if len(got) == 0 {
				t.Fatalf("Candidates(%q): got none, want %q first", tt.input, tt.wantFirst)
			}
			if got[0].Text != tt.wantFirst {
				t.Errorf("first candidate: got %q, want %q", got[0].Text, tt.wantFirst)
			}
			if got[0].Consumed != tt.wantConsumed {
				t.Errorf("consumed: got %d, want %d", got[0].Consumed, tt.wantConsumed)
			}
		})
	}
}

func TestCandidatesLimitAndInvalid(t *testing.T) {
	if got := Candidates("shi", 5); len(got) != 5 {
		t.Errorf("limit 5: got %d candidates, want 5", len(got))
	}

	for _, input := range []string{"", "Shi", "shi1", "是", strings.Repeat("a", MaxInput+1)} {
		if got := Candidates(input, 5); got != nil {
			t.Errorf("Candidates(%q): got %v, want none", input, got)
		}
	}
}

func TestCandidatesOnlyGB2312(t *testing.T) {
	for _, c := range Candidates("yi", 200) {
		for _, r := range c.Text {
			if gb2312Level(r) == 0 {
				t.Errorf("candidate %q has %q outside GB 2312", c.Text, r)
			}
		}
	}
}

func FuzzCandidates(f *testing.F) {
	f.Add("budongchan")
	f.Add("zzzzzz")
	f.Add("a")

	f.Fuzz(func(t *testing.T, input string) {
		for _, c := range Candidates(input, 10) {
			if c.Consumed < 1 || c.Consumed > len(input) {
				t.Fatalf("Candidates(%q): consumed %d is outside 1..%d", input, c.Consumed, len(input))
			}
		}
	})
}
