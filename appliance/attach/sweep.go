package attach

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"wenban/appliance/store"
)

// orphanAge is the age from which Open deletes a committed blob that no
// record names. A blob is committed a moment before its record is
// stored, so a younger one may belong to an upload or recording that
// another process is finishing right now.
const orphanAge = time.Hour

// dropOrphans deletes committed blobs that no record names, which a stop
// between a blob's commit and its record's insert leaves behind: sealed,
// so they leak no content, but they take disk space forever otherwise.
func (s *Store) dropOrphans() error {
	named := map[BlobID]bool{}
	err := s.db.View(func(tx *store.Tx) error {
		return tx.ScanSealed(bucketMeta, "", func(_ string, decode store.Decoder) error {
			var m Meta
			if err := decode(&m); err != nil {
				return err
			}
			for _, b := range m.blobs() {
				named[b] = true
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("listing the blobs of attachment records: %w", err)
	}

	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("listing attachment folder %s: %w", s.dir, err)
	}
	cutoff := s.now().Add(-orphanAge)
	for _, e := range entries {
		id := BlobID(e.Name())
		if !id.valid() || named[id] {
			continue
		}
		info, err := e.Info()
		if err != nil || info.ModTime().After(cutoff) {
			continue
		}
		if err := os.Remove(filepath.Join(s.dir, e.Name())); err != nil {
			return fmt.Errorf("removing orphan blob %s: %w", e.Name(), err)
		}
		s.log.Info("orphan blob removed", "blob", id, "bytes", info.Size())
	}
	return nil
}
