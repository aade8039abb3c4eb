package learn

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"wenban/appliance/bot"
	"wenban/appliance/kb"
)

func TestGateRejectsRetiredEntries(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	// The frozen set has cases for both entries, so hiding them must cost
	// top-1 accuracy.
	for _, id := range []string{"bdc-zydj-mm-001", "bdc-dyzx-001"} {
		if _, err := e.learn.SetRetired(ctx, admin, id, true); err != nil {
			t.Fatal(err)
		}
	}
	before := e.engine.Load()

	out, err := e.learn.PublishDraft(ctx, admin, "停用两条", false)
	var ge *GateError
	if !errors.As(err, &ge) {
		t.Fatalf("publish: got %v, want a *GateError", err)
	}
	if ge.Gate.Method != GateFrozen || ge.Gate.Candidate.Correct >= ge.Gate.Live.Correct {
		t.Errorf("gate: got %s with %d vs live %d correct, want a frozen-set drop", ge.Gate.Method, ge.Gate.Candidate.Correct, ge.Gate.Live.Correct)
	}
	if !strings.Contains(err.Error(), "答对率") {
		t.Errorf("gate message %q does not show the figures", err)
	}
	if len(ge.Gate.Regressions) == 0 {
		t.Fatalf("regressions: got none, want the questions of the retired entries")
	}
	if r := ge.Gate.Regressions[0]; !strings.Contains(err.Error(), r.Q) {
		t.Errorf("gate message %q does not list the regressed question %q", err, r.Q)
	}
	for _, r := range ge.Gate.Regressions {
		if r.Expect != "bdc-zydj-mm-001" && r.Expect != "bdc-dyzx-001" {
			t.Errorf("regression %q: got expected entry %s, want one of the retired entries", r.Q, r.Expect)
		}
	}
	if !strings.Contains(err.Error(), "处理办法") {
		t.Errorf("gate message %q does not say what to do", err)
	}
	if out.Version.Number != 0 {
		t.Errorf("rejected publish made version %d, want none", out.Version.Number)
	}
	if e.engine.Load() != before {
		t.Errorf("rejected publish swapped the live engine")
	}
	if _, meta, _ := kb.Load(e.db); meta.Version != 1 {
		t.Errorf("live version after rejection: got %d, want 1", meta.Version)
	}

	forced, err := e.learn.PublishDraft(ctx, admin, "停用两条", true)
	if err != nil {
		t.Fatalf("forced publish: %v", err)
	}
	if !forced.Forced || forced.Version.Number != 2 {
		t.Errorf("forced publish: got forced=%v version %d, want forced version 2", forced.Forced, forced.Version.Number)
	}
	if e.engine.Load() == before {
		t.Errorf("forced publish kept the old engine")
	}
}

func TestGateRejectsConfusingPhrasings(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	d, _ := e.learn.Draft(ctx)
	// Give the registration-cancellation entry every phrasing of the
	// mortgage-registration entry, so the two become indistinguishable.
	src, _ := d.Item("bdc-dydj-001")
	dst, _ := d.Item("bdc-dyzx-001")
	dst.Question = src.Question
	dst.Similar = src.Similar
	if _, err := e.learn.UpdateEntry(ctx, admin, dst.Entry); err != nil {
		t.Fatal(err)
	}
	_, err := e.learn.PublishDraft(ctx, admin, "混淆", false)
	var ge *GateError
	if !errors.As(err, &ge) {
		t.Fatalf("publish: got %v, want a *GateError", err)
	}
}

func TestGateAcceptsHarmlessChange(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	if _, err := e.learn.AddCategory(ctx, admin, "政策法规"); err != nil {
		t.Fatal(err)
	}
	entry := kb.Entry{ID: "zc-001", Category: "政策法规", Question: "哪里能查到自然资源政策文件？", Answer: "可在省自然资源厅门户网站政策法规栏目查询。"}
	if _, err := e.learn.CreateEntry(ctx, admin, entry); err != nil {
		t.Fatal(err)
	}
	out, err := e.learn.PublishDraft(ctx, admin, "新增政策查询", false)
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	if out.Gate.Method != GateFrozen || out.Gate.InScope < minFrozenCases || !out.Gate.Passed {
		t.Errorf("gate: got %+v, want a passed frozen-set gate", out.Gate)
	}
	if res := e.engine.Load().Ask("哪里能查到自然资源政策文件"); res.FAQID != "zc-001" {
		t.Errorf("new entry after publish: got %q, want zc-001", res.FAQID)
	}
}

