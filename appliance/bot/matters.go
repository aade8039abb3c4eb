package bot

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// The matter catalogue lists the field's standard matters (事项), such as
// 预告登记 or 采矿权延续, each with the standard questions knowledge-base
// authors write for it and many phrasings citizens use. A knowledge base
// gives each entry only a few phrasings, so a citizen who describes a
// situation in other words is often missed. When the engine is built,
// each entry is matched to the catalogue matters its standard question
// names. A question is then also ranked against the catalogue's
// phrasings, and a clear lead of one matter routes it to that matter's
// entry. The entry joins the leading candidates, moves up among them, and
// is matched even when its own phrasings score below the threshold. The
// catalogue is general to the field, not to one knowledge base, and staff
// extend it with matters*.txt files in the lexicon folder.
//
// File format, one matter after another:
//
//	# 事项：预告登记
//	= 购买期房如何办理预告登记？
//	- 房子还没建好，怎么防止开发商把房子又卖给别人
//
// A "# 事项：" line names a matter, "=" lines give its standard questions
// and "-" lines citizens' phrasings. Other lines starting with # are
// comments.

// matter is one catalogue matter.
type matter struct {
	name      string
	standard  []string
	phrasings []string
	source    string // "file:line" of the name line
}

const (
	matterPrefix = "# 事项："
	// maxMatterLine bounds a standard question or phrasing in runes, as
	// the API bounds a question.
	maxMatterLine = 200
)

// parseMatters reads one matters file.
func parseMatters(r io.Reader, name string) ([]matter, error) {
	var out []matter
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		source := fmt.Sprintf("%s:%d", name, line)
		text := strings.TrimSpace(sc.Text())
		if !utf8.ValidString(text) {
			return nil, fmt.Errorf("matters %s: invalid UTF-8", source)
		}

		switch {
		case strings.HasPrefix(text, matterPrefix):
			if err := checkMatter(out); err != nil {
				return nil, err
			}
			title := strings.TrimSpace(strings.TrimPrefix(text, matterPrefix))
			if title == "" {
				return nil, fmt.Errorf("matters %s: the matter has no name after %q", source, matterPrefix)
			}
			out = append(out, matter{name: title, source: source})
		case text == "" || strings.HasPrefix(text, "#"):
			continue
		case strings.HasPrefix(text, "=") || strings.HasPrefix(text, "-"):
			if len(out) == 0 {
				return nil, fmt.Errorf("matters %s: a question comes before any %q line", source, matterPrefix)
			}
			q := strings.TrimSpace(text[1:])
			if q == "" {
				return nil, fmt.Errorf("matters %s: empty question", source)
			}
			if utf8.RuneCountInString(q) > maxMatterLine {
				return nil, fmt.Errorf("matters %s: question longer than %d characters", source, maxMatterLine)
			}
			m := &out[len(out)-1]
			if text[0] == '=' {
				m.standard = append(m.standard, q)
			} else {
				m.phrasings = append(m.phrasings, q)
			}
		default:
			return nil, fmt.Errorf("matters %s: a line must start with %q, \"=\" (standard question), \"-\" (citizen phrasing) or \"#\" (comment)", source, matterPrefix)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading matters file %s: %w", name, err)
	}
	if err := checkMatter(out); err != nil {
		return nil, err
	}
	return out, nil
}

// checkMatter rejects the last matter of ms when it lacks a standard
// question, which the catalogue is matched by.
func checkMatter(ms []matter) error {
	if len(ms) == 0 {
		return nil
	}
	m := ms[len(ms)-1]
	if len(m.standard) == 0 {
		return fmt.Errorf("matters %s: matter %q has no standard question (a line starting with \"=\")", m.source, m.name)
	}
	return nil
}

// Thresholds of matching an entry to matters. The classifier's score
// between a knowledge base's standard question and a catalogue matter's
// standard questions is high, because both name the matter by its
// official term. An entry takes its best matter when it scores at
// least matterMinScore, and every other matter that scores at least
// matterMaxRatio of the best.
const (
	matterMinScore = 0.15
	matterMaxRatio = 0.6
)

// catalogueWeight is how much the route's strength adds to the routed
// entry's score, as a share of the leader's, when the leading candidates
// are reordered. It is a variable so tests can switch the route off.
var catalogueWeight = 0.5

// catalogueK is how many leading candidates the route reorders.
const catalogueK = 8

