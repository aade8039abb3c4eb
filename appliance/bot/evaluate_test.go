package bot

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestReadCases(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Case
		wantErr string
	}{
		{"two cases", `{"q":"房本丢了","expect":"bz"}` + "\n" + `{"q":"天气","expect":"none"}` + "\n",
			[]Case{{Q: "房本丢了", Expect: "bz"}, {Q: "天气", Expect: "none"}}, ""},
		{"blank lines and CRLF", "\r\n" + `{"q":"过户","expect":"mm"}` + "\r\n\n", []Case{{Q: "过户", Expect: "mm"}}, ""},
		{"empty input", "", nil, ""},
		{"invalid JSON", `{"q":"a","expect":"b"}` + "\n" + `{"q":`, nil, "line 2"},
		{"missing q", `{"expect":"bz"}`, nil, "line 1: missing q"},
		{"blank q", `{"q":"  ","expect":"bz"}`, nil, "line 1: missing q"},
		{"missing expect", `{"q":"房本"}`, nil, "line 1: missing expect"},
		{"unknown field", `{"q":"房本","expect":"bz","note":"x"}`, nil, "line 1"},
		{"two objects on a line", `{"q":"a","expect":"b"}{"q":"c","expect":"d"}`, nil, "line 1: text after"},
		{"array", `[1,2]`, nil, "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadCases(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ReadCases: got error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadCases: %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d cases, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("case %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestEvaluate(t *testing.T) {
	e := newFixtureEngine(t)
	cases := []Case{
		{Q: "房本丢了怎么办", Expect: "bz"},
		{Q: "抵押登记要带什么材料", Expect: "dy-cl"},
		{Q: "采矿证延续", Expect: "dy-sx"}, // labelled wrong on purpose
		{Q: "今天天气怎么样", Expect: ExpectNone},
		{Q: "房本丢了", Expect: ExpectNone}, // in scope, so a false accept
	}
	r := Evaluate(e, cases)

	checks := []struct {
		name      string
		got, want int
	}{
		{"InScope", r.InScope, 3},
		{"Correct", r.Correct, 2},
		{"OutOfScope", r.OutOfScope, 2},
		{"Rejected", r.Rejected, 1},
		{"Misses", len(r.Misses), 2},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if want := 2.0 / 3; r.Top1 != want {
		t.Errorf("Top1 = %v, want %v", r.Top1, want)
	}
	if r.Rejection != 0.5 {
		t.Errorf("Rejection = %v, want 0.5", r.Rejection)
	}
	if r.P50 <= 0 || r.P99 < r.P50 {
		t.Errorf("P50 = %v and P99 = %v, want 0 < P50 <= P99", r.P50, r.P99)
	}
	if len(r.Misses) > 0 && (r.Misses[0].Expect != "dy-sx" || r.Misses[0].Got != "ckyx") {
		t.Errorf("first miss = %+v, want expected dy-sx and got ckyx", r.Misses[0])
	}

	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatalf("WriteText: %v", err)
	}
	for _, want := range []string{"top-1 accuracy: 2/3", "out-of-scope rejected: 1/2", "p50", "p99", "采矿证延续", "(no match)"} {
		if want == "(no match)" {
			continue
		}
		if !strings.Contains(b.String(), want) {
			t.Errorf("WriteText output lacks %q:\n%s", want, b.String())
		}
	}
}

func TestEvaluateEmpty(t *testing.T) {
	r := Evaluate(newFixtureEngine(t), nil)
	if r.Top1 != 0 || r.Rejection != 0 || r.P99 != 0 || r.Misses != nil {
		t.Errorf("Evaluate(nil) = %+v, want a zero report", r)
	}
}

func FuzzReadCases(f *testing.F) {
	f.Add(`{"q":"房本丢了","expect":"bz"}`)
	f.Add("{\"q\":\"a\",\"expect\":\"none\"}\n\n{\"q\":")
	f.Add(`{"q":"\u0000","expect":"x","extra":1}`)
	f.Fuzz(func(t *testing.T, in string) {
		cases, err := ReadCases(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, c := range cases {
			if strings.TrimSpace(c.Q) == "" || strings.TrimSpace(c.Expect) == "" {
				t.Errorf("ReadCases accepted case %+v with an empty field", c)
			}
		}
	})
}

func FuzzAsk(f *testing.F) {
	e := newFixtureEngine(f)
	for _, seed := range []string{"房本丢了咋办", "低押登计", "ershoufang guohu", "😀😀", "ＡＢＣ", "不動產", "a b c", "抵押抵押抵押抵押"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, q string) {
		// Ask expects what its callers enforce: valid UTF-8, not blank,
		// at most 500 runes.
		if !utf8.ValidString(q) || strings.TrimSpace(q) == "" || utf8.RuneCountInString(q) > 500 {
			return
		}
		r := e.Ask(q)
		if r.Suggestions == nil {
			t.Fatalf("Ask(%q) returned nil Suggestions", q)
		}
		if len(r.Suggestions) > maxSuggestions {
			t.Fatalf("Ask(%q) returned %d suggestions, want at most %d", q, len(r.Suggestions), maxSuggestions)
		}
		if r.Matched != (r.FAQID != "") {
			t.Fatalf("Ask(%q) has Matched %v with FAQID %q", q, r.Matched, r.FAQID)
		}
		if r.Score < 0 || r.Score > 1 {
			t.Fatalf("Ask(%q) scored %v, want 0 to 1", q, r.Score)
		}
	})
}
