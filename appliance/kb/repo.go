package kb

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"wenban/appliance/store"
)

// Buckets of the stored knowledge base. Entries are public service
// content, not personal data, so they are stored unsealed.
const (
	bucketEntries = "kb_entries"
	bucketMeta    = "kb_meta"
	metaKey       = "meta"
)

// Meta describes the stored knowledge base as a whole.
type Meta struct {
	// Version grows by one with every change.
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
	// Source names the origin of the last change, such as "shipped" or an
	// imported file's base name.
	Source string `json:"source"`
}

// ErrEmpty means the store holds no knowledge base yet.
var ErrEmpty = errors.New("knowledge base is empty")

// Load returns the stored entries in id order and their meta.
func Load(db *store.DB) ([]Entry, Meta, error) {
	var (
		entries []Entry
		meta    Meta
	)
	err := db.View(func(tx *store.Tx) error {
		if _, err := tx.Get(bucketMeta, metaKey, &meta); err != nil {
			return err
		}
		return tx.Scan(bucketEntries, "", func(_ string, decode store.Decoder) error {
			var e Entry
			if err := decode(&e); err != nil {
				return err
			}
			entries = append(entries, e)
			return nil
		})
	})
	if err != nil {
		return nil, Meta{}, fmt.Errorf("loading knowledge base: %w", err)
	}
	if len(entries) == 0 {
		return nil, meta, ErrEmpty
	}
	return entries, meta, nil
}

// ImportResult counts what an import changed.
type ImportResult struct {
	Added, Updated, Removed int
	Meta                    Meta
}

// Save writes entries in one transaction. With replace, the stored
// knowledge base becomes exactly entries. Without it, entries are added or
// replace stored ones with the same id, and the rest stay. The entries are
// validated as a whole first, so a bad set changes nothing.
func Save(db *store.DB, entries []Entry, replace bool, source string, now time.Time) (ImportResult, error) {
	if err := ValidateAll(entries); err != nil {
		return ImportResult{}, err
	}
	if len(entries) == 0 && replace {
		return ImportResult{}, fmt.Errorf("替换导入的文件不含任何条目，知识库保持不变")
	}

	var res ImportResult
	err := db.Update(func(tx *store.Tx) error {
		existing := map[string]bool{}
		err := tx.Scan(bucketEntries, "", func(key string, _ store.Decoder) error {
			existing[key] = true
			return nil
		})
		if err != nil {
			return err
		}

		incoming := map[string]bool{}
		for _, e := range entries {
			incoming[e.ID] = true
			if existing[e.ID] {
				res.Updated++
			} else {
				res.Added++
			}
			if err := tx.Put(bucketEntries, e.ID, e); err != nil {
				return err
			}
		}
		if replace {
			for id := range existing {
				if incoming[id] {
					continue
				}
				if err := tx.Delete(bucketEntries, id); err != nil {
					return err
				}
				res.Removed++
			}
		}

		var meta Meta
		if _, err := tx.Get(bucketMeta, metaKey, &meta); err != nil {
			return err
		}
		meta.Version++
		meta.UpdatedAt = now.UTC()
		meta.Source = source
		res.Meta = meta
		return tx.Put(bucketMeta, metaKey, meta)
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("saving knowledge base: %w", err)
	}
	return res, nil
}

// Seed stores the shipped knowledge base when the store has none, and
// returns the stored entries either way.
func Seed(db *store.DB, now time.Time) ([]Entry, Meta, error) {
	entries, meta, err := Load(db)
	if !errors.Is(err, ErrEmpty) {
		return entries, meta, err
	}

	shipped, err := Shipped()
	if err != nil {
		return nil, Meta{}, err
	}
	if _, err := Save(db, shipped, true, "shipped", now); err != nil {
		return nil, Meta{}, err
	}
	return Load(db)
}

// SortByID orders entries by id, as Load returns them.
func SortByID(entries []Entry) {
	slices.SortFunc(entries, func(a, b Entry) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
}
