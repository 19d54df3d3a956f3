package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Periodic is a job run every Interval. River's elected leader inserts it,
// and a unique key allows one waiting or running copy at a time, so it
// runs on one instance at a time however many there are. A failed run is
// not retried: the next interval is the retry. Adding one is a few lines:
//
//	jobs.Periodic{Name: "stats_refresh", Interval: time.Minute, Run: svc.Refresh}
type Periodic struct {
	// Name identifies the job (a River kind-like name: letters, digits,
	// '_', '-'); it is the job's argument.
	Name string
	// Interval is the time between runs; the first run is at start.
	Interval time.Duration
	// Timeout bounds one run (the periodic lane's timeout when 0).
	Timeout time.Duration
	// Run does the work; an error is logged and counted.
	Run func(ctx context.Context) error
}

// PeriodicArgs are the arguments of a Periodic run.
type PeriodicArgs struct {
	Name string `json:"name"`
}

// Kind names the job kind in River.
func (PeriodicArgs) Kind() string { return "periodic" }

// liveStates are the states in which a periodic job counts as already
// queued: River's unique key then refuses another copy. Completed and
// discarded runs do not block the next.
var liveStates = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
	rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled}

// periodicJobs returns the worker of the configured Periodic jobs and
// their River schedules.
func (c *Client) periodicJobs() (*periodicWorker, []*river.PeriodicJob, error) {
	w := &periodicWorker{c: c, byName: map[string]Periodic{}}
	var out []*river.PeriodicJob
	all := append([]Periodic{{Name: sweepName, Interval: sweepEvery, Run: c.sweep}}, c.cfg.Periodic...)
	for _, p := range all {
		if p.Name == "" || p.Run == nil || p.Interval <= 0 {
			return nil, nil, fmt.Errorf("jobs: periodic job %q needs a name, an interval and a Run", p.Name)
		}
		if _, dup := w.byName[p.Name]; dup {
			return nil, nil, fmt.Errorf("jobs: two periodic jobs are named %q", p.Name)
		}
		if p.Timeout == 0 {
			p.Timeout = c.cfg.Timeouts[PeriodicLane]
		}
		if p.Timeout >= c.cfg.RescueAfter {
			return nil, nil, fmt.Errorf("jobs: periodic job %s: timeout %s must be below RescueAfter %s", p.Name, p.Timeout, c.cfg.RescueAfter)
		}
		w.byName[p.Name] = p
		name := p.Name
		out = append(out, river.NewPeriodicJob(river.PeriodicInterval(p.Interval), func() (river.JobArgs, *river.InsertOpts) {
			return PeriodicArgs{Name: name}, &river.InsertOpts{Queue: string(PeriodicLane), MaxAttempts: 1,
				UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: liveStates}}
		}, &river.PeriodicJobOpts{ID: name, RunOnStart: true}))
	}
	return w, out, nil
}

// periodicWorker runs a Periodic by name.
type periodicWorker struct {
	river.WorkerDefaults[PeriodicArgs]
	c      *Client
	byName map[string]Periodic
}

// Timeout bounds a run by its Periodic's timeout.
func (w *periodicWorker) Timeout(job *river.Job[PeriodicArgs]) time.Duration {
	if p, ok := w.byName[job.Args.Name]; ok {
		return p.Timeout
	}
	return 0
}

// Work runs the named Periodic; a name this build does not know (dropped
// in a newer or older release) cancels the job.
func (w *periodicWorker) Work(ctx context.Context, job *river.Job[PeriodicArgs]) error {
	p, ok := w.byName[job.Args.Name]
	if !ok {
		return river.JobCancel(fmt.Errorf("no periodic job named %q in this build", job.Args.Name))
	}
	if err := p.Run(ctx); err != nil {
		w.c.log.ErrorContext(ctx, "periodic job failed", "name", p.Name, "err", err)
		return err
	}
	return nil
}