// foreignKB is a knowledge base whose ids share nothing with the frozen set.
func foreignKB() []kb.Entry {
	topics := []struct{ q, sim1, sim2 string }{
		{"采矿许可证延续怎么申请", "采矿证到期了怎么续期", "矿证快过期了咋办"},
		{"测绘资质证书怎么申请", "想办测绘资质", "测绘公司资质怎么拿"},
		{"地质灾害危险性评估怎么做", "地灾评估找谁做", "建项目要做地灾评估吗"},
		{"林地占用审批怎么办", "占用林地要批吗", "修路占林地怎么审批"},
		{"土地复垦方案怎么编制", "复垦方案谁来写", "矿山复垦方案要求"},
		{"不动产登记资料怎么查询", "查房子登记信息", "查一下房产档案"},
	}
	var out []kb.Entry
	for i, tp := range topics {
		out = append(out, kb.Entry{
			ID: fmt.Sprintf("x-%03d", i+1), Category: "外部", Question: tp.q,
			Similar: []string{tp.sim1, tp.sim2}, Answer: "请携带有关材料到政务服务大厅咨询办理。",
		})
	}
	return out
}

func itemsOf(entries []kb.Entry) []kb.Item {
	out := make([]kb.Item, len(entries))
	for i, e := range entries {
		out[i] = kb.Item{Entry: e}
	}
	return out
}

func TestGateRetiringMostStillGated(t *testing.T) {
	live := foreignKB()
	items := itemsOf(live)
	for i := range items[:4] {
		items[i].Retired = true
	}
	build := func(entries []kb.Entry) (*bot.Engine, error) { return bot.New(entries, bot.Options{}) }
	g, err := RunGate(live, items, nil, nil, build)
	if err != nil {
		t.Fatal(err)
	}
	if g.Method != GateHoldout || g.Passed {
		t.Errorf("gate after retiring 4 of 6: got %s passed=%v, want a failed holdout gate", g.Method, g.Passed)
	}
}

func TestGateSkipsReplacement(t *testing.T) {
	shipped, err := kb.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	g, err := RunGate(shipped, itemsOf(foreignKB()), nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if g.Method != GateNone || !g.Passed {
		t.Errorf("gate of a wholesale replacement: got %s passed=%v, want none and passed", g.Method, g.Passed)
	}
}

func TestGateHoldoutOnForeignKB(t *testing.T) {
	live := foreignKB()
	build := func(entries []kb.Entry) (*bot.Engine, error) { return bot.New(entries, bot.Options{}) }
	liveEngine, err := build(live)
	if err != nil {
		t.Fatal(err)
	}
	defer liveEngine.Close()

	tests := []struct {
		name       string
		candidate  func([]kb.Entry) []kb.Entry
		wantPassed bool
	}{
		{"unchanged", func(es []kb.Entry) []kb.Entry { return es }, true},
		{"entries removed", func(es []kb.Entry) []kb.Entry { return es[2:] }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			candidate := tt.candidate(foreignKB())
			engine, err := build(candidate)
			if err != nil {
				t.Fatal(err)
			}
			defer engine.Close()
			g, err := RunGate(live, itemsOf(candidate), liveEngine, engine, build)
			if err != nil {
				t.Fatal(err)
			}
			if g.Method != GateHoldout {
				t.Errorf("method: got %s, want %s", g.Method, GateHoldout)
			}
			if g.InScope != len(live) {
				t.Errorf("held-out cases: got %d, want one per entry (%d)", g.InScope, len(live))
			}
			if g.Passed != tt.wantPassed {
				t.Errorf("passed: got %v (live %d, candidate %d correct), want %v", g.Passed, g.Live.Correct, g.Candidate.Correct, tt.wantPassed)
			}
		})
	}
}
