package seal

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestOpenMasterKeyWithoutCreate(t *testing.T) {
	t.Setenv("CREDENTIALS_DIRECTORY", "")
	path := filepath.Join(t.TempDir(), "master.key")
	if _, err := OpenMasterKey(path, false); !errors.Is(err, ErrNoMasterKey) {
		t.Fatalf("missing key without create: got %v, want ErrNoMasterKey", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a key file was created although create was false")
	}
	if _, err := OpenMasterKey(path, true); err != nil {
		t.Fatalf("with create: %v", err)
	}
	if _, err := OpenMasterKey(path, false); err != nil {
		t.Errorf("existing key without create: got %v, want it loaded", err)
	}
}
