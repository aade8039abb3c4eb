package learn

import (
	"fmt"
	"strings"

	"wenban/appliance/bot"
)

// maxListedRegressions bounds the questions a rejection message lists, so
// a wholesale change stays readable on the page and in the terminal.
const maxListedRegressions = 10

// Regression is a gate question the live engine answered right and the
// candidate answers wrong.
type Regression struct {
	Q      string
	Expect string
	// Got is the entry id the candidate returned, or "" when it did not match.
	Got string
}

// regressionsOf lists the in-scope cases that live got right and candidate
// missed, in case order.
func regressionsOf(cases []bot.Case, live, candidate bot.Report) []Regression {
	liveMissed := make(map[string]bool, len(live.Misses))
	for _, m := range live.Misses {
		liveMissed[m.Q] = true
	}
	candidateMiss := make(map[string]bot.Miss, len(candidate.Misses))
	for _, m := range candidate.Misses {
		candidateMiss[m.Q] = m
	}

	var out []Regression
	for _, c := range cases {
		m, missed := candidateMiss[c.Q]
		if c.Expect == bot.ExpectNone || !missed || liveMissed[c.Q] {
			continue
		}
		out = append(out, Regression{Q: c.Q, Expect: c.Expect, Got: m.Got})
	}
	return out
}

// regressionAdvice formats the regressed questions and the steps that fix
// the draft as Chinese lines.
func regressionAdvice(rs []Regression) string {
	if len(rs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n以下评测问句原来答对，新模型答错：")
	for i, r := range rs {
		if i == maxListedRegressions {
			fmt.Fprintf(&b, "\n……另有 %d 句未列出", len(rs)-maxListedRegressions)
			break
		}
		got := "未作答"
		if r.Got != "" {
			got = "答成条目 " + r.Got
		}
		fmt.Fprintf(&b, "\n· “%s”：应为条目 %s，%s", r.Q, r.Expect, got)
	}
	b.WriteString("\n处理办法：检查草稿中与上述问句相近的新增问法或条目，改写或删去后重新发布；" +
		"也可给应答条目补充与上述问句相近的问法。")
	return b.String()
}

// Advice returns the regressed questions and what to do about them in
// Chinese lines, or "" when none regressed.
func (g GateResult) Advice() string { return regressionAdvice(g.Regressions) }
