package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"wenban/appliance/store"
)

// indexKeyName is the metaBucket entry that contains the HMAC key for the
// login name index.
const indexKeyName = "login_index_key"

type indexKeyRecord struct {
	Key []byte `json:"key"`
}

// loginEntry maps a login key to its account.
type loginEntry struct {
	AccountID string `json:"account_id"`
}

// loginKey returns hex(HMAC-SHA256(indexKey, login)) for a normalized
// login name. The index is keyed by it so that the database file contains no
// login name in plain text, while a lookup stays one read.
//
// It may open its own write transaction, so never call it inside one:
// bbolt would deadlock on its single writer lock.
func (s *Service) loginKey(login string) (string, error) {
	key, err := s.loadIndexKey()
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(login))
	return hex.EncodeToString(mac.Sum(nil)), nil
}

// loadIndexKey reads the per-database index key, creating it on first use.
func (s *Service) loadIndexKey() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.indexKey != nil {
		return s.indexKey, nil
	}

	var rec indexKeyRecord
	err := s.db.Update(func(tx *store.Tx) error {
		found, err := tx.GetSealed(metaBucket, indexKeyName, &rec)
		if err != nil || found {
			return err
		}
		rec.Key, err = randomBytes(32)
		if err != nil {
			return err
		}
		return tx.PutSealed(metaBucket, indexKeyName, rec)
	})
	if err != nil {
		return nil, fmt.Errorf("loading login index key: %w", err)
	}
	if len(rec.Key) != 32 {
		return nil, fmt.Errorf("loading login index key: got %d bytes, want 32", len(rec.Key))
	}
	s.indexKey = rec.Key
	return s.indexKey, nil
}
