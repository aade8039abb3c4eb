package backup

import (
	"bufio"
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

const (
	magic = "WENBAN-BACKUP\n"
	// formatVersion is the header "version" this package writes.
	formatVersion = 1
	// maxHeaderSize bounds the header read from an untrusted file.
	maxHeaderSize = 4 << 10
	keySize       = 32
)

// kdfParams are the Argon2id settings, stored so that later versions can
// raise them without breaking old backups.
type kdfParams struct {
	Name      string `json:"name"`
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
	Salt      []byte `json:"salt"`
}

// defaultKDF is Argon2id with 64 MiB of memory, 3 passes and 2 lanes.
var defaultKDF = kdfParams{Name: "argon2id", Time: 3, MemoryKiB: 64 << 10, Threads: 2}

// header is the plaintext start of a backup file.
type header struct {
	Version int       `json:"version"`
	Created time.Time `json:"created"`
	KDF     kdfParams `json:"kdf"`
	// WrappedKey is the content key sealed under the derived key, with
	// its 12-byte nonce in front.
	WrappedKey  []byte `json:"wrapped_key"`
	NoncePrefix []byte `json:"nonce_prefix"`
}

// NewRecoveryKey returns a random recovery key: 160 bits in lower-case
// base32, as eight dash-separated groups of four characters.
func NewRecoveryKey() (string, error) {
	raw := make([]byte, 20)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("generating recovery key: %w", err)
	}
	text := strings.ToLower(base32.StdEncoding.EncodeToString(raw))
	var groups []string
	for i := 0; i < len(text); i += 4 {
		groups = append(groups, text[i:i+4])
	}
	return strings.Join(groups, "-"), nil
}

// MinRecoveryKeyLen is the fewest characters Create accepts in a recovery
// key, counted after normalizeKey drops dashes and spaces. A backup
// contains master.key, so anyone who opens it can read every sealed record.
// Generated keys have 32 base32 characters (160 bits), and 16 random base32
// characters would still give 80 bits.
//
// NOTE: only the length is checked, so a long but guessable key such as a
// repeated pattern passes.
const MinRecoveryKeyLen = 16

// ErrWeakKey means a recovery key is too short to protect a new backup.
// Only Create rejects such keys. Check and Restore accept them, so a backup
// made with a short key by an older version still opens.
var ErrWeakKey = errors.New("backup: recovery key too short")

// CheckRecoveryKey returns an error wrapping ErrWeakKey when key has fewer
// than MinRecoveryKeyLen characters after normalization.
func CheckRecoveryKey(key string) error {
	n := utf8.RuneCountInString(normalizeKey(key))
	if n < MinRecoveryKeyLen {
		return fmt.Errorf("%w: %d characters, want at least %d", ErrWeakKey, n, MinRecoveryKeyLen)
	}
	return nil
}

// normalizeKey drops the dashes and spaces a person may type or leave
// out, so "abcd-efgh" and "ABCD EFGH" are the same key.
func normalizeKey(key string) string {
	return strings.NewReplacer("-", "", " ", "").Replace(strings.ToLower(strings.TrimSpace(key)))
}

func deriveKey(recoveryKey string, p kdfParams) ([]byte, error) {
	if p.Name != "argon2id" || p.Time == 0 || p.Time > 16 || p.MemoryKiB < 8<<10 || p.MemoryKiB > 1<<20 ||
		p.Threads == 0 || len(p.Salt) < 16 {
		return nil, fmt.Errorf("%w: unsupported key derivation %s t=%d m=%d p=%d", ErrCorrupt, p.Name, p.Time, p.MemoryKiB, p.Threads)
	}
	norm := normalizeKey(recoveryKey)
	if norm == "" {
		return nil, fmt.Errorf("backup: recovery key is empty")
	}
	return argon2.IDKey([]byte(norm), p.Salt, p.Time, p.MemoryKiB, p.Threads, keySize), nil
}

// newHeader makes a header with a fresh content key, returned beside it.
func newHeader(recoveryKey string, created time.Time) (header, []byte, error) {
	h := header{Version: formatVersion, Created: created.UTC(), KDF: defaultKDF}
	h.KDF.Salt = make([]byte, 16)
	h.NoncePrefix = make([]byte, noncePrefixSize)
	content := make([]byte, keySize)
	nonce := make([]byte, 12)
	for _, b := range [][]byte{h.KDF.Salt, h.NoncePrefix, content, nonce} {
		if _, err := rand.Read(b); err != nil {
			return header{}, nil, fmt.Errorf("generating backup keys: %w", err)
		}
	}

	kek, err := deriveKey(recoveryKey, h.KDF)
	if err != nil {
		return header{}, nil, err
	}
	aead, err := newGCM(kek)
	if err != nil {
		return header{}, nil, err
	}
	h.WrappedKey = aead.Seal(nonce, nonce, content, []byte(magic))
	return h, content, nil
}

func (h header) contentKey(recoveryKey string) ([]byte, error) {
	kek, err := deriveKey(recoveryKey, h.KDF)
	if err != nil {
		return nil, err
	}
	aead, err := newGCM(kek)
	if err != nil {
		return nil, err
	}
	if len(h.WrappedKey) != 12+keySize+aead.Overhead() {
		return nil, fmt.Errorf("%w: wrapped key has %d bytes", ErrCorrupt, len(h.WrappedKey))
	}
	key, err := aead.Open(nil, h.WrappedKey[:12], h.WrappedKey[12:], []byte(magic))
	if err != nil {
		return nil, fmt.Errorf("%w: the recovery key does not open this backup", ErrCorrupt)
	}
	return key, nil
}

// writeHeader writes the magic line, the header length and the header,
// and returns the header bytes that every chunk authenticates.
func writeHeader(w io.Writer, h header) ([]byte, error) {
	raw, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encoding backup header: %w", err)
	}
	var length [4]byte
	binary.BigEndian.PutUint32(length[:], uint32(len(raw)))
	for _, part := range [][]byte{[]byte(magic), length[:], raw} {
		if _, err := w.Write(part); err != nil {
			return nil, fmt.Errorf("writing backup header: %w", err)
		}
	}
	return raw, nil
}

// readHeader reads and checks what writeHeader wrote.
func readHeader(r *bufio.Reader) (header, []byte, error) {
	got := make([]byte, len(magic)+4)
	if _, err := io.ReadFull(r, got); err != nil || string(got[:len(magic)]) != magic {
		return header{}, nil, fmt.Errorf("%w: not a Wenban backup file", ErrCorrupt)
	}
	size := binary.BigEndian.Uint32(got[len(magic):])
	if size == 0 || size > maxHeaderSize {
		return header{}, nil, fmt.Errorf("%w: header length %d", ErrCorrupt, size)
	}
	raw := make([]byte, size)
	if _, err := io.ReadFull(r, raw); err != nil {
		return header{}, nil, fmt.Errorf("%w: header truncated", ErrCorrupt)
	}

	var h header
	if err := json.Unmarshal(raw, &h); err != nil {
		return header{}, nil, fmt.Errorf("%w: header: %w", ErrCorrupt, err)
	}
	if h.Version != formatVersion {
		return header{}, nil, fmt.Errorf("%w: format version %d, want %d", ErrCorrupt, h.Version, formatVersion)
	}
	if len(h.NoncePrefix) != noncePrefixSize {
		return header{}, nil, fmt.Errorf("%w: nonce prefix has %d bytes", ErrCorrupt, len(h.NoncePrefix))
	}
	return h, raw, nil
}
