package kb

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"wenban/appliance/store"
)

// Action is the kind of a recorded change.
type Action string

// Actions of the change history.
const (
	ActionCreate   Action = "create"
	ActionEdit     Action = "edit"
	ActionRetire   Action = "retire"
	ActionRestore  Action = "restore"
	ActionImport   Action = "import"
	ActionCategory Action = "category"
	ActionPublish  Action = "publish"
	ActionRollback Action = "rollback"
)

var actionLabels = map[Action]string{
	ActionCreate:   "新建",
	ActionEdit:     "修改",
	ActionRetire:   "停用",
	ActionRestore:  "恢复",
	ActionImport:   "导入",
	ActionCategory: "分类",
	ActionPublish:  "发布",
	ActionRollback: "回滚",
}

// Label returns the Chinese name of the action for the history page.
func (a Action) Label() string {
	if l, ok := actionLabels[a]; ok {
		return l
	}
	return string(a)
}

// Change is one recorded change of the draft or of the published versions.
type Change struct {
	Seq    uint64    `json:"seq"`
	At     time.Time `json:"at"`
	By     Staff     `json:"by"`
	Action Action    `json:"action"`
	// EntryID is the entry changed, or empty for changes of the whole
	// knowledge base (imports, categories, publishing).
	EntryID string `json:"entry_id,omitempty"`
	// Summary lists what changed, field by field, in Chinese.
	Summary string `json:"summary"`
	// Version is the version a publish or rollback made, else 0.
	Version int `json:"version,omitempty"`
}

func newChange(by Staff, now time.Time, a Action, entryID, summary string) Change {
	return Change{At: now.UTC(), By: by, Action: a, EntryID: entryID, Summary: summary}
}

func appendChange(tx *store.Tx, ch *Change) error {
	seq, err := tx.NextSeq(bucketHistory)
	if err != nil {
		return err
	}
	ch.Seq = seq
	return tx.Put(bucketHistory, store.SeqKey(seq), *ch)
}

// History returns recorded changes, newest first: at most limit of them
// (zero means all), only those of entry entryID when it is not empty.
func History(db *store.DB, entryID string, limit int) ([]Change, error) {
	var out []Change
	err := db.View(func(tx *store.Tx) error {
		return tx.Scan(bucketHistory, "", func(_ string, decode store.Decoder) error {
			var ch Change
			if err := decode(&ch); err != nil {
				return err
			}
			if entryID == "" || ch.EntryID == entryID {
				out = append(out, ch)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("loading knowledge-base history: %w", err)
	}
	slices.Reverse(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// DiffSummary describes in Chinese, field by field, how b differs from a,
// or returns "" when they are equal.
func DiffSummary(a, b Entry) string {
	var parts []string
	if a.Category != b.Category {
		parts = append(parts, fmt.Sprintf("分类：%s → %s", orNone(a.Category), orNone(b.Category)))
	}
	if a.Question != b.Question {
		parts = append(parts, fmt.Sprintf("标准问题：%s → %s", clip(a.Question), clip(b.Question)))
	}
	if d := listDiff("相似问法", a.Similar, b.Similar); d != "" {
		parts = append(parts, d)
	}
	if a.Answer != b.Answer {
		parts = append(parts, "答案已修改")
	}
	if d := listDiff("所需材料", a.Materials, b.Materials); d != "" {
		parts = append(parts, d)
	}
	if d := listDiff("政策依据", a.Basis, b.Basis); d != "" {
		parts = append(parts, d)
	}
	return strings.Join(parts, "；")
}

// listDiff names the items added to and removed from a list, or reports
// a new order when only the order changed.
func listDiff(label string, a, b []string) string {
	added, removed := missing(b, a), missing(a, b)
	switch {
	case len(added) == 0 && len(removed) == 0 && slices.Equal(a, b):
		return ""
	case len(added) == 0 && len(removed) == 0:
		return label + "顺序调整"
	}
	var parts []string
	for _, s := range added {
		parts = append(parts, "+"+clip(s))
	}
	for _, s := range removed {
		parts = append(parts, "−"+clip(s))
	}
	const maxShown = 5
	if len(parts) > maxShown {
		parts = append(parts[:maxShown], fmt.Sprintf("等 %d 处", len(added)+len(removed)))
	}
	return label + "：" + strings.Join(parts, "，")
}

// missing returns the items of xs that ys lacks.
func missing(xs, ys []string) []string {
	var out []string
	for _, x := range xs {
		if !slices.Contains(ys, x) {
			out = append(out, x)
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "（无）"
	}
	return s
}
