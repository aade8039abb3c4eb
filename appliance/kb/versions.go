package kb

import (
	"fmt"
	"time"

	"wenban/appliance/store"
)

// Version is an immutable published knowledge base. Items include the
// retired entries, so a rollback restores them as they were.
type Version struct {
	Number      int       `json:"number"`
	Name        string    `json:"name"`
	PublishedAt time.Time `json:"published_at"`
	By          Staff     `json:"by,omitzero"`
	// RollbackOf is the earlier version this one republished, or 0.
	RollbackOf int    `json:"rollback_of,omitempty"`
	Items      []Item `json:"items"`
	// Active and Total count the items the bot is trained on and all items.
	// Only Versions sets them, because it drops the items.
	Active int `json:"-"`
	Total  int `json:"-"`
}

// PublishRequest publishes the working draft as a new version.
type PublishRequest struct {
	By   Staff
	Name string
	// Rev is the draft revision the caller read and tested. A draft that
	// has changed since is rejected with ErrDraftChanged.
	Rev uint64
	// Edit, when set, replaces the draft entry with its id in the same
	// transaction, so an approved phrasing and its publish commit together.
	Edit *Entry
	Now  time.Time
}

// Publish makes the draft a new version and the live knowledge base that
// Load returns.
func Publish(db *store.DB, req PublishRequest) (Version, error) {
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
		if req.Edit != nil {
			if err := applyEdit(tx, &d, req.By, *req.Edit, req.Now); err != nil {
				return err
			}
		}
		v, err = publishTx(tx, d, req.By, req.Name, 0, req.Now)
		return err
	})
	if err != nil {
		return Version{}, fmt.Errorf("publishing knowledge-base draft: %w", err)
	}
	return v, nil
}

// applyEdit replaces one draft item inside a publish and records the edit.
func applyEdit(tx *store.Tx, d *Draft, by Staff, e Entry, now time.Time) error {
	e = e.Normalize()
	old, ok := d.Item(e.ID)
	if !ok {
		return fmt.Errorf("修改条目 %s：%w", e.ID, ErrEntryNotFound)
	}
	if err := checkDraftEntry(*d, e); err != nil {
		return err
	}
	it := Item{Entry: e, Retired: old.Retired, UpdatedAt: now.UTC(), UpdatedBy: by}
	if err := tx.Put(bucketDraft, e.ID, it); err != nil {
		return err
	}
	for i := range d.Items {
		if d.Items[i].ID == e.ID {
			d.Items[i] = it
		}
	}
	ch := newChange(by, now, ActionEdit, e.ID, DiffSummary(old.Entry, e))
	return appendChange(tx, &ch)
}

// Rollback republishes version number as a new version and makes its
// items the draft. Unpublished draft changes are discarded, so Rev must
// name the draft the caller showed.
func Rollback(db *store.DB, by Staff, number int, rev uint64, now time.Time) (Version, error) {
	if err := ensureVersions(db); err != nil {
		return Version{}, err
	}
	var v Version
	err := db.Update(func(tx *store.Tx) error {
		d, err := readDraft(tx)
		if err != nil {
			return err
		}
		if d.State.Rev != rev {
			return ErrDraftChanged
		}
		old, err := readVersion(tx, number)
		if err != nil {
			return err
		}
		if err := writeItems(tx, old.Items); err != nil {
			return err
		}
		d.Items = old.Items
		d.Categories = categoriesOf(d.Categories, old.Items)
		if err := tx.Put(bucketMeta, categoriesKey, d.Categories); err != nil {
			return err
		}
		name := fmt.Sprintf("回滚到版本 %d（%s）", old.Number, old.Name)
		v, err = publishTx(tx, d, by, name, old.Number, now)
		return err
	})
	if err != nil {
		return Version{}, fmt.Errorf("rolling back to knowledge-base version %d: %w", number, err)
	}
	return v, nil
}

// publishTx stores d as the next version, rewrites the live entries and
// resets the draft's pending count.
func publishTx(tx *store.Tx, d Draft, by Staff, name string, rollbackOf int, now time.Time) (Version, error) {
	active := Active(d.Items)
	if len(active) == 0 {
		return Version{}, ErrNoActive
	}
	if err := ValidateAll(active); err != nil {
		return Version{}, err
	}

	var meta Meta
	if _, err := tx.Get(bucketMeta, metaKey, &meta); err != nil {
		return Version{}, err
	}
	v := Version{Number: meta.Version + 1, Name: name, PublishedAt: now.UTC(), By: by, RollbackOf: rollbackOf, Items: d.Items}
	if err := tx.Put(bucketVersions, store.SeqKey(uint64(v.Number)), v); err != nil {
		return Version{}, err
	}

	if err := tx.DeleteBucket(bucketEntries); err != nil {
		return Version{}, err
	}
	for _, e := range active {
		if err := tx.Put(bucketEntries, e.ID, e); err != nil {
			return Version{}, err
		}
	}
	meta = Meta{Version: v.Number, UpdatedAt: v.PublishedAt, Source: name}
	if err := tx.Put(bucketMeta, metaKey, meta); err != nil {
		return Version{}, err
	}

	state := DraftState{Rev: d.State.Rev + 1, Base: v.Number}
	if err := tx.Put(bucketMeta, draftKey, state); err != nil {
		return Version{}, err
	}
	action, summary := ActionPublish, fmt.Sprintf("发布版本 %d「%s」：在用 %d 条，共 %d 条", v.Number, name, len(active), len(d.Items))
	if rollbackOf > 0 {
		action = ActionRollback
		summary = fmt.Sprintf("回滚到版本 %d，发布为版本 %d：在用 %d 条", rollbackOf, v.Number, len(active))
	}
	ch := newChange(by, now, action, "", summary)
	ch.Version = v.Number
	if err := appendChange(tx, &ch); err != nil {
		return Version{}, err
	}
	return v, nil
}

// Versions returns every published version, newest first, without their
// items.
//
// NOTE: it decodes every stored version with its items to count them, so
// the cost grows with the number of versions times the knowledge-base size.
func Versions(db *store.DB) ([]Version, error) {
	if err := ensureVersions(db); err != nil {
		return nil, err
	}
	var out []Version
	err := db.View(func(tx *store.Tx) error {
		return tx.Scan(bucketVersions, "", func(_ string, decode store.Decoder) error {
			var v Version
			if err := decode(&v); err != nil {
				return err
			}
			v.Active, v.Total = len(Active(v.Items)), len(v.Items)
			v.Items = nil
			out = append([]Version{v}, out...)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing knowledge-base versions: %w", err)
	}
	return out, nil
}

// LoadVersion returns version number with its items.
func LoadVersion(db *store.DB, number int) (Version, error) {
	var v Version
	err := db.View(func(tx *store.Tx) error {
		var err error
		v, err = readVersion(tx, number)
		return err
	})
	return v, err
}

func readVersion(tx *store.Tx, number int) (Version, error) {
	var v Version
	if number <= 0 {
		return Version{}, fmt.Errorf("version %d: %w", number, ErrVersionNotFound)
	}
	found, err := tx.Get(bucketVersions, store.SeqKey(uint64(number)), &v)
	if err != nil {
		return Version{}, err
	}
	if !found {
		return Version{}, fmt.Errorf("version %d: %w", number, ErrVersionNotFound)
	}
	return v, nil
}
