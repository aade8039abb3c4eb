package stats

import (
	"testing"
	"time"

	"wenban/appliance/conversation"
)

var beijing = time.FixedZone("CST", 8*3600)

func at(day, hour, minute int) time.Time {
	return time.Date(2026, 12, day, hour, minute, 0, 0, beijing)
}

func TestCompute(t *testing.T) {
	served := func(day int, wait time.Duration, score int) conversation.Conversation {
		q := at(day, 9, 0)
		c := conversation.Conversation{State: conversation.StateClosed, QueuedAt: q, AcceptedAt: q.Add(wait)}
		if score > 0 {
			c.Rating = &conversation.Rating{Score: score, At: q.Add(wait + time.Minute)}
		}
		return c
	}
	in := Inputs{
		Conversations: []conversation.Conversation{
			served(1, 2*time.Minute, 5),
			served(1, 12*time.Minute, 3),
			served(2, 30*time.Second, 4),
			{State: conversation.StateClosed, QueuedAt: at(2, 10, 0)},                 // left the queue
			{State: conversation.StateQueued, QueuedAt: at(3, 11, 0)},                 // still waiting
			served(5, time.Minute, 5),                                                 // outside the period
			{State: conversation.StateClosed, QueuedAt: at(1, 0, 30).Add(-time.Hour)}, // the day before
		},
		Questions: []conversation.QuestionRecord{
			{At: at(1, 8, 0), Matched: true},
			{At: at(1, 8, 1), Matched: false},
			{At: at(3, 23, 59), Matched: true},
			{At: at(4, 0, 0), Matched: true}, // the day after
		},
		Messages: []conversation.LeftMessage{
			{At: at(2, 20, 0), Reply: "已电话答复"},
			{At: at(3, 21, 0)},
		},
	}
	r := Compute(in, at(1, 15, 0), at(3, 8, 0), beijing)

	if len(r.Days) != 3 || r.Days[0].Date != "2026-12-01" || r.Days[2].Date != "2026-12-03" {
		t.Fatalf("days: got %+v, want 2026-12-01 to 2026-12-03", r.Days)
	}
	want := Day{Questions: 3, Matched: 2, Handoffs: 5, Served: 3, Abandoned: 1, Ratings: 3, Satisfied: 2}
	got := r.Total
	got.Date = ""
	if got != want {
		t.Errorf("totals: got %+v, want %+v", got, want)
	}
	if r.Days[0].Handoffs != 2 || r.Days[1].Abandoned != 1 || r.Days[2].Questions != 1 {
		t.Errorf("per day: got %+v", r.Days)
	}
	if r.WithinTarget != 2 || r.WaitMedian != 2*time.Minute || r.WaitP95 != 12*time.Minute {
		t.Errorf("waits: got %d within target, median %v, p95 %v; want 2, 2m, 12m", r.WithinTarget, r.WaitMedian, r.WaitP95)
	}
	if avg := r.AverageScore(); avg != 4 {
		t.Errorf("average score: got %v, want 4", avg)
	}
	if r.Messages != 2 || r.Replied != 1 {
		t.Errorf("left messages: got %d replied of %d, want 1 of 2", r.Replied, r.Messages)
	}
	if s := Share(2, 3); s < 66.6 || s > 66.7 {
		t.Errorf("Share(2, 3): got %v, want 66.7", s)
	}
	if s := Share(0, 0); s != -1 {
		t.Errorf("Share(0, 0): got %v, want -1", s)
	}
}

func TestComputeEmpty(t *testing.T) {
	r := Compute(Inputs{}, at(1, 0, 0), at(7, 0, 0), beijing)
	if len(r.Days) != 7 || r.Total != (Day{}) || r.WaitMedian != 0 || r.AverageScore() != 0 {
		t.Errorf("empty report: got %+v", r)
	}
}
