package kb

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"wenban/appliance/store"
)

// CreateEntry adds a new entry to the draft. The entry is normalized and
// validated, its id must be new and its category, when set, must be on the
// category list.
func CreateEntry(db *store.DB, by Staff, e Entry, now time.Time) (Change, error) {
	e = e.Normalize()
	return changeDraft(db, func(tx *store.Tx, d *Draft) (Change, error) {
		if err := checkDraftEntry(*d, e); err != nil {
			return Change{}, err
		}
		if _, exists := d.Item(e.ID); exists {
			return Change{}, fmt.Errorf("创建条目 %s：%w", e.ID, ErrEntryExists)
		}
		it := Item{Entry: e, UpdatedAt: now.UTC(), UpdatedBy: by}
		if err := tx.Put(bucketDraft, e.ID, it); err != nil {
			return Change{}, err
		}
		return newChange(by, now, ActionCreate, e.ID, "新建条目："+clip(e.Question)), nil
	})
}

// UpdateEntry replaces the fields of the draft entry with e's id. Whether
// the entry is retired stays as it was. An update that changes nothing is
// not recorded.
func UpdateEntry(db *store.DB, by Staff, e Entry, now time.Time) (Change, error) {
	e = e.Normalize()
	return changeDraft(db, func(tx *store.Tx, d *Draft) (Change, error) {
		old, ok := d.Item(e.ID)
		if !ok {
			return Change{}, fmt.Errorf("修改条目 %s：%w", e.ID, ErrEntryNotFound)
		}
		if err := checkDraftEntry(*d, e); err != nil {
			return Change{}, err
		}
		summary := DiffSummary(old.Entry, e)
		if summary == "" {
			return Change{}, nil
		}
		it := Item{Entry: e, Retired: old.Retired, UpdatedAt: now.UTC(), UpdatedBy: by}
		if err := tx.Put(bucketDraft, e.ID, it); err != nil {
			return Change{}, err
		}
		return newChange(by, now, ActionEdit, e.ID, summary), nil
	})
}

// SetRetired retires the draft entry id, which hides it from the bot from
// the next publish on but keeps it, or restores it.
func SetRetired(db *store.DB, by Staff, id string, retired bool, now time.Time) (Change, error) {
	return changeDraft(db, func(tx *store.Tx, d *Draft) (Change, error) {
		it, ok := d.Item(id)
		if !ok {
			return Change{}, fmt.Errorf("停用或恢复条目 %s：%w", id, ErrEntryNotFound)
		}
		if it.Retired == retired {
			return Change{}, nil
		}
		it.Retired, it.UpdatedAt, it.UpdatedBy = retired, now.UTC(), by
		if err := tx.Put(bucketDraft, id, it); err != nil {
			return Change{}, err
		}
		if retired {
			return newChange(by, now, ActionRetire, id, "停用条目"), nil
		}
		return newChange(by, now, ActionRestore, id, "恢复条目"), nil
	})
}

// checkDraftEntry validates e and checks that its category is managed.
func checkDraftEntry(d Draft, e Entry) error {
	if err := ValidateAll([]Entry{e}); err != nil {
		return err
	}
	if e.Category != "" && !slices.Contains(d.Categories, e.Category) {
		return fmt.Errorf("分类「%s」：%w", e.Category, ErrCategoryUnknown)
	}
	return nil
}

// AddCategory appends a category to the managed list.
func AddCategory(db *store.DB, by Staff, name string, now time.Time) (Change, error) {
	name = normalizeText(name)
	return changeDraft(db, func(tx *store.Tx, d *Draft) (Change, error) {
		if name == "" || utf8.RuneCountInString(name) > MaxCategoryLen || slices.Contains(d.Categories, name) ||
			checkText(name, "分类", MaxCategoryLen, true, false) != "" {
			return Change{}, ErrCategoryInvalid
		}
		if err := tx.Put(bucketMeta, categoriesKey, append(d.Categories, name)); err != nil {
			return Change{}, err
		}
		return newChange(by, now, ActionCategory, "", "新增分类："+name), nil
	})
}

