package jobs

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river/rivertype"

	"github.com/bosang/bosang/store"
)

// depthTTL is how long a queue depth count is reused: a scrape costs at
// most one GROUP BY over River's index every depthTTL.
const depthTTL = 15 * time.Second

// metrics are the jobs' Prometheus metrics.
type metrics struct {
	depth    *depthCollector
	failures *prometheus.CounterVec
	discards *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(db *store.DB, lane func(topic string) Lane) *metrics {
	return &metrics{
		depth: &depthCollector{db: db, lane: lane, desc: prometheus.NewDesc("bosang_jobs",
			"River jobs by queue and state (completed jobs left out), and as state unqueued the marked outbox messages "+
				"waiting for room in their queue, counted at most every 15 s.", []string{"queue", "state"}, nil)},
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bosang_job_failures_total",
			Help: "Job attempts that failed, by kind (each failed attempt counts; a discard is also a failure)."}, []string{"kind"}),
		discards: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bosang_job_discards_total",
			Help: "Jobs given up by kind: failed on their last attempt (dead) or cancelled."}, []string{"kind"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "bosang_job_duration_seconds",
			Help: "Time one job attempt ran, by kind and outcome (ok, error, discarded).", Buckets: []float64{.005, .025, .1, .5, 1, 5, 15, 30, 60, 300, 900}},
			[]string{"kind", "outcome"}),
	}
}

func (m *metrics) register(r prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{m.depth, m.failures, m.discards, m.duration} {
		if err := r.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// work is River worker middleware that times and counts every attempt,
// a panicking one included.
func (m *metrics) work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) (err error) {
	start := time.Now()
	finished := false
	defer func() {
		outcome := "ok"
		if err != nil || !finished {
			outcome = "error"
			m.failures.WithLabelValues(job.Kind).Inc()
			var cancel *rivertype.JobCancelError
			if job.Attempt >= job.MaxAttempts || errors.As(err, &cancel) {
				outcome = "discarded"
				m.discards.WithLabelValues(job.Kind).Inc()
			}
		}
		m.duration.WithLabelValues(job.Kind, outcome).Observe(time.Since(start).Seconds())
	}()
	err = doInner(ctx)
	finished = true
	return err
}

// depthCollector reports River's queue depth, and the marked messages of
// each lane (state unqueued), cached for depthTTL.
type depthCollector struct {
	db   *store.DB
	lane func(topic string) Lane
	desc *prometheus.Desc

	mu     sync.Mutex
	at     time.Time
	counts []store.JobCount
}

// Describe sends the one descriptor.
func (d *depthCollector) Describe(ch chan<- *prometheus.Desc) { ch <- d.desc }

// Collect sends the cached counts, refreshed when older than depthTTL; a
// failed count keeps the previous one.
func (d *depthCollector) Collect(ch chan<- prometheus.Metric) {
	d.mu.Lock()
	if time.Since(d.at) > depthTTL {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if counts, err := d.count(ctx); err == nil {
			d.counts, d.at = counts, time.Now()
		}
		cancel()
	}
	counts := d.counts
	d.mu.Unlock()
	for _, c := range counts {
		ch <- prometheus.MustNewConstMetric(d.desc, prometheus.GaugeValue, float64(c.N), c.Queue, c.State)
	}
}

// count reads River's counts and adds the marks of each lane.
func (d *depthCollector) count(ctx context.Context) ([]store.JobCount, error) {
	counts, err := d.db.JobCounts(ctx)
	if err != nil {
		return nil, err
	}
	marks, err := d.db.MarkCounts(ctx)
	if err != nil {
		return nil, err
	}
	at := map[Lane]int{}
	for _, m := range marks {
		l := d.lane(m.Topic)
		if i, ok := at[l]; ok {
			counts[i].N += m.N
			continue
		}
		at[l] = len(counts)
		counts = append(counts, store.JobCount{Queue: string(l), State: "unqueued", N: m.N})
	}
	return counts, nil
}
