package update

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"wenban/firmware/bundle"
)

// writeFileAtomic replaces path with data: a temporary file in the same
// folder, fsync, rename, fsync of the folder.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := createTemp(path)
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return commitTemp(tmp, path)
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	return writeFileAtomic(path, append(data, '\n'))
}

// copyVerified writes part's bytes from src to path atomically, checking
// the digest while writing and again by reading the file back.
func copyVerified(path string, src io.Reader, part bundle.Part) error {
	tmp, err := createTemp(path)
	if err != nil {
		return err
	}

	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), src)
	if err == nil && (n != part.Size || hex.EncodeToString(h.Sum(nil)) != part.SHA256) {
		err = fmt.Errorf("%w: part %q changed after verification", bundle.ErrPartDigest, part.Name)
	}
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := commitTemp(tmp, path); err != nil {
		return err
	}
	return checkDigest(path, part)
}

func checkDigest(path string, part bundle.Part) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading back %s: %w", path, err)
	}
	defer f.Close()

	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("reading back %s: %w", path, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != part.SHA256 {
		return fmt.Errorf("%w: %s has sha256 %s, want %s", ErrReadBack, path, got, part.SHA256)
	}
	return nil
}

func createTemp(path string) (*os.File, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("creating temporary file for %s: %w", path, err)
	}
	return tmp, nil
}

func commitTemp(tmp *os.File, path string) error {
	err := tmp.Sync()
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("replacing %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("opening %s for sync: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}
