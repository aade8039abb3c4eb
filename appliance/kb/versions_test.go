package kb

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"wenban/appliance/seal"
	"wenban/appliance/store"
)

var (
	t0    = time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	admin = Staff{ID: "acc-1", Name: "王敏"}
	other = Staff{ID: "acc-2", Name: "李华"}
)

func openTestDB(t *testing.T) *store.DB {
	t.Helper()
	key, err := seal.NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	master, err := seal.NewMasterKey(key)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "wenban.db"), master)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func sampleEntries() []Entry {
	return []Entry{
		{ID: "a-001", Category: "不动产登记", Question: "二手房过户怎么办理？", Similar: []string{"二手房过户流程"}, Answer: "携带身份证和不动产权证书到窗口办理。"},
		{ID: "b-001", Category: "不动产登记", Question: "抵押注销需要什么材料？", Answer: "携带身份证、不动产登记证明和还款证明。", Materials: []string{"身份证", "还款证明"}},
		{ID: "c-001", Category: "窗口服务", Question: "办公时间是几点？", Answer: "工作日上午九点至下午五点。"},
	}
}

// seeded returns a store whose live knowledge base is sampleEntries, saved
// the way kb.Seed saves the shipped one.
func seeded(t *testing.T) *store.DB {
	t.Helper()
	db := openTestDB(t)
	if _, err := Save(db, sampleEntries(), true, "shipped", t0); err != nil {
		t.Fatal(err)
	}
	return db
}

func mustDraft(t *testing.T, db *store.DB) Draft {
	t.Helper()
	d, err := LoadDraft(db)
	if err != nil {
		t.Fatalf("LoadDraft: %v", err)
	}
	return d
}

func TestLoadDraftMigratesLiveKB(t *testing.T) {
	db := seeded(t)
	d := mustDraft(t, db)
	if len(d.Items) != 3 {
		t.Fatalf("draft items: got %d, want 3", len(d.Items))
	}
	if d.State.Base != 1 || d.State.Pending != 0 {
		t.Errorf("draft state: got %+v, want base 1, pending 0", d.State)
	}
	if want := []string{"不动产登记", "窗口服务"}; strings.Join(d.Categories, ",") != strings.Join(want, ",") {
		t.Errorf("categories: got %v, want %v", d.Categories, want)
	}
	vs, err := Versions(db)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].Number != 1 || vs[0].Name != "shipped" || vs[0].Active != 3 {
		t.Errorf("versions: got %+v, want one version 1 named shipped with 3 active", vs)
	}
}

func TestPublishAndRollback(t *testing.T) {
	db := seeded(t)
	e := sampleEntries()[0]
	e.Similar = append(e.Similar, "买的二手房怎么过户")
	if _, err := UpdateEntry(db, admin, e, t0.Add(time.Minute)); err != nil {
		t.Fatalf("UpdateEntry: %v", err)
	}
	if _, err := SetRetired(db, admin, "c-001", true, t0.Add(2*time.Minute)); err != nil {
		t.Fatalf("SetRetired: %v", err)
	}

	live, _, _ := Load(db)
	if len(live) != 3 {
		t.Errorf("live before publish: got %d entries, want 3 (draft edits stay out)", len(live))
	}

	d := mustDraft(t, db)
	if d.State.Pending != 2 {
		t.Errorf("pending changes: got %d, want 2", d.State.Pending)
	}
	v2, err := Publish(db, PublishRequest{By: admin, Name: "十二月更新", Rev: d.State.Rev, Now: t0.Add(3 * time.Minute)})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if v2.Number != 2 {
		t.Errorf("published version: got %d, want 2", v2.Number)
	}
	live, meta, err := Load(db)
	if err != nil {
		t.Fatal(err)
	}
	if len(live) != 2 || meta.Version != 2 || meta.Source != "十二月更新" {
		t.Errorf("live after publish: got %d entries, meta %+v; want 2 entries, version 2", len(live), meta)
	}
	if len(live[0].Similar) != 2 {
		t.Errorf("published phrasings of a-001: got %v, want 2", live[0].Similar)
	}

	d = mustDraft(t, db)
	v3, err := Rollback(db, other, 1, d.State.Rev, t0.Add(4*time.Minute))
	if err != nil {
		t.Fatalf("Rollback: %v", err)
	}
	if v3.Number != 3 || v3.RollbackOf != 1 {
		t.Errorf("rollback version: got number %d of %d, want 3 of 1", v3.Number, v3.RollbackOf)
	}
	live, _, _ = Load(db)
	if len(live) != 3 || len(live[0].Similar) != 1 {
		t.Errorf("live after rollback: got %d entries, a-001 phrasings %v; want 3 and the original one", len(live), live[0].Similar)
	}
	old, err := LoadVersion(db, 2)
	if err != nil || len(Active(old.Items)) != 2 {
		t.Errorf("version 2 after rollback: got %d active, %v; want it unchanged with 2", len(Active(old.Items)), err)
	}
	d = mustDraft(t, db)
	if it, _ := d.Item("c-001"); it.Retired {
		t.Errorf("draft after rollback: c-001 still retired, want restored with version 1")
	}
}

