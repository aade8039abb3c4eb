package kb

import (
	"fmt"
	"slices"
	"time"

	"wenban/appliance/store"
)

// PhrasingRequest is a request to publish one new phrasing of one entry on
// top of the live version, leaving the other draft changes unpublished.
type PhrasingRequest struct {
	By       Staff
	Name     string
	Rev      uint64
	EntryID  string
	Phrasing string
	Now      time.Time
}

// LiveItems returns the items of the live version, retired ones included.
func LiveItems(db *store.DB) ([]Item, error) {
	if err := ensureVersions(db); err != nil {
		return nil, err
	}
	var items []Item
	err := db.View(func(tx *store.Tx) error {
		v, err := liveVersion(tx)
		items = v.Items
		return err
	})
	return items, err
}

func liveVersion(tx *store.Tx) (Version, error) {
	var meta Meta
	if _, err := tx.Get(bucketMeta, metaKey, &meta); err != nil {
		return Version{}, err
	}
	return readVersion(tx, meta.Version)
}

// WithPhrasing returns a copy of items in which the entry id has phrasing
// as its last similar phrasing, and whether items had that entry.
func WithPhrasing(items []Item, id, phrasing string) ([]Item, bool) {
	out := slices.Clone(items)
	for i := range out {
		if out[i].ID != id {
			continue
		}
		if !slices.Contains(out[i].Similar, phrasing) {
			out[i].Similar = append(slices.Clone(out[i].Similar), phrasing)
		}
		return out, true
	}
	return out, false
}

// PublishPhrasing publishes the live version plus one phrasing as a new
// version and adds the phrasing to the draft entry in the same
// transaction. The other draft changes stay pending, so the draft keeps
// its pending count. Rev must name the draft the caller read.
func PublishPhrasing(db *store.DB, req PhrasingRequest) (Version, error) {
	if err := ensureVersions(db); err != nil {
		return Version{}, err
	}
	var v Version
	err := db.Update(func(tx *store.Tx) error {
		d, err := readDraft(tx)
		if err != nil {
			return err
		}
		if d.State.Rev != req.Rev {
			return ErrDraftChanged
		}
		live, err := liveVersion(tx)
		if err != nil {
			return err
		}
		items, ok := WithPhrasing(live.Items, req.EntryID, req.Phrasing)
		if !ok {
			return fmt.Errorf("现行版本中的条目 %s：%w", req.EntryID, ErrEntryNotFound)
		}

		if it, ok := d.Item(req.EntryID); ok && !slices.Contains(it.Similar, req.Phrasing) {
			e := it.Entry
			e.Similar = append(slices.Clone(e.Similar), req.Phrasing)
			if err := applyEdit(tx, &d, req.By, e, req.Now); err != nil {
				return err
			}
		}
		pending := d.State.Pending
		v, err = publishTx(tx, Draft{State: d.State, Items: items}, req.By, req.Name, 0, req.Now)
		if err != nil {
			return err
		}
		return tx.Put(bucketMeta, draftKey, DraftState{Rev: d.State.Rev + 1, Base: v.Number, Pending: pending})
	})
	if err != nil {
		return Version{}, fmt.Errorf("publishing phrasing of entry %s: %w", req.EntryID, err)
	}
	return v, nil
}
