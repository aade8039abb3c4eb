package conversation

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

// questionTexts returns the stored questions' texts, oldest first.
func questionTexts(t *testing.T, s *Service) []string {
	t.Helper()
	recs, err := s.Questions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Question
	}
	return out
}

func TestQuestionsKeepNewestUnderCap(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, dir)
	s, err := NewService(db, Options{MaxQuestions: 3})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := 1; i <= 5; i++ {
		if err := s.RecordQuestion(ctx, QuestionRecord{Question: fmt.Sprintf("问题%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := questionTexts(t, s), []string{"问题3", "问题4", "问题5"}; !slices.Equal(got, want) {
		t.Errorf("after 5 questions under a cap of 3: got %v, want %v", got, want)
	}
	s.Close()

	// A lower cap at the next start trims what the old one kept.
	s, err = NewService(db, Options{MaxQuestions: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		db.Close()
	})
	if got, want := questionTexts(t, s), []string{"问题4", "问题5"}; !slices.Equal(got, want) {
		t.Errorf("after restarting with a cap of 2: got %v, want %v", got, want)
	}
	if err := s.RecordQuestion(ctx, QuestionRecord{Question: "问题6"}); err != nil {
		t.Fatal(err)
	}
	if got, want := questionTexts(t, s), []string{"问题5", "问题6"}; !slices.Equal(got, want) {
		t.Errorf("after one more question: got %v, want %v", got, want)
	}
}
