package learn

import (
	"context"
	"errors"
	"slices"
	"testing"

	"wenban/appliance/kb"
)

// TestGateRejectsRollbackToWorseVersion rolls back to a version that was
// forced past the gate: the rollback is gated like a publish and rejected,
// and the live version and draft stay as they were.
func TestGateRejectsRollbackToWorseVersion(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	damaged := []string{"bdc-zydj-mm-001", "bdc-dyzx-001"}
	shipped, _, err := kb.Load(e.db)
	if err != nil {
		t.Fatal(err)
	}
	e.damage(t, damaged...)
	if _, err := e.learn.PublishDraft(ctx, admin, "改坏两条", true); err != nil {
		t.Fatalf("forced publish of version 2: %v", err)
	}
	for _, en := range shipped {
		if slices.Contains(damaged, en.ID) {
			if _, err := e.learn.UpdateEntry(ctx, admin, en); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := e.learn.PublishDraft(ctx, admin, "恢复两条", false); err != nil {
		t.Fatalf("publish of version 3: %v", err)
	}
	before := e.engine.Load()
	draftBefore, err := kb.LoadDraft(e.db)
	if err != nil {
		t.Fatal(err)
	}

	_, err = e.learn.Rollback(ctx, admin, 2, false)
	var ge *GateError
	if !errors.As(err, &ge) {
		t.Fatalf("rollback to version 2: got %v, want a *GateError", err)
	}
	if ge.Gate.Candidate.Correct >= ge.Gate.Live.Correct {
		t.Errorf("gate: got %d vs live %d correct, want a drop", ge.Gate.Candidate.Correct, ge.Gate.Live.Correct)
	}
	if e.engine.Load() != before {
		t.Errorf("rejected rollback swapped the live engine")
	}
	if _, meta, _ := kb.Load(e.db); meta.Version != 3 {
		t.Errorf("live version after the rejected rollback: got %d, want 3", meta.Version)
	}
	d, err := kb.LoadDraft(e.db)
	if err != nil {
		t.Fatal(err)
	}
	if d.State.Rev != draftBefore.State.Rev {
		t.Errorf("draft rev after the rejected rollback: got %d, want %d", d.State.Rev, draftBefore.State.Rev)
	}
}

// TestPublishDraftAtRejectsStaleRev publishes a revision the draft has
// moved past, as an administrator who reviewed an older page would.
func TestPublishDraftAtRejectsStaleRev(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	if _, err := e.learn.SetRetired(ctx, admin, "bdc-dyzx-001", true); err != nil {
		t.Fatal(err)
	}
	d, err := kb.LoadDraft(e.db)
	if err != nil {
		t.Fatal(err)
	}
	reviewed := d.State.Rev
	if _, err := e.learn.SetRetired(ctx, kb.Staff{ID: "acc-b", Name: "李四"}, "bdc-dyzx-001", false); err != nil {
		t.Fatal(err)
	}

	_, err = e.learn.PublishDraftAt(ctx, admin, "核对后发布", reviewed, true)
	if !errors.Is(err, kb.ErrDraftChanged) {
		t.Errorf("publish of revision %d: got %v, want kb.ErrDraftChanged", reviewed, err)
	}
	if _, meta, _ := kb.Load(e.db); meta.Version != 1 {
		t.Errorf("live version after the rejected publish: got %d, want 1", meta.Version)
	}
	_, err = e.learn.RollbackAt(ctx, admin, 1, reviewed, true)
	if !errors.Is(err, kb.ErrDraftChanged) {
		t.Errorf("rollback at revision %d: got %v, want kb.ErrDraftChanged", reviewed, err)
	}
}
