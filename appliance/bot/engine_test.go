package bot

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"wenban/appliance/kb"
)

func TestAskMatterOutweighsAskType(t *testing.T) {
	e := newFixtureEngine(t)
	tests := []struct {
		name string
		q    string
		want string
	}{
		{"same matter, materials", "抵押登记要带什么材料", "dy-cl"},
		{"same matter, time limit", "办抵押要几天能好", "dy-sx"},
		{"other matter, materials", "解押要带什么", "dyzx"},
		{"other matter, time limit", "采矿证延续要多久", "ckyx"},
		{"matter alone", "红本丢了", "bz"},
		{"ask type of the service", "你们几点上班", "sj"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.Ask(tt.q)
			if !got.Matched {
				t.Fatalf("Ask(%q) matched nothing (score %.3f), want %s", tt.q, got.Score, tt.want)
			}
			if got.FAQID != tt.want {
				t.Errorf("Ask(%q) matched %s, want %s", tt.q, got.FAQID, tt.want)
			}
		})
	}
}

func TestAskRejectsOutOfScope(t *testing.T) {
	e := newFixtureEngine(t)
	for _, q := range []string{"今天天气怎么样", "公积金怎么提取", "社保卡丢了怎么补办", "你好", "asdfgh", "。。。"} {
		got := e.Ask(q)
		if got.Matched {
			t.Errorf("Ask(%q) matched %s with score %.3f, want no match", q, got.FAQID, got.Score)
		}
	}
}

func TestAskResultShape(t *testing.T) {
	e := newFixtureEngine(t)

	matched := e.Ask("房产证丢了怎么补办")
	if !matched.Matched || matched.FAQID != "bz" {
		t.Fatalf("Ask matched %q, want bz", matched.FAQID)
	}
	want, _ := e.Entry("bz")
	if matched.Question != want.Question || matched.Answer != want.Answer {
		t.Errorf("got question %q and answer %q, want those of entry bz", matched.Question, matched.Answer)
	}
	if len(matched.Suggestions) > maxSuggestions {
		t.Errorf("got %d suggestions, want at most %d", len(matched.Suggestions), maxSuggestions)
	}
	for _, s := range matched.Suggestions {
		if s.FAQID == matched.FAQID {
			t.Errorf("suggestions include the matched entry %s", s.FAQID)
		}
	}

	rejected := e.Ask("今天天气怎么样")
	if rejected.Matched || rejected.FAQID != "" || rejected.Question != "" || rejected.Answer != "" || rejected.Materials != nil {
		t.Errorf("unmatched result = %+v, want empty entry fields", rejected)
	}
	if rejected.Suggestions == nil || len(rejected.Suggestions) != 0 {
		t.Errorf("unmatched chit-chat: got suggestions %v, want an empty slice", rejected.Suggestions)
	}

	materials := e.Ask("办抵押登记要准备哪些材料")
	if len(materials.Materials) != 2 {
		t.Errorf("got materials %v, want the 2 of entry dy-cl", materials.Materials)
	}
}

func TestAskUnmatchedKeepsSuggestions(t *testing.T) {
	e := newTestEngine(t, fixtureEntries(), Options{Threshold: 1})
	got := e.Ask("抵押登记要带什么")
	if got.Matched {
		t.Fatalf("with threshold 1, Ask matched %s, want no match", got.FAQID)
	}
	if len(got.Suggestions) == 0 || got.Suggestions[0].FAQID != "dy-cl" {
		t.Errorf("got suggestions %v, want dy-cl first", got.Suggestions)
	}
}

func TestSuggest(t *testing.T) {
	e := newFixtureEngine(t)
	tests := []struct {
		name string
		text string
		n    int
		want int
	}{
		{"top three", "抵押登记", 3, 3},
		{"none asked", "抵押登记", 0, 0},
		{"negative", "抵押登记", -1, 0},
		{"more than similar entries", "抵押登记", 100, 3},
		{"nothing similar", "天气", 3, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.Suggest(tt.text, tt.n)
			if got == nil {
				t.Fatalf("Suggest returned nil, want a slice")
			}
			if tt.name == "more than similar entries" {
				if len(got) < tt.want || len(got) > len(fixtureEntries()) {
					t.Errorf("got %d suggestions, want between %d and %d", len(got), tt.want, len(fixtureEntries()))
				}
				return
			}
			if len(got) != tt.want {
				t.Errorf("got %d suggestions, want %d", len(got), tt.want)
			}
			for i := 1; i < len(got); i++ {
				if got[i].Score > got[i-1].Score {
					t.Errorf("suggestion %d scores %.3f above suggestion %d at %.3f, want best first", i, got[i].Score, i-1, got[i-1].Score)
				}
			}
		})
	}
}

func TestEntryAndSize(t *testing.T) {
	e := newFixtureEngine(t)
	if got, want := e.Size(), len(fixtureEntries()); got != want {
		t.Errorf("Size() = %d, want %d", got, want)
	}
	if got, ok := e.Entry("ckyx"); !ok || got.Category != "矿业权" {
		t.Errorf("Entry(ckyx) = %+v, %v, want the mining entry", got, ok)
	}
	if _, ok := e.Entry("missing"); ok {
		t.Errorf("Entry(missing) found an entry, want none")
	}
}

func TestNewRejectsBadInput(t *testing.T) {
	dup := append(fixtureEntries(), fixtureEntries()[0])
	noQuestion := fixtureEntries()
	noQuestion[1].Question = ""
	tests := []struct {
		name    string
		entries []kb.Entry
		opts    Options
		wantErr string
	}{
		{"duplicate ID", dup, Options{}, `"dy-cl" appears twice`},
		{"empty question", noQuestion, Options{}, `"dy-sx"`},
		{"negative threshold", fixtureEntries(), Options{Threshold: -0.1}, "threshold"},
		{"threshold above one", fixtureEntries(), Options{Threshold: 1.5}, "threshold"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.entries, tt.opts)
			if err == nil {
				t.Fatalf("New: got no error, want one containing %s", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("New: got error %q, want it to contain %s", err, tt.wantErr)
			}
		})
	}
}

func TestNewEmpty(t *testing.T) {
	e := newTestEngine(t, nil, Options{})
	got := e.Ask("房本丢了")
	if got.Matched || got.Suggestions == nil || len(got.Suggestions) != 0 {
		t.Errorf("Ask on an empty engine = %+v, want no match and no suggestions", got)
	}
}

func TestAskConcurrent(t *testing.T) {
	e := newFixtureEngine(t)
	questions := []string{"房本丢了", "抵押登记要带什么", "采矿证延续", "天气", "几点上班"}
	want := make([]Result, len(questions))
	for i, q := range questions {
		want[i] = e.Ask(q)
	}

	var wg sync.WaitGroup
	errs := make(chan string, 8*len(questions))
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, q := range questions {
				if got := e.Ask(q); got.FAQID != want[i].FAQID || got.Score != want[i].Score {
					errs <- fmt.Sprintf("Ask(%q) = %s %.3f, want %s %.3f", q, got.FAQID, got.Score, want[i].FAQID, want[i].Score)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
}
