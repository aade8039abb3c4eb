package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"wenban/appliance/auth"
	"wenban/appliance/kb"
	"wenban/appliance/learn"
)

// racingKB runs edit just before every publish or rollback reaches the
// service, as a second administrator saving the draft at that moment
// would.
type racingKB struct {
	*learn.Service
	edit func()
}

func (k racingKB) PublishDraft(ctx context.Context, by kb.Staff, name string, force bool) (learn.Outcome, error) {
	k.edit()
	return k.Service.PublishDraft(ctx, by, name, force)
}

func (k racingKB) PublishDraftAt(ctx context.Context, by kb.Staff, name string, rev uint64, force bool) (learn.Outcome, error) {
	k.edit()
	return k.Service.PublishDraftAt(ctx, by, name, rev, force)
}

func (k racingKB) Rollback(ctx context.Context, by kb.Staff, number int, force bool) (learn.Outcome, error) {
	k.edit()
	return k.Service.Rollback(ctx, by, number, force)
}

func (k racingKB) RollbackAt(ctx context.Context, by kb.Staff, number int, rev uint64, force bool) (learn.Outcome, error) {
	k.edit()
	return k.Service.RollbackAt(ctx, by, number, rev, force)
}

const racedAnswer = "另一位管理员刚保存、尚未核对的答案。"

func newRacingHarness(t *testing.T) *kbHarness {
	t.Helper()
	var kh *kbHarness
	kh = newKBHarnessWith(t, func(s *learn.Service) KnowledgeBase {
		return racingKB{Service: s, edit: func() {
			e := testEntries[0]
			e.Answer = racedAnswer
			if _, err := s.UpdateEntry(context.Background(), kb.Staff{ID: "acc-b", Name: "李四"}, e); err != nil {
				t.Errorf("concurrent edit: %v", err)
			}
		}}
	})
	return kh
}

func liveAnswer(t *testing.T, kh *kbHarness, id string) string {
	t.Helper()
	entries, _, err := kb.Load(kh.db)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.ID == id {
			return e.Answer
		}
	}
	return ""
}

func TestKBPublishRejectsConcurrentEdit(t *testing.T) {
	kh := newRacingHarness(t)
	kh.createAccount("admin1", "王敏", auth.RoleAdmin)
	c := kh.client()
	token := kh.login(c, "admin1")

	// The administrator reviewed a draft with one change of their own.
	e := testEntries[1]
	e.Answer = "本人核对过的新答案。"
	if _, err := kh.learn.UpdateEntry(context.Background(), kb.Staff{ID: "acc-a", Name: "王敏"}, e); err != nil {
		t.Fatal(err)
	}
	rev := strconv.FormatUint(kh.draftRev(), 10)

	got := kh.postForm(c, "/seat/admin/kb/publish", url.Values{csrfField: {token}, "name": {"核对后发布"}, "rev": {rev}})
	if got.status != http.StatusBadRequest || !strings.Contains(got.body, kb.ErrDraftChanged.Error()) {
		t.Errorf("publish with a concurrent edit: got status %d, want 400 with %q", got.status, kb.ErrDraftChanged.Error())
	}
	if answer := liveAnswer(t, kh, testEntries[0].ID); answer == racedAnswer {
		t.Errorf("live answer of %s: got the unreviewed edit %q, want it unpublished", testEntries[0].ID, answer)
	}
}

func TestKBRollbackRejectsConcurrentEdit(t *testing.T) {
	kh := newRacingHarness(t)
	kh.createAccount("admin1", "王敏", auth.RoleAdmin)
	c := kh.client()
	token := kh.login(c, "admin1")
	rev := strconv.FormatUint(kh.draftRev(), 10)

	got := kh.postForm(c, "/seat/admin/kb/versions/1/rollback", url.Values{csrfField: {token}, "rev": {rev}})
	if got.status != http.StatusBadRequest || !strings.Contains(got.body, kb.ErrDraftChanged.Error()) {
		t.Errorf("rollback with a concurrent edit: got status %d, want 400 with %q", got.status, kb.ErrDraftChanged.Error())
	}
	d, err := kb.LoadDraft(kh.db)
	if err != nil {
		t.Fatal(err)
	}
	if it, _ := d.Item(testEntries[0].ID); it.Answer != racedAnswer {
		t.Errorf("draft answer of %s after the rejected rollback: got %q, want the other administrator's edit kept", testEntries[0].ID, it.Answer)
	}
}
