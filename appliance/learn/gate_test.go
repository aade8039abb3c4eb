package learn

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"wenban/appliance/bot"
	"wenban/appliance/kb"
)

func TestGateRejectsDamagedEntries(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	// The frozen set has cases for both entries, so stripping their
	// phrasings must cost top-1 accuracy.
	e.damage(t, "bdc-zydj-mm-001", "bdc-dyzx-001")
	before := e.engine.Load()

	out, err := e.learn.PublishDraft(ctx, admin, "改坏两条", false)
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
		t.Fatalf("regressions: got none, want the questions of the damaged entries")
	}
	if r := ge.Gate.Regressions[0]; !strings.Contains(err.Error(), r.Q) {
		t.Errorf("gate message %q does not list the regressed question %q", err, r.Q)
	}
	for _, r := range ge.Gate.Regressions {
		if r.Expect != "bdc-zydj-mm-001" && r.Expect != "bdc-dyzx-001" {
			t.Errorf("regression %q: got expected entry %s, want one of the damaged entries", r.Q, r.Expect)
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

// TestGateLeavesOutRetiredEntries retires two entries the frozen set
// covers. Their questions can no longer be answered by design, so the
// gate leaves them out, says so, and passes.
func TestGateLeavesOutRetiredEntries(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	retired := []string{"bdc-zydj-mm-001", "bdc-dyzx-001"}
	for _, id := range retired {
		if _, err := e.learn.SetRetired(ctx, admin, id, true); err != nil {
			t.Fatal(err)
		}
	}

	out, err := e.learn.PublishDraft(ctx, admin, "停用两条", false)
	if err != nil {
		t.Fatalf("publish of two retirements: %v", err)
	}
	if out.Gate.Method != GateFrozen || !out.Gate.Passed {
		t.Errorf("gate: got %s passed=%v, want a passed frozen gate", out.Gate.Method, out.Gate.Passed)
	}
	if out.Gate.Retired == 0 {
		t.Errorf("gate: got no left-out cases, want the frozen cases of %v", retired)
	}
	if want := fmt.Sprintf("另有 %d 句评测问句对应的条目已停用或删除", out.Gate.Retired); !strings.Contains(out.Gate.Summary(), want) {
		t.Errorf("summary %q: want it to say %q", out.Gate.Summary(), want)
	}
	live, _, err := kb.Load(e.db)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range retired {
		if slices.ContainsFunc(live, func(en kb.Entry) bool { return en.ID == id }) {
			t.Errorf("live version: entry %s still answers, want it retired", id)
		}
	}
}

func TestGateRetiringMostStillGated(t *testing.T) {
	live := foreignKB()
	items := itemsOf(live)
	for i := range items[:4] {
		items[i].Retired = true
	}
	// The two entries left lose their phrasings, which the held-out
	// questions of those two still catch.
	items[4].Question, items[4].Similar = "测试用条目甲", []string{"无关问法甲", items[4].Similar[len(items[4].Similar)-1]}
	items[5].Question, items[5].Similar = "测试用条目乙", []string{"无关问法乙", items[5].Similar[len(items[5].Similar)-1]}
	build := func(entries []kb.Entry) (*bot.Engine, error) { return bot.New(entries, bot.Options{}) }
	g, err := RunGate(live, items, nil, nil, build)
	if err != nil {
		t.Fatal(err)
	}
	if g.Method != GateHoldout || g.Passed {
		t.Errorf("gate after retiring 4 of 6: got %s passed=%v, want a failed holdout gate", g.Method, g.Passed)
	}
	if g.InScope != 2 || g.Retired != 4 {
		t.Errorf("held-out cases: got %d evaluated and %d left out, want 2 and 4", g.InScope, g.Retired)
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
		// Removed entries' questions are left out, not counted wrong.
		{"entries removed", func(es []kb.Entry) []kb.Entry { return es[2:] }, true},
		{"entries stripped of their phrasings", func(es []kb.Entry) []kb.Entry {
			for i := range es[:2] {
				last := es[i].Similar[len(es[i].Similar)-1]
				es[i].Question, es[i].Similar = fmt.Sprintf("测试用条目%d", i), []string{"无关问法", last}
			}
			return es
		}, false},
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
			if g.InScope+g.Retired != len(live) {
				t.Errorf("held-out cases: got %d evaluated and %d left out, want one per entry (%d)", g.InScope, g.Retired, len(live))
			}
			if g.Passed != tt.wantPassed {
				t.Errorf("passed: got %v (live %d, candidate %d correct), want %v", g.Passed, g.Live.Correct, g.Candidate.Correct, tt.wantPassed)
			}
		})
	}
}
