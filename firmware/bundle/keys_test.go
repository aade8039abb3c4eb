package bundle

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestKeyID(t *testing.T) {
	pub, _ := testKey(1)
	sum := sha256.Sum256(pub)
	want := hex.EncodeToString(sum[:8])

	got := KeyIDOf(pub)
	if string(got) != want {
		t.Errorf("KeyIDOf: got %s, want %s", got, want)
	}
	if len(got) != 16 {
		t.Errorf("KeyIDOf: got %d hex digits, want 16", len(got))
	}
}

func TestKeyFilesRoundTrip(t *testing.T) {
	pub, priv, err := GenerateKey()
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	dir := t.TempDir()
	privPath := filepath.Join(dir, "signing.key")
	pubPath := filepath.Join(dir, "signing.pub")

	if err := WritePrivateKeyFile(privPath, priv); err != nil {
		t.Fatalf("WritePrivateKeyFile: %v", err)
	}
	if err := WritePublicKeyFile(pubPath, pub); err != nil {
		t.Fatalf("WritePublicKeyFile: %v", err)
	}

	info, err := os.Stat(privPath)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != PrivateKeyFileMode {
		t.Errorf("private key mode: got %04o, want %04o", perm, PrivateKeyFileMode)
	}

	gotPriv, err := ReadPrivateKeyFile(privPath)
	if err != nil {
		t.Fatalf("ReadPrivateKeyFile: %v", err)
	}
	if !gotPriv.Equal(priv) {
		t.Errorf("ReadPrivateKeyFile: got a different key")
	}
	gotPubs, err := ReadPublicKeysFile(pubPath)
	if err != nil {
		t.Fatalf("ReadPublicKeysFile: %v", err)
	}
	if len(gotPubs) != 1 || !gotPubs[0].Equal(pub) {
		t.Errorf("ReadPublicKeysFile: got %d keys, want the one written", len(gotPubs))
	}

	if err := WritePrivateKeyFile(privPath, priv); err == nil {
		t.Errorf("WritePrivateKeyFile over an existing file: got nil error, want an error")
	}
}

func TestReadPrivateKeyFileRejectsOpenMode(t *testing.T) {
	_, priv := testKey(1)
	path := filepath.Join(t.TempDir(), "signing.key")
	if err := WritePrivateKeyFile(path, priv); err != nil {
		t.Fatal(err)
	}

	for _, mode := range []os.FileMode{0o640, 0o604, 0o644} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadPrivateKeyFile(path); !errors.Is(err, ErrKeyPermissions) {
			t.Errorf("mode %04o: got error %v, want ErrKeyPermissions", mode, err)
		}
	}
}

func TestParsePublicKeys(t *testing.T) {
	pub1, priv1 := testKey(1)
	pub2, _ := testKey(2)
	pem1, _ := MarshalPublicKey(pub1)
	pem2, _ := MarshalPublicKey(pub2)
	privPEM, _ := MarshalPrivateKey(priv1)

	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, _ := x509.MarshalPKIXPublicKey(&ecKey.PublicKey)
	ecPEM := pem.EncodeToMemory(&pem.Block{Type: publicKeyBlock, Bytes: ecDER})

	two := append(append([]byte("\n"), pem1...), pem2...)
	got, err := ParsePublicKeys(two)
	if err != nil {
		t.Fatalf("ParsePublicKeys(two keys): %v", err)
	}
	if len(got) != 2 || !got[0].Equal(pub1) || !got[1].Equal(pub2) {
		t.Errorf("ParsePublicKeys(two keys): got %d keys, want pub1 and pub2 in order", len(got))
	}

	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"duplicate", append(bytes.Clone(pem1), pem1...)},
		{"private key block", privPEM},
		{"ecdsa key", ecPEM},
		{"text between blocks", append(append(bytes.Clone(pem1), "comment\n"...), pem2...)},
		{"hex text", []byte(hex.EncodeToString(pub1))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParsePublicKeys(tt.in); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("got error %v, want ErrInvalidKey", err)
			}
		})
	}
}

func TestParsePrivateKeyRejects(t *testing.T) {
	pub, priv := testKey(1)
	pubPEM, _ := MarshalPublicKey(pub)
	privPEM, _ := MarshalPrivateKey(priv)

	tests := []struct {
		name string
		in   []byte
	}{
		{"public key block", pubPEM},
		{"two blocks", append(bytes.Clone(privPEM), privPEM...)},
		{"not pem", []byte("secret")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParsePrivateKey(tt.in); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("got error %v, want ErrInvalidKey", err)
			}
		})
	}
}
