package policy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// ParseSchedule parses a standard five-field cron expression ("30 2 * * *")
// or a descriptor such as "@daily", as robfig/cron v3 reads them.
func ParseSchedule(expr string) (cron.Schedule, error) {
	s, err := cron.ParseStandard(expr)
	if err != nil {
		return nil, fmt.Errorf("parsing cron expression %q: %w", expr, err)
	}
	return s, nil
}

// JobOptions configures a Job.
type JobOptions struct {
	// Source is the source spec that NewSource reads.
	Source string
	// Schedule is a cron expression; empty disables scheduled runs, and
	// runs then start only from Trigger.
	Schedule string
	// Location is the zone Schedule is read in. Nil means Asia/Shanghai.
	Location *time.Location
	// RunTimeout bounds one run. Zero means 10 minutes.
	RunTimeout time.Duration
	HTTP       HTTPOptions
	Logger     *slog.Logger
}

// Job runs library updates on a schedule and on request.
type Job struct {
	lib  *Library
	opts JobOptions
	log  *slog.Logger
	cron *cron.Cron

	mu      sync.Mutex
	running bool
	wg      sync.WaitGroup
	ctx     context.Context
	cancel  context.CancelFunc
}

// NewJob checks opts and returns a stopped job.
func NewJob(lib *Library, opts JobOptions) (*Job, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.RunTimeout <= 0 {
		opts.RunTimeout = 10 * time.Minute
	}
	if opts.Location == nil {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			return nil, fmt.Errorf("loading time zone Asia/Shanghai: %w", err)
		}
		opts.Location = loc
	}
	if err := CheckSource(opts.Source); err != nil {
		return nil, err
	}

	j := &Job{lib: lib, opts: opts, log: opts.Logger}
	j.ctx, j.cancel = context.WithCancel(context.Background())
	j.cron = cron.New(cron.WithLocation(opts.Location))
	if opts.Schedule != "" {
		sched, err := ParseSchedule(opts.Schedule)
		if err != nil {
			return nil, err
		}
		j.cron.Schedule(sched, cron.FuncJob(func() { j.Trigger(TriggerSchedule) }))
	}
	return j, nil
}

// Start starts the schedule.
func (j *Job) Start() {
	j.cron.Start()
	if j.opts.Schedule != "" {
		j.log.Info("policy update schedule started", "schedule", j.opts.Schedule,
			"zone", j.opts.Location.String(), "source", j.describeSource())
	}
}

// Stop stops the schedule, cancels a running update and waits for it
// until ctx ends.
func (j *Job) Stop(ctx context.Context) error {
	cronCtx := j.cron.Stop()
	j.cancel()
	done := make(chan struct{})
	go func() {
		<-cronCtx.Done()
		j.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for the policy update to stop: %w", ctx.Err())
	}
}

// Trigger starts a run in the background and reports whether it started;
// false means a run is already going or the job is stopped.
func (j *Job) Trigger(trigger string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.running || j.ctx.Err() != nil {
		return false
	}
	j.running = true
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		defer j.setIdle()
		if _, err := j.Run(j.ctx, trigger); err != nil && !errors.Is(err, ErrRunning) {
			j.log.Debug("background policy update ended with an error", "trigger", trigger, "error", err)
		}
	}()
	return true
}

func (j *Job) setIdle() {
	j.mu.Lock()
	j.running = false
	j.mu.Unlock()
}

// Running reports whether a run started by Trigger is going.
func (j *Job) Running() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.running
}

// Run runs one update now and waits for it. Its report is stored whether
// or not the run succeeds.
func (j *Job) Run(ctx context.Context, trigger string) (Report, error) {
	ctx, cancel := context.WithTimeout(ctx, j.opts.RunTimeout)
	defer cancel()
	src, err := NewSource(j.opts.Source, j.opts.HTTP)
	if err != nil {
		return Report{}, err
	}
	defer src.Close()
	return j.lib.Update(ctx, src, trigger)
}

// Next returns when the next scheduled run starts, or the zero time when
// nothing is scheduled or the job is not started.
func (j *Job) Next() time.Time {
	entries := j.cron.Entries()
	if len(entries) == 0 {
		return time.Time{}
	}
	return entries[0].Next
}

// Source returns the configured source for display.
func (j *Job) Source() string { return j.describeSource() }

// Schedule returns the configured cron expression.
func (j *Job) Schedule() string { return j.opts.Schedule }

func (j *Job) describeSource() string {
	if j.opts.Source == "" {
		return StarterSourceName
	}
	return j.opts.Source
}