func TestPublishRejectsStaleDraft(t *testing.T) {
	db := seeded(t)
	d := mustDraft(t, db)
	if _, err := SetRetired(db, other, "b-001", true, t0); err != nil {
		t.Fatal(err)
	}
	_, err := Publish(db, PublishRequest{By: admin, Name: "x", Rev: d.State.Rev, Now: t0})
	if !errors.Is(err, ErrDraftChanged) {
		t.Errorf("publish of a stale draft: got %v, want ErrDraftChanged", err)
	}
}

func TestPublishRejectsEmptyDraft(t *testing.T) {
	db := seeded(t)
	for _, e := range sampleEntries() {
		if _, err := SetRetired(db, admin, e.ID, true, t0); err != nil {
			t.Fatal(err)
		}
	}
	d := mustDraft(t, db)
	_, err := Publish(db, PublishRequest{By: admin, Name: "x", Rev: d.State.Rev, Now: t0})
	if !errors.Is(err, ErrNoActive) {
		t.Errorf("publish with every entry retired: got %v, want ErrNoActive", err)
	}
}

func TestHistoryAttribution(t *testing.T) {
	db := seeded(t)
	created := Entry{ID: "d-001", Category: "窗口服务", Question: "可以预约办理吗？", Answer: "可以通过网上预约。"}
	if _, err := CreateEntry(db, admin, created, t0); err != nil {
		t.Fatalf("CreateEntry: %v", err)
	}
	edited := created
	edited.Answer = "可以通过网上大厅或电话预约。"
	edited.Materials = []string{"身份证"}
	if _, err := UpdateEntry(db, other, edited, t0.Add(time.Minute)); err != nil {
		t.Fatalf("UpdateEntry: %v", err)
	}
	if _, err := UpdateEntry(db, other, edited, t0.Add(2*time.Minute)); err != nil {
		t.Fatalf("UpdateEntry without change: %v", err)
	}

	hist, err := History(db, "d-001", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 {
		t.Fatalf("history of d-001: got %d changes, want 2 (an update without change is not recorded): %+v", len(hist), hist)
	}
	tests := []struct {
		name    string
		got     Change
		by      Staff
		action  Action
		summary string
	}{
		{"edit is newest", hist[0], other, ActionEdit, "答案已修改；所需材料：+身份证"},
		{"create", hist[1], admin, ActionCreate, "新建条目：可以预约办理吗？"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got.By != tt.by {
				t.Errorf("by: got %+v, want %+v", tt.got.By, tt.by)
			}
			if tt.got.Action != tt.action {
				t.Errorf("action: got %s, want %s", tt.got.Action, tt.action)
			}
			if tt.got.Summary != tt.summary {
				t.Errorf("summary: got %q, want %q", tt.got.Summary, tt.summary)
			}
		})
	}
}

func TestRetireRestore(t *testing.T) {
	db := seeded(t)
	steps := []struct {
		name        string
		retired     bool
		wantChanges int
	}{
		{"retire", true, 1},
		{"retire again records nothing", true, 1},
		{"restore", false, 2},
	}
	for _, st := range steps {
		if _, err := SetRetired(db, admin, "b-001", st.retired, t0); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		it, _ := mustDraft(t, db).Item("b-001")
		if it.Retired != st.retired {
			t.Errorf("%s: got retired %v, want %v", st.name, it.Retired, st.retired)
		}
		hist, _ := History(db, "b-001", 0)
		if len(hist) != st.wantChanges {
			t.Errorf("%s: got %d changes, want %d", st.name, len(hist), st.wantChanges)
		}
	}
	if _, err := SetRetired(db, admin, "zz-404", true, t0); !errors.Is(err, ErrEntryNotFound) {
		t.Errorf("retire a missing entry: got %v, want ErrEntryNotFound", err)
	}
}

