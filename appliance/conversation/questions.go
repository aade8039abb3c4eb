package conversation

import (
	"context"
	"fmt"
	"time"

	"wenban/appliance/store"
)

const bucketQuestions = "bot_questions"

// QuestionRecord is one question put to the bot and what it answered,
// kept sealed for the learning loop and the analytics.
type QuestionRecord struct {
	Question string    `json:"question"`
	Matched  bool      `json:"matched"`
	FAQID    string    `json:"faq_id,omitempty"`
	Score    float64   `json:"score"`
	Channel  string    `json:"channel,omitempty"`
	At       time.Time `json:"at"`
}

// RecordQuestion stores a bot question with its result.
func (s *Service) RecordQuestion(ctx context.Context, r QuestionRecord) error {
	if r.At.IsZero() {
		r.At = s.now()
	}
	// Questions arrive from many pages at once; batching lets them share
	// one disk sync while each caller still waits for its commit.
	err := s.db.Batch(func(tx *store.Tx) error {
		seq, err := tx.NextSeq(bucketQuestions)
		if err != nil {
			return err
		}
		if err := tx.PutSealed(bucketQuestions, store.SeqKey(seq), r); err != nil {
			return err
		}
		// Keys run in sequence, so dropping the one MaxQuestions behind
		// keeps exactly the newest MaxQuestions once trimQuestions has run.
		if limit := uint64(s.opts.MaxQuestions); seq > limit {
			return tx.Delete(bucketQuestions, store.SeqKey(seq-limit))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("recording bot question: %w", err)
	}
	return nil
}

// Questions returns the recorded bot questions, oldest first.
func (s *Service) Questions(ctx context.Context) ([]QuestionRecord, error) {
	var out []QuestionRecord
	err := s.db.View(func(tx *store.Tx) error {
		return tx.ScanSealed(bucketQuestions, "", func(_ string, decode store.Decoder) error {
			var r QuestionRecord
			if err := decode(&r); err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing bot questions: %w", err)
	}
	return out, nil
}

// trimQuestions deletes the questions older than the newest MaxQuestions,
// which a lower cap, or records from before the cap existed, leave
// behind. It reads keys only, so it decrypts nothing.
func (s *Service) trimQuestions() error {
	var old []string
	err := s.db.View(func(tx *store.Tx) error {
		var keys []string
		err := tx.Scan(bucketQuestions, "", func(key string, _ store.Decoder) error {
			keys = append(keys, key)
			return nil
		})
		if excess := len(keys) - s.opts.MaxQuestions; excess > 0 {
			old = keys[:excess]
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("listing bot questions to trim: %w", err)
	}
	if len(old) == 0 {
		return nil
	}

	err = s.db.Update(func(tx *store.Tx) error {
		for _, key := range old {
			if err := tx.Delete(bucketQuestions, key); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("trimming %d bot questions: %w", len(old), err)
	}
	s.log.Info("old bot questions trimmed", "deleted", len(old), "kept", s.opts.MaxQuestions)
	return nil
}
