package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// loadPeriodic reads the settings of the periodic jobs; a duration that
// does not parse or is out of range stops the start, naming its variable.
func (c *Config) loadPeriodic(getenv func(string) string) error {
	for _, d := range []struct {
		env, def string
		min, max time.Duration
		dst      *time.Duration
	}{
		{"BOSANG_STATS_MAX_AGE", "1m", time.Second, time.Hour, &c.StatsMaxAge},
		{"BOSANG_SUPPLEMENT_REMINDER_LEAD", "48h", time.Hour, 720 * time.Hour, &c.SupplementReminderLead},
	} {
		v, err := time.ParseDuration(or(strings.TrimSpace(getenv(d.env)), d.def))
		if err != nil || v < d.min || v > d.max {
			return fmt.Errorf("%s must be a duration from %s to %s (e.g. %s), got %q", d.env, d.min, d.max, d.def, getenv(d.env))
		}
		*d.dst = v
	}
	return nil
}

// The defaults of the job settings, sized for two cores: sends wait on the
// mail server, so the message lane runs several at once; review jobs use
// the CPU and the database, so one at a time leaves both to the requests
// (on `make chaos-short`, 8 message and 2 review workers doubled the p50
// of filing under load, 4 and 1 added about a third).
const (
	DefaultJobWorkersMessages = 4
	DefaultJobWorkersReview   = 1
	DefaultJobWorkersBatch    = 1
	DefaultJobMaxAttempts     = 12
	DefaultJobLaneBacklog     = 2000
	DefaultOutboxRetention    = 7 * 24 * time.Hour
)

// loadJobs reads the job settings; a value out of range stops the start.
func (c *Config) loadJobs(getenv func(string) string) error {
	for _, w := range []struct {
		env string
		def int
		dst *int
	}{
		{"BOSANG_JOB_WORKERS_MESSAGES", DefaultJobWorkersMessages, &c.JobWorkersMessages},
		{"BOSANG_JOB_WORKERS_REVIEW", DefaultJobWorkersReview, &c.JobWorkersReview},
		{"BOSANG_JOB_WORKERS_BATCH", DefaultJobWorkersBatch, &c.JobWorkersBatch},
	} {
		n, err := strconv.Atoi(or(getenv(w.env), strconv.Itoa(w.def)))
		if err != nil || n < 1 || n > 1000 {
			return fmt.Errorf("%s must be a whole number of concurrent jobs from 1 to 1000, got %q", w.env, getenv(w.env))
		}
		*w.dst = n
	}
	n, err := strconv.Atoi(or(getenv("BOSANG_JOB_MAX_ATTEMPTS"), strconv.Itoa(DefaultJobMaxAttempts)))
	if err != nil || n < 1 || n > 100 {
		return fmt.Errorf("BOSANG_JOB_MAX_ATTEMPTS must be a whole number of attempts from 1 to 100, got %q", getenv("BOSANG_JOB_MAX_ATTEMPTS"))
	}
	c.JobMaxAttempts = n
	n, err = strconv.Atoi(or(getenv("BOSANG_JOB_LANE_BACKLOG"), strconv.Itoa(DefaultJobLaneBacklog)))
	if err != nil || n < 100 || n > 1000000 {
		return fmt.Errorf("BOSANG_JOB_LANE_BACKLOG must be a whole number of jobs from 100 to 1000000, got %q", getenv("BOSANG_JOB_LANE_BACKLOG"))
	}
	c.JobLaneBacklog = n
	d, err := time.ParseDuration(or(getenv("BOSANG_OUTBOX_RETENTION"), DefaultOutboxRetention.String()))
	if err != nil || d < time.Hour {
		return fmt.Errorf("BOSANG_OUTBOX_RETENTION must be a duration of at least 1h (e.g. 168h), got %q", getenv("BOSANG_OUTBOX_RETENTION"))
	}
	c.OutboxRetention = d
	return nil
}
