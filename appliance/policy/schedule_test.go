package policy

import (
	"context"
	"testing"
	"time"
)

func TestParseSchedule(t *testing.T) {
	tests := []struct {
		expr string
		ok   bool
	}{
		{"30 2 * * *", true},
		{"0 3 * * mon", true},
		{"*/15 * * * *", true},
		{"@daily", true},
		{"@every 6h", true},
		{"", false},
		{"30 2 * *", false},
		{"61 2 * * *", false},
		{"0 0 2 * * *", false}, // six fields: seconds are not accepted
		{"每天两点", false},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			_, err := ParseSchedule(tt.expr)
			if (err == nil) != tt.ok {
				t.Errorf("ParseSchedule(%q): got error %v, want ok=%v", tt.expr, err, tt.ok)
			}
		})
	}
}

func TestScheduleInShanghai(t *testing.T) {
	sched, err := ParseSchedule("30 2 * * *")
	if err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 12, 4, 12, 0, 0, 0, loc)
	got := sched.Next(from)
	want := time.Date(2026, 12, 5, 2, 30, 0, 0, loc)
	if !got.Equal(want) {
		t.Errorf("Next(%v): got %v, want %v", from, got, want)
	}
}

func TestJobTriggerRunsUpdate(t *testing.T) {
	lib, _ := newTestLibrary(t)
	dir := t.TempDir()
	writeFolderSource(t, dir, baseDocs, nil)

	job, err := NewJob(lib, JobOptions{Source: dir, Schedule: "30 2 * * *"})
	if err != nil {
		t.Fatalf("NewJob: %v", err)
	}
	job.Start()
	t.Cleanup(func() { job.Stop(context.Background()) })

	if next := job.Next(); next.IsZero() {
		t.Error("Next: got the zero time, want the next scheduled run")
	}
	if !job.Trigger(TriggerAdmin) {
		t.Fatal("Trigger: got false, want the run started")
	}
	job.wg.Wait()
	if job.Running() {
		t.Fatal("Running after the run ended: got true, want false")
	}
	if lib.Len() != len(baseDocs) {
		t.Errorf("Len after triggered run: got %d, want %d", lib.Len(), len(baseDocs))
	}
	reports, err := lib.Reports(1)
	if err != nil || len(reports) != 1 || reports[0].Trigger != TriggerAdmin {
		t.Errorf("Reports: got %+v, %v, want one admin-triggered report", reports, err)
	}
}

func TestNewJobRejectsBadSchedule(t *testing.T) {
	lib, _ := newTestLibrary(t)
	if _, err := NewJob(lib, JobOptions{Schedule: "every night"}); err == nil {
		t.Error("NewJob with a bad schedule: got no error, want one")
	}
	if _, err := NewJob(lib, JobOptions{Source: "relative/dir"}); err == nil {
		t.Error("NewJob with a relative folder: got no error, want one")
	}
}
