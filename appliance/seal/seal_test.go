package seal

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testKey(t *testing.T) []byte {
	t.Helper()
	key, err := NewDataKey()
	if err != nil {
		t.Fatalf("NewDataKey: %v", err)
	}
	return key
}

func testKeyring(t *testing.T, ids ...KeyID) *Keyring {
	t.Helper()
	ring := NewKeyring()
	for _, id := range ids {
		if err := ring.Add(id, testKey(t)); err != nil {
			t.Fatalf("Add(%d): %v", id, err)
		}
	}
	return ring
}

func TestSealRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		plain []byte
	}{
		{"empty", []byte{}},
		{"ascii", []byte(`{"name":"zhangsan"}`)},
		{"chinese", []byte("张三申请不动产登记")},
		{"large", bytes.Repeat([]byte{0xAB}, 1<<16)},
	}
	ring := testKeyring(t, 1)
	ctx := []byte("accounts\x00a1")

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed, err := ring.Seal(tt.plain, ctx)
			if err != nil {
				t.Fatalf("Seal: %v", err)
			}
			if len(tt.plain) > 8 && bytes.Contains(sealed, tt.plain) {
				t.Errorf("sealed value contains the plaintext")
			}

			got, err := ring.Open(sealed, ctx)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, tt.plain) {
				t.Errorf("Open got %q, want %q", got, tt.plain)
			}

			id, err := KeyOf(sealed)
			if err != nil {
				t.Fatalf("KeyOf: %v", err)
			}
			if id != 1 {
				t.Errorf("KeyOf got %d, want 1", id)
			}
		})
	}
}

func TestSealNoncesDiffer(t *testing.T) {
	ring := testKeyring(t, 1)
	a, err := ring.Seal([]byte("same"), nil)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	b, err := ring.Seal([]byte("same"), nil)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	if bytes.Equal(a, b) {
		t.Errorf("two seals of the same plaintext are identical, want distinct nonces")
	}
}

func TestSealTamperDetected(t *testing.T) {
	ring := testKeyring(t, 1)
	ctx := []byte("sessions\x00abc")
	sealed, err := ring.Seal([]byte("session record"), ctx)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}

	tests := []struct {
		name   string
		mutate func([]byte) []byte
		want   error
	}{
		{"format byte", flipAt(0), ErrCorrupt},
		{"key id", flipAt(4), ErrUnknownKey},
		{"nonce", flipAt(headerLen), ErrCorrupt},
		{"body", flipAt(headerLen + 12), ErrCorrupt},
		{"tag", func(b []byte) []byte { return flipAt(len(b) - 1)(b) }, ErrCorrupt},
		{"truncated", func(b []byte) []byte { return b[:len(b)-1] }, ErrCorrupt},
		{"header only", func(b []byte) []byte { return b[:headerLen] }, ErrCorrupt},
		{"empty", func([]byte) []byte { return nil }, ErrCorrupt},
		{"appended byte", func(b []byte) []byte { return append(b, 0) }, ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := tt.mutate(bytes.Clone(sealed))
			got, err := ring.Open(bad, ctx)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open error got %v, want %v", err, tt.want)
			}
			if got != nil {
				t.Errorf("Open plaintext got %q, want nil", got)
			}
		})
	}
}

func flipAt(i int) func([]byte) []byte {
	return func(b []byte) []byte {
		b[i] ^= 0xFF
		return b
	}
}

func TestSealWrongContext(t *testing.T) {
	ring := testKeyring(t, 1)
	sealed, err := ring.Seal([]byte("secret"), []byte("accounts\x00a1"))
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}

	for _, ctx := range []string{"accounts\x00a2", "accounts\x00a", "", "sessions\x00a1"} {
		if _, err := ring.Open(sealed, []byte(ctx)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("Open with context %q: got %v, want ErrCorrupt", ctx, err)
		}
	}
}

func TestSealUnknownKey(t *testing.T) {
	writer := testKeyring(t, 2)
	reader := testKeyring(t, 1)
	sealed, err := writer.Seal([]byte("secret"), nil)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}

	_, err = reader.Open(sealed, nil)
	if !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Open got %v, want ErrUnknownKey", err)
	}
}

func TestSealSameIDOtherKeyFails(t *testing.T) {
	writer := testKeyring(t, 1)
	reader := testKeyring(t, 1)
	sealed, err := writer.Seal([]byte("secret"), nil)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	if _, err := reader.Open(sealed, nil); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Open got %v, want ErrCorrupt", err)
	}
}