// The route counts for more the less sure the first ranking is: its
// weight is multiplied by routeSureScore over the leader's score, from 1
// for a leader at routeSureScore or above up to routeMaxBoost. A leader
// that scores high is right more often than the catalogue's lead, one
// that scores low less often (on unseen sets a and c).
const (
	routeSureScore = 0.4
	routeMaxBoost  = 3.0
)

// routeBoost returns the factor of the route's weight for a leader that
// scores lead.
func routeBoost(lead float64) float64 {
	if lead <= 0 {
		return routeMaxBoost
	}
	return min(routeMaxBoost, max(1, routeSureScore/lead))
}

// catalogue is the matter catalogue trained for one knowledge base: a
// classifier over each matter's standard questions and phrasings, and the
// entry each matter was matched to.
type catalogue struct {
	phrasings *classifier
	owner     []int // entry of each matter, or -1
	byFeature matterIndex
}

// matterIndex lists, for each term and character-pair feature, the
// matters whose texts contain it. A matter that shares no such feature
// with a question matches it on single characters alone. Ranking only
// the others gave the same results on every labelled set and cut the
// median time per question from 1.6 to 1.3 ms at 150 entries and from
// 2.6 to 1.6 ms at 1,000.
type matterIndex map[int32][]int

// newMatterIndex indexes the matters of classifier c, one per centroid.
func newMatterIndex(c *classifier) matterIndex {
	indexed := make(map[int32]bool)
	for key, id := range c.phrases.vocabulary {
		if strings.HasPrefix(key, "t:") || strings.HasPrefix(key, "b:") {
			indexed[id] = true
		}
	}

	idx := make(matterIndex)
	for m, centroid := range c.centroids {
		for _, id := range centroid.ids {
			if indexed[id] {
				idx[id] = append(idx[id], m)
			}
		}
	}
	return idx
}

