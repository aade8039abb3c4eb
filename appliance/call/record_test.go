package call

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"wenban/appliance/conversation"
	"wenban/appliance/seal"
	"wenban/appliance/store"
)

func openGroupStore(t *testing.T) *GroupStore {
	t.Helper()
	dir := t.TempDir()
	master, err := seal.LoadMasterKey(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(dir, "wenban.db"), master)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return NewGroupStore(db)
}

func TestGroupRecordKeepsMembersAndTimes(t *testing.T) {
	ctx := context.Background()
	groups := openGroupStore(t)
	r := newRig(t, func(o *Options) { o.Records = groups })

	g, err := r.m.OpenGroup(ctx, zhang)
	if err != nil {
		t.Fatalf("OpenGroup: %v", err)
	}
	opened := r.clock.Now()
	for _, id := range []string{"conv-1", "conv-2"} {
		if _, err := r.m.JoinGroup(ctx, g.ID, conversation.ID(id)); err != nil {
			t.Fatalf("JoinGroup(%s): %v", id, err)
		}
	}
	r.clock.Advance(time.Minute)
	if _, err := r.m.LeaveGroup(ctx, g.ID, "", "conv-1"); err != nil {
		t.Fatalf("LeaveGroup: %v", err)
	}
	folder := r.m.RecordingFolder(g.Room)
	r.clock.Advance(time.Minute)
	if _, err := r.m.CloseGroup(ctx, g.ID, zhang.ID); err != nil {
		t.Fatalf("CloseGroup: %v", err)
	}

	list, err := groups.Groups(ctx, 10)
	if err != nil {
		t.Fatalf("Groups: %v", err)
	}
	if len(list) != 1 {
		t.Fatalf("records: got %d, want 1", len(list))
	}
	rec := list[0]
	if string(rec.ID) == string(g.ID) {
		t.Errorf("record id: got the join secret %s, want a different id", rec.ID)
	}
	if rec.Agent != zhang {
		t.Errorf("agent: got %+v, want %+v", rec.Agent, zhang)
	}
	if !rec.OpenedAt.Equal(opened) {
		t.Errorf("opened at: got %v, want %v", rec.OpenedAt, opened)
	}
	if want := opened.Add(2 * time.Minute); !rec.ClosedAt.Equal(want) {
		t.Errorf("closed at: got %v, want %v", rec.ClosedAt, want)
	}
	if len(rec.Members) != 2 {
		t.Fatalf("members: got %d, want 2", len(rec.Members))
	}
	if want := opened.Add(time.Minute); !rec.Members[0].LeftAt.Equal(want) {
		t.Errorf("conv-1 left at: got %v, want %v", rec.Members[0].LeftAt, want)
	}
	if want := opened.Add(2 * time.Minute); !rec.Members[1].LeftAt.Equal(want) {
		t.Errorf("conv-2 left at: got %v, want %v", rec.Members[1].LeftAt, want)
	}
	if folder != rec.RecordingFolder() {
		t.Errorf("recording folder: got %q, want %q", folder, rec.RecordingFolder())
	}
	got, err := groups.Group(ctx, rec.ID)
	if err != nil || got.Version != rec.Version {
		t.Errorf("Group(%s): got version %d, %v; want %d", rec.ID, got.Version, err, rec.Version)
	}
	if _, err := groups.Group(ctx, "nope"); !errors.Is(err, ErrGroupNotFound) {
		t.Errorf("Group(nope): got %v, want ErrGroupNotFound", err)
	}
}

func TestGroupStoreSkipsOlderVersion(t *testing.T) {
	ctx := context.Background()
	groups := openGroupStore(t)
	newer := GroupRecord{ID: "r1", Agent: zhang, Version: 5, ClosedAt: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}
	if err := groups.SaveGroup(ctx, newer); err != nil {
		t.Fatal(err)
	}
	if err := groups.SaveGroup(ctx, GroupRecord{ID: "r1", Agent: zhang, Version: 3}); err != nil {
		t.Fatal(err)
	}
	got, err := groups.Group(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 5 || got.ClosedAt.IsZero() {
		t.Errorf("after a late older save: got version %d closed %v, want version 5 closed", got.Version, got.ClosedAt)
	}
}

func TestGroupStoreClosesUnfinished(t *testing.T) {
	ctx := context.Background()
	groups := openGroupStore(t)
	at := time.Date(2026, 12, 4, 11, 0, 0, 0, time.UTC)
	groups.now = func() time.Time { return at }
	open := GroupRecord{ID: "open", Version: 1, Members: []MemberRecord{{Conversation: "conv-1"}}}
	done := GroupRecord{ID: "done", Version: 1, ClosedAt: at.Add(-time.Hour)}
	for _, rec := range []GroupRecord{open, done} {
		if err := groups.SaveGroup(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	n, err := groups.CloseUnfinished(ctx)
	if err != nil || n != 1 {
		t.Fatalf("CloseUnfinished: got %d, %v; want 1, nil", n, err)
	}
	got, _ := groups.Group(ctx, "open")
	if !got.ClosedAt.Equal(at) || !got.Members[0].LeftAt.Equal(at) {
		t.Errorf("unfinished record: got closed %v, member left %v; want both %v", got.ClosedAt, got.Members[0].LeftAt, at)
	}
	if got, _ := groups.Group(ctx, "done"); !got.ClosedAt.Equal(at.Add(-time.Hour)) {
		t.Errorf("finished record: got closed %v, want unchanged", got.ClosedAt)
	}
}
