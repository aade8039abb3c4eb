package auth

import (
	"context"
	"fmt"

	"wenban/appliance/store"
)

// sweepInterval is how often Login triggers Sweep. Expired records do no
// harm meanwhile because Authenticate rejects them on its own.
const sweepInterval = FailureWindow

// Sweep deletes expired sessions and attempt records that no longer lock
// anything. Login runs it at most every sweepInterval, so calling it from
// outside is optional.
func (s *Service) Sweep(ctx context.Context) error {
	if err := checkContext(ctx); err != nil {
		return err
	}

	now := s.now()
	var sessions, failures []string
	err := s.db.Update(func(tx *store.Tx) error {
		err := tx.ScanSealed(sessionsBucket, "", func(key string, decode store.Decoder) error {
			var sess Session
			if err := decode(&sess); err != nil {
				return err
			}
			if s.expired(sess, now) {
				sessions = append(sessions, key)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("listing sessions: %w", err)
		}

		err = tx.Scan(failuresBucket, "", func(key string, decode store.Decoder) error {
			var f failureRecord
			if err := decode(&f); err != nil {
				return err
			}
			if f.stale(now) {
				failures = append(failures, key)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("listing login attempts: %w", err)
		}

		if err := deleteAll(tx, sessionsBucket, sessions); err != nil {
			return err
		}
		return deleteAll(tx, failuresBucket, failures)
	})
	if err != nil {
		return fmt.Errorf("sweeping expired records: %w", err)
	}

	s.log.Debug("swept expired records", "sessions", len(sessions), "attempt_records", len(failures))
	return nil
}

func deleteAll(tx *store.Tx, bucket string, keys []string) error {
	for _, key := range keys {
		if err := tx.Delete(bucket, key); err != nil {
			return err
		}
	}
	return nil
}

// sweepIfDue runs Sweep when sweepInterval has passed since the last run.
// A failed sweep is logged and retried at the next interval.
func (s *Service) sweepIfDue() {
	now := s.now()
	s.mu.Lock()
	due := now.Sub(s.lastSweep) >= sweepInterval
	if due {
		s.lastSweep = now
	}
	s.mu.Unlock()

	if !due {
		return
	}
	if err := s.Sweep(context.Background()); err != nil {
		s.log.Error("sweeping expired sessions failed", "err", err)
	}
}
