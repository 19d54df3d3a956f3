package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/notify"
	"github.com/bosang/bosang/store"
)

// Lane is a River queue, with its own workers and job timeout.
type Lane string

// The lanes. A topic not routed elsewhere (Config.Lanes) is a Messages job.
const (
	Messages Lane = "messages"
	Review   Lane = "review"
	Batch    Lane = "batch"
	// PeriodicLane runs the Periodic jobs.
	PeriodicLane Lane = "periodic"
)

// Lanes lists every lane.
var Lanes = []Lane{Messages, Review, Batch, PeriodicLane}

// The defaults of Config. A send is bounded by notify's 30 s per SMTP step
// and by the job's context; re-pricing and fan-out resume where a timed-out
// attempt stopped. RescueAfter is three times the longest timeout.
var (
	DefaultWorkers  = map[Lane]int{Messages: 4, Review: 1, Batch: 1, PeriodicLane: 2}
	DefaultTimeouts = map[Lane]time.Duration{Messages: 2 * time.Minute, Review: 5 * time.Minute, Batch: 10 * time.Minute, PeriodicLane: 5 * time.Minute}
)

// Default settings of Config.
const (
	DefaultMaxAttempts = 12 // River's backoff (attempt^4 s) spreads 12 over about 11 hours
	DefaultRescueAfter = 30 * time.Minute
	DefaultPollEvery   = time.Second
	// DefaultLaneBacklog: see Config.LaneBacklog.
	DefaultLaneBacklog = 2000
)

// Config configures a Client. The zero value makes an insert-only client.
type Config struct {
	// Sender delivers every outbox message (notify.Router routes by topic).
	// Nil makes an insert-only client: it queues jobs, never works them.
	Sender notify.Sender
	// Lanes routes topics to lanes; an unlisted topic is a Messages job.
	Lanes map[string]Lane
	// Workers is the number of concurrent jobs per lane (DefaultWorkers for
	// a lane missing or 0).
	Workers map[Lane]int
	// Timeouts bound one attempt per lane (DefaultTimeouts for a lane
	// missing or 0).
	Timeouts map[Lane]time.Duration
	// MaxAttempts is how many times a job runs before it is dead
	// (DefaultMaxAttempts when 0). Insert-only clients must use the same
	// value: River stores it with each job at insert.
	MaxAttempts int
	// RescueAfter is how long a job may stay running before River deems its
	// process dead and runs it again (DefaultRescueAfter when 0); it must
	// exceed every lane's timeout.
	RescueAfter time.Duration
	// Periodic are the jobs run on a schedule (see Periodic).
	Periodic []Periodic
	// Log receives River's warnings and the jobs' failures.
	Log *slog.Logger
	// Metrics, when set, gets the queue depth, failure, discard and
	// duration metrics.
	Metrics prometheus.Registerer
	// Now is the clock of delivered_at and dead_at (time.Now when nil).
	Now func() time.Time

	// RetryPolicy replaces River's backoff (tests use a fast one).
	RetryPolicy river.ClientRetryPolicy
	// LaneBacklog is how many available jobs a lane's River queue may hold
	// (DefaultLaneBacklog when 0). The dispatcher queues a marked message's
	// job only while its lane holds fewer, and leaves the other marks in
	// the outbox until the lane's workers catch up: in a burst of filings
	// River's table, and the write-ahead log of every filing, then carry
	// only the jobs the workers will start soon. Each instance tops its
	// lanes up at least every second, so the backlog must exceed what all
	// instances' workers of a lane clear in a second (10 jobs per worker,
	// see the README).
	LaneBacklog int
	// PollEvery is how often each lane looks for jobs inserted by other
	// processes (DefaultPollEvery when 0); a process's own inserts are
	// fetched at once.
	PollEvery time.Duration
	// ID names the client among the instances (random when empty).
	ID string
}

// Client queues and, unless insert-only, works Bosang's jobs.
type Client struct {
	river   *river.Client[*sql.Tx]
	db      *store.DB
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	working bool

	// The dispatcher (dispatch.go): wake is signalled when a filing left
	// marked messages; stopDispatch ends its loop and dispatched closes
	// when it has.
	wake         chan struct{}
	stopDispatch context.CancelFunc
	dispatched   chan struct{}
}

var (
	_ store.JobInserter = (*Client)(nil)
	_ store.Waker       = (*Client)(nil)
)

// New returns a client over db's connection pool. It does not start
// working; call Start.
func New(db *store.DB, cfg Config) (*Client, error) {
	cfg = withDefaults(cfg)
	for _, l := range Lanes {
		if cfg.Timeouts[l] >= cfg.RescueAfter {
			return nil, fmt.Errorf("jobs: the %s timeout %s must be below RescueAfter %s, or a second instance would take a running job", l, cfg.Timeouts[l], cfg.RescueAfter)
		}
	}
	drv, err := driver(db)
	if err != nil {
		return nil, err
	}
	c := &Client{db: db, cfg: cfg, log: cfg.Log, working: cfg.Sender != nil, wake: make(chan struct{}, 1)}
	rc := &river.Config{
		ID:          cfg.ID,
		Logger:      slog.New(warnOnly{cfg.Log.Handler()}),
		MaxAttempts: cfg.MaxAttempts,
	}
	if c.working {
		c.metrics = newMetrics(db, c.laneOf)
		if cfg.Metrics != nil {
			if err := c.metrics.register(cfg.Metrics); err != nil {
				return nil, err
			}
		}
		if err := c.workerConfig(rc); err != nil {
			return nil, err
		}
	}
	c.river, err = river.NewClient(drv, rc)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return c, nil
}

