package token

import (
	"crypto/rand"
	"fmt"

	"wenban/appliance/store"
)

// The signing key lives sealed in the store, so tokens issued by the
// command line and checked by the running hub share it, and a copied
// database without the master key cannot forge tokens.
const (
	keyBucket = "media"
	keyName   = "token-key"
)

// OpenSigner returns the Signer under the store's token key, creating
// the key on first use.
func OpenSigner(db *store.DB) (*Signer, error) {
	var key []byte
	err := db.Update(func(tx *store.Tx) error {
		found, err := tx.GetSealed(keyBucket, keyName, &key)
		if err != nil {
			return err
		}
		if found {
			return nil
		}
		key = make([]byte, MinKeySize)
		if _, err := rand.Read(key); err != nil {
			return err
		}

		return tx.PutSealed(keyBucket, keyName, key)
	})
	if err != nil {
		return nil, fmt.Errorf("loading media token key: %w", err)
	}

	return New(key)
}
