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

// indexKeyRecord is a metaBucket key entry, for the index key and the
// device cookie key alike.
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
	return s.loadMetaKey(indexKeyName, &s.indexKey)
}

// loadDeviceKey reads the per-database device cookie key, creating it on
// first use. Like loginKey, never call it inside a transaction.
func (s *Service) loadDeviceKey() ([]byte, error) {
	return s.loadMetaKey(deviceKeyName, &s.deviceKey)
}

// loadMetaKey reads the 32-byte key stored sealed under name in
// metaBucket, creating it on first use, and caches it in *cached.
func (s *Service) loadMetaKey(name string, cached *[]byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if *cached != nil {
		return *cached, nil
	}

	var rec indexKeyRecord
	err := s.db.Update(func(tx *store.Tx) error {
		found, err := tx.GetSealed(metaBucket, name, &rec)
		if err != nil || found {
			return err
		}
		rec.Key, err = randomBytes(32)
		if err != nil {
			return err
		}
		return tx.PutSealed(metaBucket, name, rec)
	})
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", name, err)
	}
	if len(rec.Key) != 32 {
		return nil, fmt.Errorf("loading %s: got %d bytes, want 32", name, len(rec.Key))
	}
	*cached = rec.Key
	return rec.Key, nil
}
