package seal

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// CredentialName is the systemd credential (LoadCredential= or
// LoadCredentialEncrypted=) that holds the master key when the hub runs
// under systemd. It wins over the key file.
const CredentialName = "wenban-master-key"

// MasterKey wraps and unwraps data keys. It is read from a systemd
// credential or a key file and is never written into the database.
type MasterKey struct {
	aead interface {
		Seal(dst, nonce, plaintext, additionalData []byte) []byte
		Open(dst, nonce, ciphertext, additionalData []byte) ([]byte, error)
		NonceSize() int
	}
	// prk is the HKDF pseudorandom key that Derive expands, so the raw
	// master key is kept only inside the AEAD.
	prk []byte
	// Source names where the key came from, for the start-up log. It never
	// contains key material.
	Source string
}

// LoadMasterKey reads the master key. It looks first for the systemd
// credential in $CREDENTIALS_DIRECTORY, then for keyFile. When neither
// exists, it creates keyFile with a fresh random key and mode 0600. The
// file contains the key as 64 hex digits and a newline.
func LoadMasterKey(keyFile string) (*MasterKey, error) {
	return OpenMasterKey(keyFile, true)
}

// ErrNoMasterKey means neither the credential nor the key file exists
// and creating a key was not allowed.
var ErrNoMasterKey = errors.New("master key not found")

// OpenMasterKey is LoadMasterKey with the creation of a new key under the
// caller's control. Callers pass create=false when data sealed under some
// key exists already: a fresh key could not open it, and a stray key file
// would only confuse the next start.
func OpenMasterKey(keyFile string, create bool) (*MasterKey, error) {
	if dir := os.Getenv("CREDENTIALS_DIRECTORY"); dir != "" {
		path := filepath.Join(dir, CredentialName)
		raw, err := os.ReadFile(path)
		switch {
		case err == nil:
			return parseMasterKey(raw, "systemd credential "+CredentialName)
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("reading master key credential %s: %w", path, err)
		}
	}

	f, err := os.Open(keyFile)
	if errors.Is(err, fs.ErrNotExist) {
		if !create {
			return nil, fmt.Errorf("%w: no credential %s in $CREDENTIALS_DIRECTORY and no file %s, but the database exists; restore the key that sealed it", ErrNoMasterKey, CredentialName, keyFile)
		}
		return createMasterKey(keyFile)
	}
	if err != nil {
		return nil, fmt.Errorf("opening master key file %s: %w", keyFile, err)
	}
	defer f.Close()

	// Check the opened file itself, so a swap between check and read
	// cannot slip a readable file in.
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("checking master key file %s: %w", keyFile, err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("master key file %s is not a regular file", keyFile)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("master key file %s has mode %v, so other users can read it: run chmod 600 on it", keyFile, info.Mode().Perm())
	}
	raw, err := io.ReadAll(io.LimitReader(f, 256))
	if err != nil {
		return nil, fmt.Errorf("reading master key file %s: %w", keyFile, err)
	}
	return parseMasterKey(raw, "file "+keyFile)
}

func createMasterKey(keyFile string) (*MasterKey, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generating master key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(keyFile), 0o700); err != nil {
		return nil, fmt.Errorf("creating master key folder: %w", err)
	}

	// O_EXCL so two processes starting at once cannot both create a key and
	// leave one of them with data sealed under a lost key.
	f, err := os.OpenFile(keyFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating master key file %s: %w", keyFile, err)
	}
	_, werr := f.WriteString(hex.EncodeToString(key) + "\n")
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(keyFile)
		return nil, fmt.Errorf("writing master key file %s: %w", keyFile, err)
	}
	return newMasterKey(key, "new file "+keyFile)
}

func parseMasterKey(raw []byte, source string) (*MasterKey, error) {
	key, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(key) != KeySize {
		return nil, fmt.Errorf("master key from %s must be %d hex digits", source, 2*KeySize)
	}
	return newMasterKey(key, source)
}

// NewMasterKey builds a master key from raw bytes, for tests and tools.
func NewMasterKey(key []byte) (*MasterKey, error) {
	return newMasterKey(key, "memory")
}

func newMasterKey(key []byte, source string) (*MasterKey, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, fmt.Errorf("master key from %s: %w", source, err)
	}

	prk, err := hkdf.Extract(sha256.New, key, []byte("wenban master key derivation"))
	if err != nil {
		return nil, fmt.Errorf("master key from %s: %w", source, err)
	}
	return &MasterKey{aead: aead, prk: prk, Source: source}, nil
}

// Derive returns size bytes of key material for one purpose, such as
// signing media tokens. Every process holding the master key derives the
// same bytes without reading the database, and different purposes get
// independent keys.
func (m *MasterKey) Derive(purpose string, size int) ([]byte, error) {
	key, err := hkdf.Expand(sha256.New, m.prk, purpose, size)
	if err != nil {
		return nil, fmt.Errorf("deriving %s key: %w", purpose, err)
	}
	return key, nil
}

// wrapContext ties a wrapped data key to its id.
func wrapContext(id KeyID) []byte {
	return fmt.Appendf(nil, "wenban data key %d", id)
}

// Wrap encrypts a data key for storage.
func (m *MasterKey) Wrap(id KeyID, dataKey []byte) ([]byte, error) {
	nonce := make([]byte, m.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("wrapping data key %d: reading nonce: %w", id, err)
	}
	return m.aead.Seal(nonce, nonce, dataKey, wrapContext(id)), nil
}

// Unwrap decrypts a data key made by Wrap. A wrong master key fails here,
// before any record is touched.
func (m *MasterKey) Unwrap(id KeyID, wrapped []byte) ([]byte, error) {
	n := m.aead.NonceSize()
	if len(wrapped) < n {
		return nil, fmt.Errorf("unwrapping data key %d: %w", id, ErrCorrupt)
	}
	key, err := m.aead.Open(nil, wrapped[:n], wrapped[n:], wrapContext(id))
	if err != nil {
		return nil, fmt.Errorf("unwrapping data key %d: wrong master key or damaged keyring: %w", id, ErrCorrupt)
	}
	return key, nil
}

// NewDataKey returns fresh random key material.
func NewDataKey() ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generating data key: %w", err)
	}
	return key, nil
}