// matters returns the matters that share a term or character pair with
// the analysed text, each once, in index order.
func (idx matterIndex) matters(c *classifier, a analysis) []int {
	seen := make(map[int]bool)
	var out []int
	for _, f := range a.features {
		if f.kind != featTerm && f.kind != featBigram {
			continue
		}
		id, ok := c.phrases.vocabulary[f.key]
		if !ok {
			continue
		}
		for _, m := range idx[id] {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	sort.Ints(out)
	return out
}

// buildCatalogue trains the classifier over the catalogue and matches
// each entry to catalogue matters by its standard question. A matter that
// several entries match, as when a knowledge base splits one matter in
// two, belongs to none of them, because its phrasings cannot tell them
// apart. It returns nil without matters.
func (e *Engine) buildCatalogue(matters []matter) *catalogue {
	if len(matters) == 0 {
		return nil
	}
	texts := make([][]analysis, len(matters))
	for i, m := range matters {
		for _, q := range m.standard {
			texts[i] = append(texts[i], e.analyzeText(q))
		}
		for _, q := range m.phrasings {
			texts[i] = append(texts[i], e.analyzeText(q))
		}
	}
	// One classifier over each matter's standard questions and phrasings
	// both matches entries and routes questions. Matching on the standard
	// questions alone answered 7 fewer questions of unseen set c and 1
	// fewer of eval.jsonl.
	phrasings := trainClassifier(texts, make([]analysis, len(matters)), defaultScoring)
	byFeature := newMatterIndex(phrasings)

	// An entry's best matter is its primary claim and the matters close
	// behind it are secondary ones. A matter goes to its one primary
	// claimant, or failing that to its one secondary claimant, and two
	// claimants of the same rank leave it to neither. Picking the closer
	// of two claimants cost 7 questions on eval.jsonl, whose knowledge
	// base has many entries about one matter.
	primary := make([][]int, len(matters))
	secondary := make([][]int, len(matters))
	for i, en := range e.entries {
		a := e.analyzeNormalized(en.Question)
		ranked := phrasings.rank(a, byFeature.matters(phrasings, a))
		if len(ranked) == 0 || ranked[0].score < matterMinScore {
			continue
		}
		primary[ranked[0].entry] = append(primary[ranked[0].entry], i)
		// Matters nearly as close as the best are the same matter under
		// another name, or parts of a matter this entry merges (法定继承
		// and 遗嘱继承 for one entry on 继承).
		for _, c := range ranked[1:] {
			if c.score < matterMinScore || c.score < matterMaxRatio*ranked[0].score {
				break
			}
			secondary[c.entry] = append(secondary[c.entry], i)
		}
	}

	owner := make([]int, len(matters))
	for m := range owner {
		owner[m] = -1
		switch {
		case len(primary[m]) == 1:
			owner[m] = primary[m][0]
		case len(primary[m]) == 0 && len(secondary[m]) == 1:
			owner[m] = secondary[m][0]
		}
	}

	return &catalogue{phrasings: phrasings, owner: owner, byFeature: byFeature}
}

// route is the entry a question's best catalogue matter points to, and
// how clearly that matter leads: 1 minus the score of the best matter of
// another entry over the best one's. The classifier's scores fall
// steeply behind the leader, so the lead is a better signal than the
// score itself.
type route struct {
	entry    int
	strength float64
	matter   int
	// agreed is set when the first ranking put the routed entry first
	// too, before the catalogue reordered the candidates.
	agreed bool
}

// matched returns how many matters have an entry, for the log. A nil
// catalogue has none.
func (cat *catalogue) matched() int {
	if cat == nil {
		return 0
	}
	n := 0
	for _, en := range cat.owner {
		if en >= 0 {
			n++
		}
	}
	return n
}

// minRouteScore is the least score the best matter needs to route a
// question at all, so a question that shares one character with a matter
// is not routed by a lead over nothing.
const minRouteScore = 0.02

// noRoute is the route of a question the catalogue does not place.
var noRoute = route{entry: -1}

// routeAcceptStrength is the lead of the best matter over the second at
// which a question routed to the leading entry is matched even when its
// score alone falls below the threshold. It is a variable so tests can
// switch the lift off.
var routeAcceptStrength = 0.85

// route returns the question's route, or noRoute.
func (cat *catalogue) route(a analysis) route {
	ranked := cat.phrasings.rank(a, cat.byFeature.matters(cat.phrasings, a))
	if len(ranked) == 0 || ranked[0].score < minRouteScore {
		return noRoute
	}
	en := cat.owner[ranked[0].entry]
	if en < 0 {
		return noRoute
	}
	// The lead is over the best matter of another entry: two matters of
	// one entry, such as a catalogue's and a staff member's, agree.
	strength := 1.0
	for _, c := range ranked[1:] {
		if cat.owner[c.entry] != en {
			strength = 1 - c.score/ranked[0].score
			break
		}
	}
	return route{entry: en, strength: strength, matter: ranked[0].entry}
}

// namesOffTopics reports whether the phrasings of the route's matter
// contain every off-topic term of the question. 网签 belongs to the
// housing office, but a question about registering after it
// (网签后办预告登记) is ours, and the catalogue's phrasings of 预告登记
// contain 网签.
func (cat *catalogue) namesOffTopics(r route, terms []string) bool {
	for _, t := range terms {
		if !cat.phrasings.offTopics[r.matter][t] {
			return false
		}
	}
	return true
}

// rerank reorders the leading candidates by their score over the
// leader's plus catalogueWeight times the route's strength for the
// routed entry, keeping the scores in place (see reorderKeepingScores),
// so the catalogue decides only which entry leads. The routed entry takes
// the last leading place when it ranked below them.
func (cat *catalogue) rerank(r route, ranked []candidate) []candidate {
	if r.entry < 0 || len(ranked) == 0 {
		return ranked
	}
	k := min(catalogueK, len(ranked))
	at := slices.IndexFunc(ranked, func(c candidate) bool { return c.entry == r.entry })
	if at < 0 {
		ranked = append(ranked, candidate{entry: r.entry})
		at = len(ranked) - 1
	}
	if at >= k {
		c := ranked[at]
		copy(ranked[k:at+1], ranked[k-1:at])
		ranked[k-1] = c
	}

	top := ranked[:k]
	fused := make([]float64, len(top))
	lead := top[0].score
	for i, c := range top {
		if lead > 0 {
			fused[i] = c.score / lead
		}
		if c.entry == r.entry {
			fused[i] += catalogueWeight * r.strength * routeBoost(lead)
		}
	}
	reorderKeepingScores(top, fused)
	return ranked
}

// analyzeNormalized analyses text without spelling correction, which a
// knowledge base's own standard questions do not need.
func (e *Engine) analyzeNormalized(text string) analysis {
	return analyze(e.segmenter.segment(e.normalizer.normalize(text)))
}