func TestKeyringRotationKeepsOldValues(t *testing.T) {
	ring := testKeyring(t, 1)
	old, err := ring.Seal([]byte("old"), nil)
	if err != nil {
		t.Fatalf("Seal old: %v", err)
	}

	if err := ring.Add(2, testKey(t)); err != nil {
		t.Fatalf("Add(2): %v", err)
	}
	if got := ring.Active(); got != 2 {
		t.Fatalf("Active after rotation got %d, want 2", got)
	}
	fresh, err := ring.Seal([]byte("new"), nil)
	if err != nil {
		t.Fatalf("Seal new: %v", err)
	}

	for _, tc := range []struct {
		name   string
		sealed []byte
		plain  string
		key    KeyID
	}{
		{"old value", old, "old", 1},
		{"new value", fresh, "new", 2},
	} {
		got, err := ring.Open(tc.sealed, nil)
		if err != nil {
			t.Fatalf("%s: Open: %v", tc.name, err)
		}
		if string(got) != tc.plain {
			t.Errorf("%s: Open got %q, want %q", tc.name, got, tc.plain)
		}
		id, err := KeyOf(tc.sealed)
		if err != nil {
			t.Fatalf("%s: KeyOf: %v", tc.name, err)
		}
		if id != tc.key {
			t.Errorf("%s: KeyOf got %d, want %d", tc.name, id, tc.key)
		}
	}
}

func TestKeyringAddOrderKeepsHighestActive(t *testing.T) {
	ring := testKeyring(t, 3, 1, 2)
	if got := ring.Active(); got != 3 {
		t.Errorf("Active got %d, want 3", got)
	}
}

func TestKeyringAddRejects(t *testing.T) {
	tests := []struct {
		name string
		id   KeyID
		key  []byte
	}{
		{"zero id", 0, make([]byte, KeySize)},
		{"short key", 1, make([]byte, KeySize-1)},
		{"long key", 1, make([]byte, KeySize+1)},
		{"nil key", 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ring := NewKeyring()
			if err := ring.Add(tt.id, tt.key); err == nil {
				t.Errorf("Add(%d, %d bytes) got nil error, want rejection", tt.id, len(tt.key))
			}
			if got := ring.Active(); got != 0 {
				t.Errorf("Active after rejected Add got %d, want 0", got)
			}
		})
	}
}

func TestKeyringEmptySealFails(t *testing.T) {
	if _, err := NewKeyring().Seal([]byte("x"), nil); err == nil {
		t.Errorf("Seal on empty keyring got nil error, want failure")
	}
}

func TestKeyOfRejectsGarbage(t *testing.T) {
	for _, raw := range [][]byte{nil, {1, 0, 0}, {2, 0, 0, 0, 1}} {
		if _, err := KeyOf(raw); !errors.Is(err, ErrCorrupt) {
			t.Errorf("KeyOf(%x) got %v, want ErrCorrupt", raw, err)
		}
	}
}

func TestMasterKeyWrapUnwrap(t *testing.T) {
	master, err := NewMasterKey(testKey(t))
	if err != nil {
		t.Fatalf("NewMasterKey: %v", err)
	}
	dataKey := testKey(t)
	wrapped, err := master.Wrap(7, dataKey)
	if err != nil {
		t.Fatalf("Wrap: %v", err)
	}
	if bytes.Contains(wrapped, dataKey) {
		t.Errorf("wrapped key contains the data key")
	}

	got, err := master.Unwrap(7, wrapped)
	if err != nil {
		t.Fatalf("Unwrap: %v", err)
	}
	if !bytes.Equal(got, dataKey) {
		t.Errorf("Unwrap got %x, want %x", got, dataKey)
	}

	if _, err := master.Unwrap(8, wrapped); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Unwrap with other id got %v, want ErrCorrupt", err)
	}
	other, err := NewMasterKey(testKey(t))
	if err != nil {
		t.Fatalf("NewMasterKey: %v", err)
	}
	if _, err := other.Unwrap(7, wrapped); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Unwrap with other master got %v, want ErrCorrupt", err)
	}
	if _, err := master.Unwrap(7, wrapped[:3]); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Unwrap of truncated value got %v, want ErrCorrupt", err)
	}
}

func TestNewMasterKeyRejectsWrongSize(t *testing.T) {
	if _, err := NewMasterKey(make([]byte, 16)); err == nil {
		t.Errorf("NewMasterKey(16 bytes) got nil error, want rejection")
	}
}

// sameMaster reports whether a and b are the same key by unwrapping with b
// what a wrapped.
func sameMaster(t *testing.T, a, b *MasterKey) bool {
	t.Helper()
	wrapped, err := a.Wrap(1, testKey(t))
	if err != nil {
		t.Fatalf("Wrap: %v", err)
	}
	_, err = b.Unwrap(1, wrapped)
	return err == nil
}

