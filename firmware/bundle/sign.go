package bundle

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// MaxSignatureSize is the largest manifest.sig accepted, in bytes. A
// valid file is about 130 bytes.
const MaxSignatureSize = 1 << 10

// Signature is the content of manifest.sig: an Ed25519 signature over the
// exact bytes of manifest.json and the KeyID of the signing key.
type Signature struct {
	KeyID KeyID
	Value []byte
}

// signatureFile is the JSON form of manifest.sig.
type signatureFile struct {
	KeyID     string `json:"key_id"`
	Signature string `json:"signature"` // standard base64 with padding
}

var signatureSchema = &schema{
	fields:   map[string]*schema{"key_id": nil, "signature": nil},
	required: []string{"key_id", "signature"},
}

// Sign validates manifest with ParseManifest and signs its exact bytes
// with priv. It refuses an invalid manifest, because no device would
// accept the bundle.
func Sign(manifest []byte, priv ed25519.PrivateKey) (Signature, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return Signature{}, fmt.Errorf("%w: private key is %d bytes, want %d", ErrInvalidKey, len(priv), ed25519.PrivateKeySize)
	}
	if _, err := ParseManifest(manifest); err != nil {
		return Signature{}, fmt.Errorf("signing manifest: %w", err)
	}

	pub := priv.Public().(ed25519.PublicKey)
	return Signature{
		KeyID: KeyIDOf(pub),
		Value: ed25519.Sign(priv, manifest),
	}, nil
}

// MarshalJSON encodes s as manifest.sig content.
func (s Signature) MarshalJSON() ([]byte, error) {
	return json.Marshal(signatureFile{
		KeyID:     string(s.KeyID),
		Signature: base64.StdEncoding.EncodeToString(s.Value),
	})
}

// ParseSignature decodes manifest.sig content strictly: exactly the
// fields key_id (16 lowercase hex digits) and signature (standard base64
// of 64 bytes).
func ParseSignature(data []byte) (Signature, error) {
	if len(data) > MaxSignatureSize {
		return Signature{}, fmt.Errorf("%w: %d bytes, at most %d allowed", ErrInvalidSignatureFile, len(data), MaxSignatureSize)
	}

	var file signatureFile
	if err := decodeStrict(data, signatureSchema, &file); err != nil {
		return Signature{}, fmt.Errorf("%w: %w", ErrInvalidSignatureFile, err)
	}

	if err := validateKeyID(file.KeyID); err != nil {
		return Signature{}, err
	}
	// The decoder skips line breaks even in strict mode, so the encoding
	// must also round-trip to count as canonical.
	value, err := base64.StdEncoding.Strict().DecodeString(file.Signature)
	if err == nil && base64.StdEncoding.EncodeToString(value) != file.Signature {
		err = errors.New("not in canonical form")
	}
	if err != nil {
		return Signature{}, fmt.Errorf("%w: signature is not standard base64: %w", ErrInvalidSignatureFile, err)
	}
	if len(value) != ed25519.SignatureSize {
		return Signature{}, fmt.Errorf("%w: signature is %d bytes, want %d", ErrInvalidSignatureFile, len(value), ed25519.SignatureSize)
	}
	return Signature{KeyID: KeyID(file.KeyID), Value: value}, nil
}

func validateKeyID(id string) error {
	if len(id) != 16 || !isLowerHex(id) {
		return fmt.Errorf("%w: key_id %q must be 16 lowercase hex digits", ErrInvalidSignatureFile, id)
	}
	return nil
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
}