// RemoveCategory deletes an unused category from the managed list.
func RemoveCategory(db *store.DB, by Staff, name string, now time.Time) (Change, error) {
	return changeDraft(db, func(tx *store.Tx, d *Draft) (Change, error) {
		i := slices.Index(d.Categories, name)
		if i < 0 {
			return Change{}, nil
		}
		for _, it := range d.Items {
			if it.Category == name {
				return Change{}, fmt.Errorf("删除分类「%s」：%w", name, ErrCategoryUsed)
			}
		}
		if err := tx.Put(bucketMeta, categoriesKey, slices.Delete(d.Categories, i, i+1)); err != nil {
			return Change{}, err
		}
		return newChange(by, now, ActionCategory, "", "删除分类："+name), nil
	})
}

// ImportDraft loads decoded entries into the draft. With replace, the
// draft becomes exactly entries, and draft entries missing from the file
// are removed, not retired. Without it, entries are added or replace
// draft entries with the same id. Categories the file uses are added to
// the list. The entries are validated as a whole first, so a bad set
// changes nothing.
func ImportDraft(db *store.DB, by Staff, entries []Entry, replace bool, source string, now time.Time) (ImportResult, error) {
	if err := ValidateAll(entries); err != nil {
		return ImportResult{}, err
	}
	if len(entries) == 0 {
		return ImportResult{}, fmt.Errorf("导入的文件不含任何条目，草稿保持不变")
	}

	var res ImportResult
	_, err := changeDraft(db, func(tx *store.Tx, d *Draft) (Change, error) {
		items := mergeItems(d.Items, entries, replace, by, now, &res)
		if err := writeItems(tx, items); err != nil {
			return Change{}, err
		}
		if err := tx.Put(bucketMeta, categoriesKey, categoriesOf(d.Categories, items)); err != nil {
			return Change{}, err
		}
		mode := "合并导入"
		if replace {
			mode = "替换导入"
		}
		summary := fmt.Sprintf("%s %s：新增 %d 条，更新 %d 条，删除 %d 条", mode, source, res.Added, res.Updated, res.Removed)
		return newChange(by, now, ActionImport, "", summary), nil
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("importing %s into the draft: %w", source, err)
	}
	return res, nil
}

// PreviewImport returns the draft items ImportDraft would make of d and
// entries, without storing them, so a caller can test them first.
func PreviewImport(d Draft, entries []Entry, replace bool) []Item {
	var res ImportResult
	return mergeItems(d.Items, entries, replace, Staff{}, time.Time{}, &res)
}

// LostEntries counts the live entries that candidate deletes or retires,
// such as the items PreviewImport returns for a replacement.
func LostEntries(live []Entry, candidate []Item) int {
	active := make(map[string]bool, len(candidate))
	for _, it := range candidate {
		if !it.Retired {
			active[it.ID] = true
		}
	}
	lost := 0
	for _, e := range live {
		if !active[e.ID] {
			lost++
		}
	}
	return lost
}

// mergeItems overlays entries on the draft items by id and counts the
// result in res. It returns the items in id order.
func mergeItems(current []Item, entries []Entry, replace bool, by Staff, now time.Time, res *ImportResult) []Item {
	byID := make(map[string]Item, len(current))
	for _, it := range current {
		byID[it.ID] = it
	}
	incoming := make(map[string]bool, len(entries))
	for _, e := range entries {
		incoming[e.ID] = true
		old, exists := byID[e.ID]
		switch {
		case !exists:
			res.Added++
		case DiffSummary(old.Entry, e) != "":
			res.Updated++
		default:
			continue
		}
		byID[e.ID] = Item{Entry: e, Retired: old.Retired, UpdatedAt: now.UTC(), UpdatedBy: by}
	}
	if replace {
		for id := range byID {
			if !incoming[id] {
				delete(byID, id)
				res.Removed++
			}
		}
	}

	out := make([]Item, 0, len(byID))
	for _, it := range byID {
		out = append(out, it)
	}
	slices.SortFunc(out, func(a, b Item) int { return strings.Compare(a.ID, b.ID) })
	return out
}
