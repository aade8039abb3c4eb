package bundle

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Key files are PEM text in the forms OpenSSL uses for Ed25519, so
// `openssl pkey` can inspect them: a private key is one "PRIVATE KEY"
// block holding PKCS #8 DER, a public key is one "PUBLIC KEY" block
// holding PKIX DER.
const (
	privateKeyBlock = "PRIVATE KEY"
	publicKeyBlock  = "PUBLIC KEY"
)

// Key file permissions. A private key file must not be accessible to
// group or others.
const (
	PrivateKeyFileMode = 0o600
	PublicKeyFileMode  = 0o644
)

// KeyID names a public key: the lowercase hex of the first 8 bytes of the
// SHA-256 digest of the 32-byte raw public key.
type KeyID string

// KeyIDOf computes the KeyID of pub.
func KeyIDOf(pub ed25519.PublicKey) KeyID {
	sum := sha256.Sum256(pub)
	return KeyID(hex.EncodeToString(sum[:8]))
}

// GenerateKey creates a signing key pair from crypto/rand.
func GenerateKey() (ed25519.PublicKey, ed25519.PrivateKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generating ed25519 key: %w", err)
	}
	return pub, priv, nil
}

// MarshalPrivateKey encodes priv as a PEM "PRIVATE KEY" block (PKCS #8).
func MarshalPrivateKey(priv ed25519.PrivateKey) ([]byte, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("%w: private key is %d bytes, want %d", ErrInvalidKey, len(priv), ed25519.PrivateKeySize)
	}

	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("encoding private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: privateKeyBlock, Bytes: der}), nil
}

// MarshalPublicKey encodes pub as a PEM "PUBLIC KEY" block (PKIX).
func MarshalPublicKey(pub ed25519.PublicKey) ([]byte, error) {
	if len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: public key is %d bytes, want %d", ErrInvalidKey, len(pub), ed25519.PublicKeySize)
	}

	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("encoding public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: publicKeyBlock, Bytes: der}), nil
}

// ParsePrivateKey decodes exactly one PEM "PRIVATE KEY" block holding an
// Ed25519 key. Text around the block other than whitespace is rejected.
func ParsePrivateKey(data []byte) (ed25519.PrivateKey, error) {
	block, rest := decodePEM(data)
	if block == nil || block.Type != privateKeyBlock {
		return nil, fmt.Errorf("%w: want one PEM %q block", ErrInvalidKey, privateKeyBlock)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, fmt.Errorf("%w: data after the PEM block", ErrInvalidKey)
	}

	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidKey, err)
	}
	priv, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: private key is %T, want Ed25519", ErrInvalidKey, key)
	}
	return priv, nil
}

// ParsePublicKeys decodes one or more PEM "PUBLIC KEY" blocks holding
// Ed25519 keys, such as the file of trusted keys baked into the image.
// Duplicate keys and non-whitespace text between blocks are rejected.
func ParsePublicKeys(data []byte) ([]ed25519.PublicKey, error) {
	var keys []ed25519.PublicKey
	seen := make(map[KeyID]bool)
	rest := data
	for len(bytes.TrimSpace(rest)) != 0 {
		var block *pem.Block
		block, rest = decodePEM(rest)
		if block == nil || block.Type != publicKeyBlock {
			return nil, fmt.Errorf("%w: key %d: want a PEM %q block", ErrInvalidKey, len(keys)+1, publicKeyBlock)
		}

		pub, err := parsePublicKeyDER(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", len(keys)+1, err)
		}
		id := KeyIDOf(pub)
		if seen[id] {
			return nil, fmt.Errorf("%w: key %s listed twice", ErrInvalidKey, id)
		}
		seen[id] = true
		keys = append(keys, pub)
	}

	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: no PEM %q block", ErrInvalidKey, publicKeyBlock)
	}
	return keys, nil
}

// decodePEM decodes the PEM block at the start of data. pem.Decode skips
// any text before a block, which would let stray text hide in a key file.
func decodePEM(data []byte) (*pem.Block, []byte) {
	if !bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("-----BEGIN ")) {
		return nil, data
	}
	return pem.Decode(data)
}

func parsePublicKeyDER(der []byte) (ed25519.PublicKey, error) {
	key, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidKey, err)
	}
	pub, ok := key.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: public key is %T, want Ed25519", ErrInvalidKey, key)
	}
	return pub, nil
}

// WritePrivateKeyFile creates path with mode 0600 and writes priv to it.
// It fails when path exists, so an existing signing key is never replaced.
func WritePrivateKeyFile(path string, priv ed25519.PrivateKey) error {
	data, err := MarshalPrivateKey(priv)
	if err != nil {
		return err
	}
	return writeNewFile(path, data, PrivateKeyFileMode)
}

// WritePublicKeyFile creates path with mode 0644 and writes pub to it. It
// fails when path exists.
func WritePublicKeyFile(path string, pub ed25519.PublicKey) error {
	data, err := MarshalPublicKey(pub)
	if err != nil {
		return err
	}
	return writeNewFile(path, data, PublicKeyFileMode)
}

// ReadPrivateKeyFile reads a key written by WritePrivateKeyFile. It
// rejects a file that group or others may access, as OpenSSH does,
// because such a key may already have leaked.
func ReadPrivateKeyFile(path string) (ed25519.PrivateKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening private key %s: %w", path, err)
	}
	defer f.Close()

	// Check the opened file, so a swap between check and read cannot slip
	// another file in.
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("checking private key %s: %w", path, err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o, want 0600 (run chmod 600 %s)", ErrKeyPermissions, path, perm, path)
	}

	data, err := readSmallFile(f, path)
	if err != nil {
		return nil, err
	}
	priv, err := ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("private key %s: %w", path, err)
	}
	return priv, nil
}

// ReadPublicKeysFile reads one or more public keys with ParsePublicKeys.
func ReadPublicKeysFile(path string) ([]ed25519.PublicKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening public keys %s: %w", path, err)
	}
	defer f.Close()

	data, err := readSmallFile(f, path)
	if err != nil {
		return nil, err
	}
	keys, err := ParsePublicKeys(data)
	if err != nil {
		return nil, fmt.Errorf("public keys %s: %w", path, err)
	}
	return keys, nil
}

// maxKeyFileSize bounds key file reads. A PEM Ed25519 key is under 200 bytes.
const maxKeyFileSize = 16 << 10

func readSmallFile(f *os.File, path string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxKeyFileSize {
		return nil, fmt.Errorf("%w: %s is over %d bytes", ErrInvalidKey, path, maxKeyFileSize)
	}
	return data, nil
}

// writeNewFile writes data to a new file and syncs the file and its
// directory, removing the file again if any step fails.
func writeNewFile(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("creating key file %s: %w", path, err)
	}

	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("writing key file %s: %w", path, err)
	}

	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("opening directory %s: %w", dir, err)
	}
	defer d.Close()

	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing directory %s: %w", dir, err)
	}
	return nil
}
