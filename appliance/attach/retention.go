package attach

import (
	"context"
	"fmt"
	"time"

	"wenban/appliance/store"
)

// DeleteOlder deletes the attachments of kind created before cutoff and
// returns how many it deleted.
func (s *Store) DeleteOlder(ctx context.Context, kind Kind, cutoff time.Time) (int, error) {
	var old []ID
	err := s.db.View(func(tx *store.Tx) error {
		return tx.ScanSealed(bucketMeta, "", func(_ string, decode store.Decoder) error {
			var m Meta
			if err := decode(&m); err != nil {
				return err
			}
			if m.Kind == kind && m.CreatedAt.Before(cutoff) {
				old = append(old, m.ID)
			}
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("listing %s attachments older than %s: %w", kind, cutoff.Format(time.RFC3339), err)
	}

	deleted := 0
	for _, id := range old {
		if err := ctx.Err(); err != nil {
			return deleted, err
		}
		if err := s.Delete(ctx, id); err != nil {
			return deleted, err
		}
		deleted++
	}
	return deleted, nil
}

// RunRetention deletes attachments of kind older than keep once at start
// and then every interval, until ctx ends. Failures are logged and the
// next run tries again.
func (s *Store) RunRetention(ctx context.Context, kind Kind, keep, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		n, err := s.DeleteOlder(ctx, kind, s.now().Add(-keep))
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Error("retention run failed", "kind", kind, "deleted", n, "err", err)
		case n > 0:
			s.log.Info("retention deleted attachments", "kind", kind, "deleted", n, "keep", keep)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
