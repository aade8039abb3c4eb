// Package seal encrypts records at rest. Records are sealed with
// AES-256-GCM under a data key; data keys are wrapped by a master key that
// never lives in the database. Every sealed value carries the id of the
// data key that sealed it, so keys can rotate without rewriting old data.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

// KeySize is the length of master and data keys in bytes (AES-256).
const KeySize = 32

// formatV1 is the first byte of every sealed value. A new layout gets a
// new byte so old values stay readable.
const formatV1 byte = 1

const headerLen = 1 + 4 // format byte + key id

// KeyID names a data key. Zero is never a valid id.
type KeyID uint32

// Errors returned when opening sealed values.
var (
	// ErrUnknownKey means the value was sealed by a data key the keyring lacks.
	ErrUnknownKey = errors.New("seal: value sealed with an unknown data key")
	// ErrCorrupt means the value is too short, has an unknown format or
	// fails authentication (wrong key, tampered bytes or wrong context).
	ErrCorrupt = errors.New("seal: sealed value is corrupt or was tampered with")
)

// Keyring holds the unwrapped data keys and seals new values with the
// active one. It is safe for concurrent use.
type Keyring struct {
	mu     sync.RWMutex
	aeads  map[KeyID]cipher.AEAD
	active KeyID
}

// NewKeyring returns an empty keyring. Add keys with Add before sealing.
func NewKeyring() *Keyring {
	return &Keyring{aeads: make(map[KeyID]cipher.AEAD)}
}

// Add installs a data key. The key with the highest id becomes active,
// so a rotation only has to add a key with a larger id.
func (k *Keyring) Add(id KeyID, key []byte) error {
	if id == 0 {
		return fmt.Errorf("adding data key: id 0 is reserved")
	}
	aead, err := newAEAD(key)
	if err != nil {
		return fmt.Errorf("adding data key %d: %w", id, err)
	}

	k.mu.Lock()
	defer k.mu.Unlock()
	k.aeads[id] = aead
	if id > k.active {
		k.active = id
	}
	return nil
}

// Active returns the id of the key new values are sealed with, or 0 when
// the keyring is empty.
func (k *Keyring) Active() KeyID {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.active
}

// Seal encrypts plaintext under the active key. context is authenticated
// but not stored: pass the record's location (bucket and key) so a sealed
// value copied to another record fails to open.
func (k *Keyring) Seal(plaintext, context []byte) ([]byte, error) {
	k.mu.RLock()
	id, aead := k.active, k.aeads[k.active]
	k.mu.RUnlock()
	if aead == nil {
		return nil, fmt.Errorf("sealing value: keyring has no data key")
	}

	out := make([]byte, headerLen+aead.NonceSize(), headerLen+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = formatV1
	binary.BigEndian.PutUint32(out[1:headerLen], uint32(id))
	nonce := out[headerLen:]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("sealing value: reading nonce: %w", err)
	}
	return aead.Seal(out, nonce, plaintext, additionalData(out[:headerLen], context)), nil
}

// Open decrypts a value made by Seal with the same context.
func (k *Keyring) Open(sealed, context []byte) ([]byte, error) {
	if len(sealed) < headerLen || sealed[0] != formatV1 {
		return nil, ErrCorrupt
	}
	id := KeyID(binary.BigEndian.Uint32(sealed[1:headerLen]))

	k.mu.RLock()
	aead := k.aeads[id]
	k.mu.RUnlock()
	if aead == nil {
		return nil, fmt.Errorf("opening value sealed with key %d: %w", id, ErrUnknownKey)
	}

	n := aead.NonceSize()
	if len(sealed) < headerLen+n+aead.Overhead() {
		return nil, ErrCorrupt
	}
	nonce, body := sealed[headerLen:headerLen+n], sealed[headerLen+n:]
	plain, err := aead.Open(nil, nonce, body, additionalData(sealed[:headerLen], context))
	if err != nil {
		return nil, ErrCorrupt
	}
	return plain, nil
}

// KeyOf returns the id of the data key that sealed a value.
func KeyOf(sealed []byte) (KeyID, error) {
	if len(sealed) < headerLen || sealed[0] != formatV1 {
		return 0, ErrCorrupt
	}
	return KeyID(binary.BigEndian.Uint32(sealed[1:headerLen])), nil
}

// additionalData binds the header (so the key id cannot be swapped) and the
// caller's context into the authentication tag.
func additionalData(header, context []byte) []byte {
	ad := make([]byte, 0, len(header)+len(context))
	ad = append(ad, header...)
	return append(ad, context...)
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("creating AES cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("creating GCM: %w", err)
	}
	return aead, nil
}
