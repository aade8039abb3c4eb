package learn

import (
	"context"
	"errors"
	"slices"
	"testing"

	"wenban/appliance/kb"
)

func TestApproveIgnoresFailingDraftEdits(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	e.serve(t, []string{newPhrasing}, [][2]string{{"见答复", newEntry}})
	p := pendingProposals(t, e.learn)[0]

	// Retiring these two entries fails the frozen gate on its own.
	retired := []string{"bdc-zydj-mm-001", "bdc-dyzx-001"}
	for _, id := range retired {
		if _, err := e.learn.SetRetired(ctx, admin, id, true); err != nil {
			t.Fatal(err)
		}
	}
	var ge *GateError
	if _, err := e.learn.PublishDraft(ctx, admin, "停用两条", false); !errors.As(err, &ge) {
		t.Fatalf("precondition: publishing the retirements got %v, want a *GateError", err)
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
	for _, id := range retired {
		if !slices.ContainsFunc(live, func(en kb.Entry) bool { return en.ID == id }) {
			t.Errorf("live version: entry %s was retired by the approval, want it still live", id)
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
		t.Errorf("draft pending: got %d, want the 2 retirements still pending", d.State.Pending)
	}
	for _, id := range retired {
		if it, _ := d.Item(id); !it.Retired {
			t.Errorf("draft entry %s: got active, want the retirement kept", id)
		}
	}
	if it, _ := d.Item(newEntry); !slices.Contains(it.Similar, newPhrasing) {
		t.Errorf("draft entry %s lacks the approved phrasing", newEntry)
	}
	if res := e.engine.Load().Ask(newPhrasing); !res.Matched || res.FAQID != newEntry {
		t.Errorf("after approval: got matched=%v %s, want %s", res.Matched, res.FAQID, newEntry)
	}
}