func withDefaults(cfg Config) Config {
	workers, timeouts := map[Lane]int{}, map[Lane]time.Duration{}
	for _, l := range Lanes {
		workers[l], timeouts[l] = cfg.Workers[l], cfg.Timeouts[l]
		if workers[l] <= 0 {
			workers[l] = DefaultWorkers[l]
		}
		if timeouts[l] <= 0 {
			timeouts[l] = DefaultTimeouts[l]
		}
	}
	cfg.Workers, cfg.Timeouts = workers, timeouts
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.RescueAfter <= 0 {
		cfg.RescueAfter = DefaultRescueAfter
	}
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = DefaultPollEvery
	}
	if cfg.LaneBacklog <= 0 {
		cfg.LaneBacklog = DefaultLaneBacklog
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg
}

// workerConfig adds the queues, workers, periodic jobs and middleware of a
// working client.
func (c *Client) workerConfig(rc *river.Config) error {
	cfg := c.cfg
	workers := river.NewWorkers()
	river.AddWorker(workers, &outboxWorker[MessageArgs]{c: c, lane: Messages})
	river.AddWorker(workers, &outboxWorker[ReviewArgs]{c: c, lane: Review})
	river.AddWorker(workers, &outboxWorker[BatchArgs]{c: c, lane: Batch})
	pw, periodic, err := c.periodicJobs()
	if err != nil {
		return err
	}
	river.AddWorker(workers, pw)
	rc.Workers, rc.PeriodicJobs = workers, periodic
	rc.Queues = map[string]river.QueueConfig{}
	for _, l := range Lanes {
		rc.Queues[string(l)] = river.QueueConfig{MaxWorkers: cfg.Workers[l]}
	}
	rc.JobTimeout = cfg.Timeouts[Messages]
	rc.RescueStuckJobsAfter = cfg.RescueAfter
	// Delivered rows are the record; River's completed rows are only kept
	// long enough to look at a recent run.
	rc.CompletedJobRetentionPeriod = time.Hour
	rc.RetryPolicy = cfg.RetryPolicy
	rc.FetchPollInterval = cfg.PollEvery
	rc.FetchCooldown = min(100*time.Millisecond, cfg.PollEvery)
	rc.Middleware = []rivertype.Middleware{river.WorkerMiddlewareFunc(c.metrics.work)}
	return nil
}

// driver picks River's driver for db's dialect; both work on *sql.Tx.
func driver(db *store.DB) (riverdriver.Driver[*sql.Tx], error) {
	sqlDB, err := db.SQL()
	if err != nil {
		return nil, err
	}
	if db.Dialect() == store.SQLite {
		return riversqlite.New(sqlDB), nil
	}
	return riverdatabasesql.New(sqlDB), nil
}

// InsertOutboxJobs queues one job per message in tx, the transaction that
// wrote the rows, each in the lane of its topic (store.JobInserter).
func (c *Client) InsertOutboxJobs(ctx context.Context, tx *sql.Tx, msgs []models.OutboxMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(msgs))
	for i, m := range msgs {
		params[i] = river.InsertManyParams{Args: c.argsFor(m)}
	}
	if _, err := c.river.InsertManyFastTx(ctx, tx, params); err != nil {
		return fmt.Errorf("queue %d outbox jobs: %w", len(msgs), err)
	}
	return nil
}

// Start starts working the lanes, the dispatcher of marked outbox messages
// (dispatch.go) and, on the elected leader, the periodic jobs. Jobs keep
// running when ctx ends; call Stop.
func (c *Client) Start(ctx context.Context) error {
	if !c.working {
		return errors.New("jobs: an insert-only client (no Sender) cannot start")
	}
	if err := c.river.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	c.startDispatch()
	return nil
}

// Stop ends the dispatcher, lets running jobs finish until ctx ends, then
// cancels them and waits for them to return. It returns ctx's error when jobs had to be
// cancelled.
func (c *Client) Stop(ctx context.Context) error {
	c.endDispatch()
	err := c.river.Stop(ctx)
	if err == nil || !c.working {
		return err
	}
	hard, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if herr := c.river.StopAndCancel(hard); herr != nil {
		return errors.Join(err, herr)
	}
	return err
}

// warnOnly passes River's warnings and errors, not its routine info.
type warnOnly struct{ slog.Handler }

func (w warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && w.Handler.Enabled(ctx, l)
}

func (w warnOnly) WithAttrs(a []slog.Attr) slog.Handler { return warnOnly{w.Handler.WithAttrs(a)} }
func (w warnOnly) WithGroup(n string) slog.Handler      { return warnOnly{w.Handler.WithGroup(n)} }
