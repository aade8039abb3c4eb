package kb

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"wenban/appliance/store"
)

// Buckets and keys of the working draft and the published versions. The
// live knowledge base that Load returns stays in bucketEntries: publishing
// rewrites it with the active entries of the new version.
const (
	bucketDraft    = "kb_draft"    // entry id to Item
	bucketVersions = "kb_versions" // store.SeqKey(number) to Version
	bucketHistory  = "kb_history"  // store.SeqKey(seq) to Change
	draftKey       = "draft"       // DraftState in bucketMeta
	categoriesKey  = "categories"  // []string in bucketMeta
)

// Errors of the draft and version operations.
var (
	ErrEntryExists     = errors.New("知识条目编号已存在，请换一个编号")
	ErrEntryNotFound   = errors.New("未找到该知识条目")
	ErrDraftChanged    = errors.New("草稿已被他人修改，请刷新页面后重试")
	ErrNoActive        = errors.New("草稿中没有在用的知识条目，不能发布")
	ErrVersionNotFound = errors.New("未找到该知识库版本")
	ErrCategoryUsed    = errors.New("仍有知识条目使用该分类，请先修改这些条目")
	ErrCategoryInvalid = errors.New("分类名称不能为空、不能超过 50 个字，也不能与已有分类重复")
	ErrCategoryUnknown = errors.New("分类不在分类列表中，请先在分类管理中添加")
)

// Staff names the member of staff behind a change.
type Staff struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Item is one entry of the draft or of a version. A retired item is kept
// but hidden from the bot.
type Item struct {
	Entry
	Retired   bool      `json:"retired,omitempty"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	UpdatedBy Staff     `json:"updated_by,omitzero"`
}

// DraftState describes the working draft as a whole.
type DraftState struct {
	// Rev grows by one with every change to the draft, so a publish can
	// reject a draft that changed after its caller read and tested it.
	Rev uint64 `json:"rev"`
	// Base is the version the draft was last published as or rolled back to.
	Base int `json:"base"`
	// Pending counts the changes since Base.
	Pending int `json:"pending"`
}

// Draft is the working copy staff edit before publishing.
type Draft struct {
	State      DraftState
	Items      []Item // in id order
	Categories []string
}

// Active returns the entries of the items that are not retired, which
// are what the bot is trained on.
func Active(items []Item) []Entry {
	var out []Entry
	for _, it := range items {
		if !it.Retired {
			out = append(out, it.Entry)
		}
	}
	return out
}

// Item returns the draft item with the given id.
func (d Draft) Item(id string) (Item, bool) {
	i, ok := slices.BinarySearchFunc(d.Items, id, func(it Item, id string) int {
		return strings.Compare(it.ID, id)
	})
	if !ok {
		return Item{}, false
	}
	return d.Items[i], true
}

// LoadDraft returns the working draft. A store that has only a live
// knowledge base, such as one seeded before versioning existed, gets a
// draft and a first version made from it.
func LoadDraft(db *store.DB) (Draft, error) {
	if err := ensureVersions(db); err != nil {
		return Draft{}, err
	}

	var d Draft
	err := db.View(func(tx *store.Tx) error {
		var err error
		d, err = readDraft(tx)
		return err
	})
	if err != nil {
		return Draft{}, fmt.Errorf("loading knowledge-base draft: %w", err)
	}
	return d, nil
}

func readDraft(tx *store.Tx) (Draft, error) {
	var d Draft
	if _, err := tx.Get(bucketMeta, draftKey, &d.State); err != nil {
		return Draft{}, err
	}
	if _, err := tx.Get(bucketMeta, categoriesKey, &d.Categories); err != nil {
		return Draft{}, err
	}
	err := tx.Scan(bucketDraft, "", func(_ string, decode store.Decoder) error {
		var it Item
		if err := decode(&it); err != nil {
			return err
		}
		d.Items = append(d.Items, it)
		return nil
	})
	return d, err
}

// ensureVersions makes the draft, the category list and version 1 from
// the live knowledge base when the store has no versions yet.
func ensureVersions(db *store.DB) error {
	var have bool
	err := db.View(func(tx *store.Tx) error {
		var st DraftState
		found, err := tx.Get(bucketMeta, draftKey, &st)
		have = found
		return err
	})
	if err != nil || have {
		return err
	}

	entries, meta, err := Load(db)
	if err != nil && !errors.Is(err, ErrEmpty) {
		return err
	}
	return db.Update(func(tx *store.Tx) error {
		var st DraftState
		if found, err := tx.Get(bucketMeta, draftKey, &st); err != nil || found {
			return err
		}
		items := make([]Item, len(entries))
		for i, e := range entries {
			items[i] = Item{Entry: e, UpdatedAt: meta.UpdatedAt}
		}
		if err := writeItems(tx, items); err != nil {
			return err
		}
		if err := tx.Put(bucketMeta, categoriesKey, categoriesOf(nil, items)); err != nil {
			return err
		}
		number := 0
		if len(entries) > 0 {
			number = max(meta.Version, 1)
			v := Version{Number: number, Name: meta.Source, PublishedAt: meta.UpdatedAt, Items: items}
			if err := tx.Put(bucketVersions, store.SeqKey(uint64(number)), v); err != nil {
				return err
			}
		}
		return tx.Put(bucketMeta, draftKey, DraftState{Base: number})
	})
}

// writeItems replaces the draft's items with items.
func writeItems(tx *store.Tx, items []Item) error {
	if err := tx.DeleteBucket(bucketDraft); err != nil {
		return err
	}
	for _, it := range items {
		if err := tx.Put(bucketDraft, it.ID, it); err != nil {
			return err
		}
	}
	return nil
}

// categoriesOf adds the categories items use to list, keeping its order
// and appending new ones in item order.
func categoriesOf(list []string, items []Item) []string {
	out := append([]string{}, list...)
	for _, it := range items {
		if it.Category != "" && !slices.Contains(out, it.Category) {
			out = append(out, it.Category)
		}
	}
	return out
}

// changeDraft runs fn on the draft in one transaction and records the
// change fn returns in the history. fn returns a zero Change to record
// nothing.
func changeDraft(db *store.DB, fn func(tx *store.Tx, d *Draft) (Change, error)) (Change, error) {
	if err := ensureVersions(db); err != nil {
		return Change{}, err
	}
	var ch Change
	err := db.Update(func(tx *store.Tx) error {
		d, err := readDraft(tx)
		if err != nil {
			return err
		}
		ch, err = fn(tx, &d)
		if err != nil || ch.Action == "" {
			return err
		}
		d.State.Rev++
		d.State.Pending++
		if err := tx.Put(bucketMeta, draftKey, d.State); err != nil {
			return err
		}
		return appendChange(tx, &ch)
	})
	return ch, err
}
