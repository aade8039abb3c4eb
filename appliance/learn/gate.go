package learn

import (
	"fmt"
	"slices"

	"wenban/appliance/bot"
	"wenban/appliance/kb"
)

// GateMethod names the labelled set a gate evaluated.
type GateMethod string

// Gate methods.
const (
	// GateFrozen evaluates the embedded frozen set, restricted to the
	// cases whose entry the live knowledge base has.
	GateFrozen GateMethod = "frozen"
	// GateHoldout evaluates phrasings of the live knowledge base held out
	// of training, for a knowledge base the frozen set does not describe.
	GateHoldout GateMethod = "holdout"
	// GateNone means no labelled case applied, so the gate passed without
	// a comparison.
	GateNone GateMethod = "none"
)

// minFrozenCases is the number of in-scope frozen cases the live knowledge
// base must cover for the frozen set to gate it. Below it, one case is
// worth more than 5 points of top-1 and the comparison is noise.
const minFrozenCases = 20

// GateResult compares a candidate engine with the live one on one case set.
type GateResult struct {
	Method GateMethod
	// InScope and OutOfScope count the cases evaluated.
	InScope, OutOfScope int
	// Retired counts the cases left out because the candidate retires or
	// drops the entry they expect: an entry taken out on purpose can no
	// longer answer them, and that is the administrator's decision, not a
	// fault of the model.
	Retired         int
	Live, Candidate Figures
	// Passed is set when the candidate's top-1 is at least the live one's.
	Passed bool
	// Regressions are the questions the live engine answered right and the
	// candidate answers wrong.
	Regressions []Regression
}

// Figures are one engine's results on the gate cases.
type Figures struct {
	Correct   int
	Top1      float64
	Rejection float64
}

// Summary returns the figures in one Chinese line for pages and the CLI.
func (g GateResult) Summary() string {
	if g.Method == GateNone {
		return "新知识库与现行版本的条目编号大多不同（或没有可用的评测问句），视为整体更换，未做准确率对比。"
	}
	set := "固定评测问句"
	if g.Method == GateHoldout {
		set = "留出的条目问法"
	}
	line := fmt.Sprintf("用%s检验（本业务范围内 %d 句，范围外的无关问题 %d 句）：答对率 现行 %.1f%%（答对 %d 句）→ 新模型 %.1f%%（答对 %d 句）；无关问题拒答率（越高越好）现行 %.1f%% → 新模型 %.1f%%",
		set, g.InScope, g.OutOfScope,
		100*g.Live.Top1, g.Live.Correct, 100*g.Candidate.Top1, g.Candidate.Correct,
		100*g.Live.Rejection, 100*g.Candidate.Rejection)
	if g.Retired > 0 {
		line += fmt.Sprintf("。另有 %d 句评测问句对应的条目已停用或删除，未计入对比", g.Retired)
	}
	return line
}

// GateError rejects a retrain whose top-1 dropped.
type GateError struct {
	Gate GateResult
}

func (e *GateError) Error() string {
	return "新模型答对的评测问句少于现行模型，已拒绝发布。" + e.Gate.Summary() + e.Gate.Advice()
}

// Builder trains an engine on entries.
type Builder func(entries []kb.Entry) (*bot.Engine, error)

// RunGate compares the candidate items with the live entries. A candidate
// whose items, retired ones included, keep fewer than half of the live
// entry ids replaces the knowledge base rather than changing it, so no
// case set describes both and the gate passes without a comparison
// (GateNone). Retiring entries therefore never skips the gate.
//
// Otherwise the gate uses the frozen set when the live knowledge base
// covers at least minFrozenCases of its in-scope cases, and held-out
// phrasings of the live knowledge base when it does not. Either way the
// cases of entries the candidate retires or drops are left out and
// counted in GateResult.Retired. The engines are those trained on the
// full live and candidate entries; the held-out comparison trains its own
// pair with build and closes them.
func RunGate(live []kb.Entry, candidate []kb.Item, liveEngine, candidateEngine *bot.Engine, build Builder) (GateResult, error) {
	if !sameLineage(live, candidate) {
		return GateResult{Method: GateNone, Passed: true}, nil
	}
	kept := keptEntries(live, kb.Active(candidate))
	cases, err := frozenCasesFor(kept)
	if err != nil {
		return GateResult{}, err
	}
	all, err := frozenCasesFor(live)
	if err != nil {
		return GateResult{}, err
	}
	if countInScope(all) >= minFrozenCases {
		g := compare(GateFrozen, cases, liveEngine, candidateEngine)
		g.Retired = len(all) - len(cases)
		return g, nil
	}
	return holdoutGate(live, kept, kb.Active(candidate), build)
}

