package bundle

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"io"
	"testing"
)

func sourceOf(parts []testPart) PartSource {
	return func(p Part) (io.ReadCloser, error) {
		for _, tp := range parts {
			if tp.name == p.Name {
				return io.NopCloser(bytes.NewReader(tp.data)), nil
			}
		}
		return nil, errors.New("no such test part")
	}
}

func TestWriteVerifies(t *testing.T) {
	pub, priv := testKey(1)
	parts := testParts()
	raw := marshalManifest(t, testManifest(parts))
	sig, err := Sign(raw, priv)
	if err != nil {
		t.Fatal(err)
	}

	var first, second bytes.Buffer
	if err := Write(&first, raw, sig, sourceOf(parts)); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := Write(&second, raw, sig, sourceOf(parts)); err != nil {
		t.Fatalf("Write again: %v", err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Errorf("Write: two runs on the same input gave different bytes")
	}

	if _, err := openAndVerify(first.Bytes(), []ed25519.PublicKey{pub}, testPolicy()); err != nil {
		t.Errorf("Verify of written bundle: got error %v, want nil", err)
	}
}

func TestWriteRejectsChangedSource(t *testing.T) {
	_, priv := testKey(1)
	parts := testParts()
	raw := marshalManifest(t, testManifest(parts))
	sig, err := Sign(raw, priv)
	if err != nil {
		t.Fatal(err)
	}

	changed := func(data []byte) []testPart {
		c := append([]testPart{}, parts...)
		c[0].data = data
		return c
	}
	flipped := bytes.Clone(parts[0].data)
	flipped[100] ^= 1

	tests := []struct {
		name  string
		parts []testPart
		want  error
	}{
		{"shorter", changed(parts[0].data[:10]), ErrPartSize},
		{"longer", changed(append(bytes.Clone(parts[0].data), 0)), ErrPartSize},
		{"different bytes", changed(flipped), ErrPartDigest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Write(io.Discard, raw, sig, sourceOf(tt.parts))
			if !errors.Is(err, tt.want) {
				t.Errorf("got error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestHashPart(t *testing.T) {
	tp := testParts()[0]
	got, err := HashPart(tp.name, tp.path, bytes.NewReader(tp.data))
	if err != nil {
		t.Fatalf("HashPart: %v", err)
	}
	if got != tp.part() {
		t.Errorf("HashPart: got %+v, want %+v", got, tp.part())
	}
}
