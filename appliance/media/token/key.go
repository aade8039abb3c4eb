package token

import (
	"fmt"

	"wenban/appliance/seal"
)

// keyPurpose names the media token key among the keys derived from the
// master key. Changing it invalidates every token issued.
const keyPurpose = "wenban media token v1"

// FromMaster returns the Signer whose key is derived from the master key.
// The running hub and `wenban media token` derive the same key, so a
// technician can issue tokens while the hub holds the database open, and
// a copied database without the master key cannot forge tokens.
func FromMaster(m *seal.MasterKey) (*Signer, error) {
	key, err := m.Derive(keyPurpose, MinKeySize)
	if err != nil {
		return nil, fmt.Errorf("loading media token key: %w", err)
	}
	return New(key)
}