func TestLoadMasterKeyCreatesAndReuses(t *testing.T) {
	t.Setenv("CREDENTIALS_DIRECTORY", "")
	path := filepath.Join(t.TempDir(), "keys", "master.key")

	first, err := LoadMasterKey(path)
	if err != nil {
		t.Fatalf("first LoadMasterKey: %v", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("stat key file: %v", err)
	}
	if got := info.Mode().Perm(); got != 0o600 {
		t.Errorf("key file mode got %v, want 0600", got)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading key file: %v", err)
	}
	if len(raw) != 2*KeySize+1 || raw[len(raw)-1] != '\n' {
		t.Errorf("key file got %d bytes, want %d hex digits and a newline", len(raw), 2*KeySize)
	}
	if !strings.Contains(first.Source, path) {
		t.Errorf("Source got %q, want it to name %s", first.Source, path)
	}

	second, err := LoadMasterKey(path)
	if err != nil {
		t.Fatalf("second LoadMasterKey: %v", err)
	}
	if !sameMaster(t, first, second) {
		t.Errorf("second load returned a different key, want the stored one")
	}
	if strings.Contains(second.Source, "new") {
		t.Errorf("second Source got %q, want an existing file", second.Source)
	}
}

func TestLoadMasterKeyRejectsOpenMode(t *testing.T) {
	t.Setenv("CREDENTIALS_DIRECTORY", "")
	for _, mode := range []os.FileMode{0o640, 0o604, 0o644, 0o660} {
		path := filepath.Join(t.TempDir(), "master.key")
		if _, err := LoadMasterKey(path); err != nil {
			t.Fatalf("creating key: %v", err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatalf("chmod: %v", err)
		}

		_, err := LoadMasterKey(path)
		if err == nil {
			t.Errorf("LoadMasterKey with mode %v got nil error, want rejection", mode)
			continue
		}
		if !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("error for mode %v got %q, want it to say chmod 600", mode, err)
		}
	}
}

func TestLoadMasterKeyRejectsMalformed(t *testing.T) {
	t.Setenv("CREDENTIALS_DIRECTORY", "")
	tests := []struct {
		name    string
		content string
	}{
		{"empty", ""},
		{"short", strings.Repeat("ab", KeySize-1)},
		{"not hex", strings.Repeat("zz", KeySize)},
		{"long", strings.Repeat("ab", KeySize+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "master.key")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatalf("writing key file: %v", err)
			}
			if _, err := LoadMasterKey(path); err == nil {
				t.Errorf("LoadMasterKey(%q) got nil error, want rejection", tt.content)
			}
		})
	}
}

func TestLoadMasterKeyCredentialWins(t *testing.T) {
	credKey := testKey(t)
	credDir := t.TempDir()
	credPath := filepath.Join(credDir, CredentialName)
	if err := os.WriteFile(credPath, []byte(hex.EncodeToString(credKey)+"\n"), 0o400); err != nil {
		t.Fatalf("writing credential: %v", err)
	}
	keyFile := filepath.Join(t.TempDir(), "master.key")
	t.Setenv("CREDENTIALS_DIRECTORY", "")
	fileKey, err := LoadMasterKey(keyFile)
	if err != nil {
		t.Fatalf("creating key file: %v", err)
	}

	t.Setenv("CREDENTIALS_DIRECTORY", credDir)
	got, err := LoadMasterKey(keyFile)
	if err != nil {
		t.Fatalf("LoadMasterKey with credential: %v", err)
	}
	want, err := NewMasterKey(credKey)
	if err != nil {
		t.Fatalf("NewMasterKey: %v", err)
	}
	if !sameMaster(t, want, got) {
		t.Errorf("loaded key is not the credential's key")
	}
	if sameMaster(t, fileKey, got) {
		t.Errorf("loaded key is the key file's key, want the credential's")
	}
	if !strings.Contains(got.Source, CredentialName) {
		t.Errorf("Source got %q, want it to name %s", got.Source, CredentialName)
	}
}

func TestLoadMasterKeyCredentialMissingFallsBack(t *testing.T) {
	t.Setenv("CREDENTIALS_DIRECTORY", t.TempDir())
	path := filepath.Join(t.TempDir(), "master.key")
	key, err := LoadMasterKey(path)
	if err != nil {
		t.Fatalf("LoadMasterKey: %v", err)
	}
	if !strings.Contains(key.Source, path) {
		t.Errorf("Source got %q, want the key file %s", key.Source, path)
	}
}

func FuzzKeyringOpen(f *testing.F) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		f.Fatalf("reading key: %v", err)
	}
	ring := NewKeyring()
	if err := ring.Add(1, key); err != nil {
		f.Fatalf("Add: %v", err)
	}
	sealed, err := ring.Seal([]byte("seed"), []byte("ctx"))
	if err != nil {
		f.Fatalf("Seal: %v", err)
	}
	f.Add(sealed, []byte("ctx"))
	f.Add([]byte{1, 0, 0, 0, 1}, []byte{})
	f.Add([]byte{}, []byte("ctx"))

	f.Fuzz(func(t *testing.T, raw, ctx []byte) {
		plain, err := ring.Open(raw, ctx)
		if err == nil && bytes.Equal(raw, sealed) && string(plain) != "seed" {
			t.Errorf("Open of seed got %q, want seed", plain)
		}
		if err != nil && plain != nil {
			t.Errorf("Open failed with %v but returned plaintext", err)
		}
	})
}
