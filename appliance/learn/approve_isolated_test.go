package learn

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"wenban/appliance/kb"
)

func TestApproveIgnoresFailingDraftEdits(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	e.serve(t, []string{newPhrasing}, [][2]string{{"见答复", newEntry}})
	p := pendingProposals(t, e.learn)[0]

	// Damaging these two entries fails the frozen gate on its own.
	damaged := []string{"bdc-zydj-mm-001", "bdc-dyzx-001"}
	e.damage(t, damaged...)
	var ge *GateError
	if _, err := e.learn.PublishDraft(ctx, admin, "改坏两条", false); !errors.As(err, &ge) {
		t.Fatalf("precondition: publishing the damaged entries got %v, want a *GateError", err)
	}

	out, err := e.learn.Approve(ctx, admin, p.ID, false)
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	if out.Version.Number != 2 || !out.Gate.Passed {
		t.Errorf("outcome: got version %d passed=%v, want version 2 through the gate", out.Version.Number, out.Gate.Passed)
	}

	live, _, err := kb.Load(e.db)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range damaged {
		i := slices.IndexFunc(live, func(en kb.Entry) bool { return en.ID == id })
		if i < 0 || strings.HasPrefix(live[i].Question, "测试用条目") {
			t.Errorf("live version: entry %s was damaged by the approval, want it unchanged", id)
		}
	}
	if i := slices.IndexFunc(live, func(en kb.Entry) bool { return en.ID == newEntry }); i < 0 || !slices.Contains(live[i].Similar, newPhrasing) {
		t.Errorf("live entry %s lacks the approved phrasing", newEntry)
	}

	d, err := kb.LoadDraft(e.db)
	if err != nil {
		t.Fatal(err)
	}
	if d.State.Pending != 2 {
		t.Errorf("draft pending: got %d, want the 2 damaging edits still pending", d.State.Pending)
	}
	for _, id := range damaged {
		if it, _ := d.Item(id); !strings.HasPrefix(it.Question, "测试用条目") {
			t.Errorf("draft entry %s: got %q, want the damaging edit kept", id, it.Question)
		}
	}
	if it, _ := d.Item(newEntry); !slices.Contains(it.Similar, newPhrasing) {
		t.Errorf("draft entry %s lacks the approved phrasing", newEntry)
	}
	if res := e.engine.Load().Ask(newPhrasing); !res.Matched || res.FAQID != newEntry {
		t.Errorf("after approval: got matched=%v %s, want %s", res.Matched, res.FAQID, newEntry)
	}
}