// keptEntries returns the live entries that candidate still has active.
func keptEntries(live, candidate []kb.Entry) []kb.Entry {
	active := make(map[string]bool, len(candidate))
	for _, e := range candidate {
		active[e.ID] = true
	}
	var out []kb.Entry
	for _, e := range live {
		if active[e.ID] {
			out = append(out, e)
		}
	}
	return out
}

// sameLineage reports whether candidate keeps at least half of the live
// entry ids.
func sameLineage(live []kb.Entry, candidate []kb.Item) bool {
	ids := make(map[string]bool, len(candidate))
	for _, e := range candidate {
		ids[e.ID] = true
	}
	keptIDs := 0
	for _, e := range live {
		if ids[e.ID] {
			keptIDs++
		}
	}
	return 2*keptIDs >= len(live)
}

// frozenCasesFor keeps the frozen cases that expect no match or expect an
// entry of entries.
func frozenCasesFor(entries []kb.Entry) ([]bot.Case, error) {
	all, err := bot.GateCases()
	if err != nil {
		return nil, err
	}
	ids := make(map[string]bool, len(entries))
	for _, e := range entries {
		ids[e.ID] = true
	}
	var out []bot.Case
	for _, c := range all {
		if c.Expect == bot.ExpectNone || ids[c.Expect] {
			out = append(out, c)
		}
	}
	return out, nil
}

func countInScope(cases []bot.Case) int {
	n := 0
	for _, c := range cases {
		if c.Expect != bot.ExpectNone {
			n++
		}
	}
	return n
}

func compare(method GateMethod, cases []bot.Case, live, candidate *bot.Engine) GateResult {
	lr, cr := bot.Evaluate(live, cases), bot.Evaluate(candidate, cases)
	return GateResult{
		Method:      method,
		InScope:     lr.InScope,
		OutOfScope:  lr.OutOfScope,
		Live:        Figures{Correct: lr.Correct, Top1: lr.Top1, Rejection: lr.Rejection},
		Candidate:   Figures{Correct: cr.Correct, Top1: cr.Top1, Rejection: cr.Rejection},
		Passed:      cr.Correct >= lr.Correct,
		Regressions: regressionsOf(cases, lr, cr),
	}
}

// holdoutGate removes the last similar phrasing of every live entry that
// has one from both trainings and evaluates both engines on the phrasings
// of the kept entries, with the frozen set's out-of-scope cases beside
// them.
func holdoutGate(live, kept, candidate []kb.Entry, build Builder) (GateResult, error) {
	heldOut := make(map[string]string) // entry id to its held-out phrasing
	for _, e := range live {
		if len(e.Similar) > 0 {
			heldOut[e.ID] = e.Similar[len(e.Similar)-1]
		}
	}
	var cases []bot.Case
	for _, e := range kept {
		if q, ok := heldOut[e.ID]; ok {
			cases = append(cases, bot.Case{Q: q, Expect: e.ID})
		}
	}
	retired := len(heldOut) - len(cases)
	if len(cases) == 0 {
		return GateResult{Method: GateNone, Passed: true, Retired: retired}, nil
	}
	outOfScope, err := frozenCasesFor(nil)
	if err != nil {
		return GateResult{}, err
	}
	cases = append(cases, outOfScope...)

	liveEngine, err := build(withoutHeld(live, heldOut))
	if err != nil {
		return GateResult{}, fmt.Errorf("training the live knowledge base without held-out phrasings: %w", err)
	}
	defer liveEngine.Close()
	candidateEngine, err := build(withoutHeld(candidate, heldOut))
	if err != nil {
		return GateResult{}, fmt.Errorf("training the candidate without held-out phrasings: %w", err)
	}
	defer candidateEngine.Close()
	g := compare(GateHoldout, cases, liveEngine, candidateEngine)
	g.Retired = retired
	return g, nil
}

// withoutHeld returns copies of entries without the held-out phrasing of
// their id.
func withoutHeld(entries []kb.Entry, heldOut map[string]string) []kb.Entry {
	out := make([]kb.Entry, len(entries))
	for i, e := range entries {
		if q, ok := heldOut[e.ID]; ok {
			e.Similar = slices.DeleteFunc(slices.Clone(e.Similar), func(s string) bool { return s == q })
		}
		out[i] = e
	}
	return out
}
