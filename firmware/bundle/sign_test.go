package bundle

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestSign(t *testing.T) {
	pub, priv := testKey(1)
	raw := marshalManifest(t, testManifest(testParts()))

	sig, err := Sign(raw, priv)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	if sig.KeyID != KeyIDOf(pub) {
		t.Errorf("KeyID: got %s, want %s", sig.KeyID, KeyIDOf(pub))
	}
	if !ed25519.Verify(pub, raw, sig.Value) {
		t.Errorf("signature does not verify over the manifest bytes")
	}

	encoded, err := json.Marshal(sig)
	if err != nil {
		t.Fatalf("encoding signature: %v", err)
	}
	back, err := ParseSignature(encoded)
	if err != nil {
		t.Fatalf("ParseSignature(%s): %v", encoded, err)
	}
	if back.KeyID != sig.KeyID || string(back.Value) != string(sig.Value) {
		t.Errorf("round trip: got %+v, want %+v", back, sig)
	}

	if _, err := Sign([]byte(`{"product": "wenban"}`), priv); !errors.Is(err, ErrInvalidManifest) {
		t.Errorf("Sign(invalid manifest): got error %v, want ErrInvalidManifest", err)
	}
	if _, err := Sign(raw, priv[:10]); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Sign(short key): got error %v, want ErrInvalidKey", err)
	}
}

func TestParseSignatureInvalid(t *testing.T) {
	value := strings.Repeat("A", 86) + "=="
	tests := []struct {
		name string
		in   string
	}{
		{"not json", "signature"},
		{"unknown field", `{"key_id": "0123456789abcdef", "signature": "` + value + `", "alg": "ed25519"}`},
		{"missing key id", `{"signature": "` + value + `"}`},
		{"duplicate field", `{"key_id": "0123456789abcdef", "key_id": "0123456789abcdef", "signature": "` + value + `"}`},
		{"uppercase key id", `{"key_id": "0123456789ABCDEF", "signature": "` + value + `"}`},
		{"short key id", `{"key_id": "0123", "signature": "` + value + `"}`},
		{"not base64", `{"key_id": "0123456789abcdef", "signature": "!!!"}`},
		{"base64 with newline", `{"key_id": "0123456789abcdef", "signature": "` + value[:40] + `\n` + value[40:] + `"}`},
		{"short signature", `{"key_id": "0123456789abcdef", "signature": "AAAA"}`},
		{"too large", `{"key_id": "0123456789abcdef", "signature": "` + value + `"}` + strings.Repeat(" ", MaxSignatureSize)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseSignature([]byte(tt.in)); !errors.Is(err, ErrInvalidSignatureFile) {
				t.Errorf("got error %v, want ErrInvalidSignatureFile", err)
			}
		})
	}
}