func TestDraftEntryChecks(t *testing.T) {
	db := seeded(t)
	tests := []struct {
		name    string
		create  bool
		entry   Entry
		wantErr string
	}{
		{"duplicate id", true, sampleEntries()[0], "编号已存在"},
		{"unknown category", true, Entry{ID: "x-1", Category: "林业", Question: "问", Answer: "答"}, "分类不在分类列表中"},
		{"empty answer", true, Entry{ID: "x-2", Question: "问"}, "答案为空"},
		{"missing entry", false, Entry{ID: "x-3", Question: "问", Answer: "答"}, "未找到该知识条目"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.create {
				_, err = CreateEntry(db, admin, tt.entry, t0)
			} else {
				_, err = UpdateEntry(db, admin, tt.entry, t0)
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
	if d := mustDraft(t, db); d.State.Pending != 0 {
		t.Errorf("pending after rejected edits: got %d, want 0", d.State.Pending)
	}
}

func TestCategories(t *testing.T) {
	db := seeded(t)
	if _, err := AddCategory(db, admin, " 测绘 ", t0); err != nil {
		t.Fatalf("AddCategory: %v", err)
	}
	if _, err := AddCategory(db, admin, "测绘", t0); !errors.Is(err, ErrCategoryInvalid) {
		t.Errorf("add a duplicate: got %v, want ErrCategoryInvalid", err)
	}
	if _, err := RemoveCategory(db, admin, "窗口服务", t0); !errors.Is(err, ErrCategoryUsed) {
		t.Errorf("remove a used category: got %v, want ErrCategoryUsed", err)
	}
	if _, err := RemoveCategory(db, admin, "测绘", t0); err != nil {
		t.Errorf("remove an unused category: %v", err)
	}
	if got := mustDraft(t, db).Categories; len(got) != 2 {
		t.Errorf("categories: got %v, want the two in use", got)
	}
}

func TestImportDraftReplace(t *testing.T) {
	db := seeded(t)
	incoming := []Entry{
		sampleEntries()[0],
		{ID: "n-001", Category: "矿业权", Question: "采矿权延续怎么办？", Answer: "有效期届满前三十日申请。"},
	}
	res, err := ImportDraft(db, admin, incoming, true, "new.csv", t0)
	if err != nil {
		t.Fatalf("ImportDraft: %v", err)
	}
	if res.Added != 1 || res.Updated != 0 || res.Removed != 2 {
		t.Errorf("import counts: got %+v, want 1 added, 0 updated, 2 removed", res)
	}
	d := mustDraft(t, db)
	if len(d.Items) != 2 || len(d.Categories) != 3 {
		t.Errorf("draft after import: got %d items, categories %v; want 2 items and 矿业权 added", len(d.Items), d.Categories)
	}

	bad := []Entry{{ID: "x", Question: "问"}}
	if _, err := ImportDraft(db, admin, bad, true, "bad.csv", t0); err == nil {
		t.Errorf("import of an invalid entry: got nil error, want a rejection")
	}
	if again := mustDraft(t, db); again.State.Rev != d.State.Rev {
		t.Errorf("draft after a rejected import: got rev %d, want %d", again.State.Rev, d.State.Rev)
	}
}

func TestDiffSummary(t *testing.T) {
	base := Entry{ID: "a", Category: "甲", Question: "问题", Similar: []string{"一", "二"}, Answer: "答", Materials: []string{"身份证"}}
	tests := []struct {
		name string
		edit func(e *Entry)
		want string
	}{
		{"unchanged", func(*Entry) {}, ""},
		{"category", func(e *Entry) { e.Category = "" }, "分类：甲 → （无）"},
		{"phrasing added and removed", func(e *Entry) { e.Similar = []string{"二", "三"} }, "相似问法：+三，−一"},
		{"phrasings reordered", func(e *Entry) { e.Similar = []string{"二", "一"} }, "相似问法顺序调整"},
		{"answer and basis", func(e *Entry) { e.Answer = "新答"; e.Basis = []string{"土地管理法#第四十四条"} }, "答案已修改；政策依据：+土地管理法#第四十四条"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edited := base
			edited.Similar = append([]string(nil), base.Similar...)
			tt.edit(&edited)
			if got := DiffSummary(base, edited); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLostEntries(t *testing.T) {
	live := sampleEntries()
	if len(live) < 2 {
		t.Fatalf("sampleEntries has %d entries, want at least 2", len(live))
	}
	d := Draft{Items: make([]Item, len(live))}
	for i, e := range live {
		d.Items[i] = Item{Entry: e}
	}
	retired := slices.Clone(d.Items)
	retired[0].Retired = true

	tests := []struct {
		name      string
		candidate []Item
		want      int
	}{
		{"unchanged", d.Items, 0},
		{"one retired", retired, 1},
		{"replaced by the first", PreviewImport(d, live[:1], true), len(live) - 1},
		{"merged", PreviewImport(d, live[:1], false), 0},
		{"replaced by a new id", PreviewImport(d, []Entry{{ID: "new-001"}}, true), len(live)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LostEntries(live, tt.candidate); got != tt.want {
				t.Errorf("got %d lost entries, want %d", got, tt.want)
			}
		})
	}
}
