package conversation

import (
	"context"

	"wenban/appliance/store"
)

// RecalledLines returns the recalled lines of a conversation as they were
// sent, text and attachment included, with who recalled each and when.
// It is the audit view for supervisors; pages never get these lines
// unblanked any other way.
func (s *Service) RecalledLines(ctx context.Context, id ID) ([]Message, error) {
	var out []Message
	err := s.db.View(func(tx *store.Tx) error {
		if _, err := getConversation(tx, id); err != nil {
			return err
		}
		return tx.ScanSealed(bucketMessages, string(id)+"/", func(_ string, decode store.Decoder) error {
			var m Message
			if err := decode(&m); err != nil {
				return err
			}
			if m.Recalled {
				out = append(out, m)
			}
			return nil
		})
	})
	return out, err
}
