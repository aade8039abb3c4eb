package kioskhub

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// windowPattern limits window IDs to characters that are safe in file
// names, URLs and logs.
var windowPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ErrInvalidWindow means a window ID has characters other than ASCII
// letters, digits, '-' and '_', or is empty or longer than 64.
var ErrInvalidWindow = errors.New("kioskhub: invalid window ID")

// ValidateWindow checks a window ID.
func ValidateWindow(window string) error {
	if !windowPattern.MatchString(window) {
		return fmt.Errorf("%w %q: use 1 to 64 ASCII letters, digits, '-' or '_'", ErrInvalidWindow, window)
	}

	return nil
}

// DirKeys keeps one key per window in Dir/<window>.key. The technician
// creates a key with CreateKey (`wenban kiosk key`) on the hub and copies
// it to the terminal's key file. Keys are read at every connection, so a
// replaced or deleted file takes effect on the next reconnect.
type DirKeys struct {
	Dir string
}

// Verify reports whether key is the key of window. It compares SHA-256
// digests in constant time, so the comparison's duration reveals nothing
// about the stored key.
func (k DirKeys) Verify(window, key string) bool {
	if ValidateWindow(window) != nil || key == "" {
		return false
	}

	data, err := os.ReadFile(k.path(window))
	if err != nil {
		return false
	}

	want := sha256.Sum256([]byte(strings.TrimSpace(string(data))))
	got := sha256.Sum256([]byte(key))
	return subtle.ConstantTimeCompare(want[:], got[:]) == 1
}

// CreateKey writes a new random key for window, replacing any old one,
// and returns it.
func (k DirKeys) CreateKey(window string) (string, error) {
	if err := ValidateWindow(window); err != nil {
		return "", err
	}

	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("generating kiosk key: %w", err)
	}
	key := hex.EncodeToString(raw)

	if err := os.MkdirAll(k.Dir, 0o700); err != nil {
		return "", fmt.Errorf("creating kiosk key folder %s: %w", k.Dir, err)
	}

	// Write then rename, so a terminal reconnecting meanwhile reads the
	// old key or the new one, never half a file.
	tmp := k.path(window) + ".tmp"
	if err := os.WriteFile(tmp, []byte(key+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("writing kiosk key %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, k.path(window)); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("installing kiosk key %s: %w", k.path(window), err)
	}

	return key, nil
}

func (k DirKeys) path(window string) string {
	return filepath.Join(k.Dir, window+".key")
}
