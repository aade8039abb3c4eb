// Package stats computes the service figures the department measures
// itself by, over a period and per day in the hub's time zone. They are
// how many questions the bot answered, how long citizens waited for a
// seat (the target is at most 10 minutes), how satisfied they were (the
// target is at least 95%) and how many 留言 staff replied to.
package stats

import (
	"slices"
	"time"

	"wenban/appliance/conversation"
)

// Targets the procurement sets.
const (
	// WaitTarget is the longest a citizen should wait for a seat.
	WaitTarget = 10 * time.Minute
	// SatisfiedScore is the least rating counted as satisfied: 4 of 5
	// (满意) or 5 (非常满意).
	SatisfiedScore = 4
)

// Day holds one day's counts.
type Day struct {
	// Date is the day in the hub's zone, "2006-01-02".
	Date string
	// Questions counts the bot questions recorded, Matched those it
	// answered.
	Questions, Matched int
	// Handoffs counts the conversations queued for a seat, Served those a
	// seat accepted, Abandoned those whose citizen left the queue first.
	Handoffs, Served, Abandoned int
	// Ratings counts the rated conversations, Satisfied those rated at
	// least SatisfiedScore.
	Ratings, Satisfied int
}

// Report is the figures of a period.
type Report struct {
	From, To time.Time
	Days     []Day
	Total    Day
	// WaitMedian and WaitP95 are over the served conversations; WithinTarget
	// counts those that waited at most WaitTarget.
	WaitMedian, WaitP95 time.Duration
	WithinTarget        int
	// ScoreSum adds every rating's score, for the average.
	ScoreSum int
	// Messages counts the 留言 left, Replied those staff recorded a reply to.
	Messages, Replied int
}

// Inputs are the records a report is computed from.
type Inputs struct {
	Conversations []conversation.Conversation
	Questions     []conversation.QuestionRecord
	Messages      []conversation.LeftMessage
}

// Compute returns the report of the days from the one holding from up to
// and including the one holding to, in zone loc.
func Compute(in Inputs, from, to time.Time, loc *time.Location) Report {
	first := startOfDay(from, loc)
	end := startOfDay(to, loc).AddDate(0, 0, 1)
	r := Report{From: first, To: end}
	index := map[string]int{}
	for d := first; d.Before(end); d = d.AddDate(0, 0, 1) {
		index[d.Format(time.DateOnly)] = len(r.Days)
		r.Days = append(r.Days, Day{Date: d.Format(time.DateOnly)})
	}
	day := func(t time.Time) *Day {
		if t.IsZero() || t.Before(first) || !t.Before(end) {
			return nil
		}
		return &r.Days[index[t.In(loc).Format(time.DateOnly)]]
	}

	for _, q := range in.Questions {
		if d := day(q.At); d != nil {
			d.Questions++
			if q.Matched {
				d.Matched++
			}
		}
	}

	var waits []time.Duration
	for _, c := range in.Conversations {
		if d := day(c.QueuedAt); d != nil {
			d.Handoffs++
			switch {
			case !c.AcceptedAt.IsZero():
				d.Served++
				w := c.AcceptedAt.Sub(c.QueuedAt)
				waits = append(waits, w)
				if w <= WaitTarget {
					r.WithinTarget++
				}
			case c.State == conversation.StateClosed:
				d.Abandoned++
			}
		}
		if c.Rating == nil {
			continue
		}
		if d := day(c.Rating.At); d != nil {
			d.Ratings++
			r.ScoreSum += c.Rating.Score
			if c.Rating.Score >= SatisfiedScore {
				d.Satisfied++
			}
		}
	}

	for _, m := range in.Messages {
		if day(m.At) != nil {
			r.Messages++
			if m.Reply != "" {
				r.Replied++
			}
		}
	}

	for _, d := range r.Days {
		r.Total.Questions += d.Questions
		r.Total.Matched += d.Matched
		r.Total.Handoffs += d.Handoffs
		r.Total.Served += d.Served
		r.Total.Abandoned += d.Abandoned
		r.Total.Ratings += d.Ratings
		r.Total.Satisfied += d.Satisfied
	}
	r.WaitMedian, r.WaitP95 = quantile(waits, 0.5), quantile(waits, 0.95)
	return r
}

// Share returns part of whole in percent, or -1 when whole is 0, which
// pages show as no figure rather than 0%.
func Share(part, whole int) float64 {
	if whole == 0 {
		return -1
	}
	return 100 * float64(part) / float64(whole)
}

// AverageScore returns the mean rating, or 0 without ratings.
func (r Report) AverageScore() float64 {
	if r.Total.Ratings == 0 {
		return 0
	}
	return float64(r.ScoreSum) / float64(r.Total.Ratings)
}

// quantile returns the nearest-rank q quantile of ds, or 0 for none.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	rank := int(q*float64(len(sorted)) + 0.999999)
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func startOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}
