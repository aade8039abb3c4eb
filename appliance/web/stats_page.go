package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"wenban/appliance/conversation"
	"wenban/appliance/stats"
	"wenban/ui/seat"
)

// statsPeriods are the periods the statistics page offers, in days.
var statsPeriods = []int{7, 30, 90}

// statsConversations bounds the conversations one statistics view reads,
// far more than 90 days of a hall's handoffs.
const statsConversations = 200_000

// statsPage serves GET /seat/admin/stats for supervisors and
// administrators: the service figures of the last 7, 30 or 90 days.
func (s *Server) statsPage(w http.ResponseWriter, r *http.Request) error {
	days, err := strconv.Atoi(r.URL.Query().Get("days"))
	if err != nil || !slices.Contains(statsPeriods, days) {
		days = statsPeriods[0]
	}
	ctx := r.Context()
	convs, err := s.deps.Conversations.List(ctx, conversation.ListFilter{Limit: statsConversations})
	if err != nil {
		return err
	}
	questions, err := s.deps.Conversations.Questions(ctx)
	if err != nil {
		return err
	}
	msgs, err := s.deps.Conversations.LeftMessages(ctx)
	if err != nil {
		return err
	}

	now := s.now()
	rep := stats.Compute(stats.Inputs{Conversations: convs, Questions: questions, Messages: msgs},
		now.AddDate(0, 0, -(days-1)), now, s.location())
	view := seat.Stats{
		Nav: navOf(r, "stats"), Days: days, Periods: statsPeriods,
		Range:   rep.From.Format("2006-01-02") + " 至 " + rep.To.AddDate(0, 0, -1).Format("2006-01-02"),
		Figures: statsFigures(rep),
		Charts:  statsCharts(rep),
	}
	return s.render(w, r, http.StatusOK, seat.StatsView(view))
}

// statsFigures are the headline figures, each against its target where
// the procurement sets one.
func statsFigures(r stats.Report) []seat.StatsFigure {
	t := r.Total
	wait := stats.Share(r.WithinTarget, t.Served)
	satisfied := stats.Share(t.Satisfied, t.Ratings)
	waitNote := "暂无接入记录"
	if t.Served > 0 {
		waitNote = fmt.Sprintf("共 %d 次接入，等待中位数 %s，95%% 的市民在 %s内接入", t.Served, minutes(r.WaitMedian), minutes(r.WaitP95))
	}
	ratingNote := "暂无评价（目标不低于 95%）"
	if t.Ratings > 0 {
		ratingNote = fmt.Sprintf("%d 次评价，平均 %.1f 分（目标不低于 95%%）", t.Ratings, r.AverageScore())
	}
	return []seat.StatsFigure{
		{Label: "智能客服答复", Value: strconv.Itoa(t.Questions) + " 问",
			Note: "直接答复 " + percent(stats.Share(t.Matched, t.Questions))},
		{Label: "转人工", Value: strconv.Itoa(t.Handoffs) + " 次",
			Note: fmt.Sprintf("接入 %d 次，排队中离开 %d 次", t.Served, t.Abandoned)},
		{Label: "10 分钟内接入", Value: percent(wait), Met: metAtLeast(wait, 95), Note: waitNote},
		{Label: "满意率", Value: percent(satisfied), Met: metAtLeast(satisfied, 95), Note: ratingNote},
		{Label: "留言", Value: strconv.Itoa(r.Messages) + " 条",
			Note: "已记录答复 " + percent(stats.Share(r.Replied, r.Messages))},
	}
}

// statsCharts draws one bar per day for the bot's questions, the
// handoffs and the ratings.
func statsCharts(r stats.Report) []seat.StatsChart {
	chart := func(title, legend, partLegend string, all, part func(stats.Day) int) seat.StatsChart {
		top := 1
		for _, d := range r.Days {
			top = max(top, all(d))
		}
		c := seat.StatsChart{Title: title, Legend: legend, PartLegend: partLegend, Max: top}
		for _, d := range r.Days {
			c.Bars = append(c.Bars, seat.StatsBar{
				Label: d.Date[5:], Value: all(d), Part: part(d),
				Height: float64(all(d)) / float64(top), PartH: float64(part(d)) / float64(top),
			})
		}
		return c
	}
	return []seat.StatsChart{
		chart("每日智能客服提问", "提问", "直接答复",
			func(d stats.Day) int { return d.Questions }, func(d stats.Day) int { return d.Matched }),
		chart("每日转人工", "转人工", "已接入",
			func(d stats.Day) int { return d.Handoffs }, func(d stats.Day) int { return d.Served }),
		chart("每日服务评价", "评价", "满意（4 分及以上）",
			func(d stats.Day) int { return d.Ratings }, func(d stats.Day) int { return d.Satisfied }),
	}
}

func percent(share float64) string {
	if share < 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", share)
}

func metAtLeast(share, target float64) string {
	switch {
	case share < 0:
		return ""
	case share >= target:
		return "yes"
	default:
		return "no"
	}
}

func minutes(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d 秒", int(d.Seconds()))
	}
	return fmt.Sprintf("%.1f 分钟", d.Minutes())
}
