package jobs_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river/rivertype"

	"github.com/bosang/bosang/jobs"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
)

// waitLimit bounds every wait for an observable effect; generous for a busy
// 2-core machine.
const waitLimit = 60 * time.Second

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// immediately retries a failed job at once.
type immediately struct{}

func (immediately) NextRetry(*rivertype.JobRow) time.Time { return time.Now().UTC() }

// testConfig is a working client's configuration with fast polling.
func testConfig(sender func(context.Context, models.OutboxMessage) error) jobs.Config {
	return jobs.Config{Sender: senderFunc(sender), Log: quiet, PollEvery: 50 * time.Millisecond, RetryPolicy: immediately{},
		Lanes: map[string]jobs.Lane{"claim.review": jobs.Review, "policy.reprice": jobs.Batch}}
}

type senderFunc func(context.Context, models.OutboxMessage) error

func (f senderFunc) Send(ctx context.Context, m models.OutboxMessage) error { return f(ctx, m) }

// start makes a working client over db, starts it, and stops it in Cleanup.
func start(t *testing.T, db *store.DB, cfg jobs.Config) *jobs.Client {
	t.Helper()
	c, err := jobs.New(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := c.Stop(ctx); err != nil {
			t.Errorf("stop jobs client: %v", err)
		}
	})
	return c
}

// enqueue writes n messages of topic through the store's one outbox path,
// with their jobs, and returns their ids.
func enqueue(t *testing.T, db *store.DB, topic string, n int) []string {
	return writeMessages(t, topic, n, func(m *models.OutboxMessage) error {
		return db.EnqueueOnce(context.Background(), m)
	})
}

// marked writes n messages of topic marked for the dispatcher
// (store.EnqueueNew) and returns their ids.
func marked(t *testing.T, db *store.DB, topic string, n int) []string {
	return writeMessages(t, topic, n, func(m *models.OutboxMessage) error {
		if added, err := db.EnqueueNew(context.Background(), m); err != nil || !added {
			return fmt.Errorf("enqueue %s: added %v, %w", topic, added, err)
		}
		return nil
	})
}

// writeMessages writes n new messages of topic with write and returns
// their ids.
func writeMessages(t *testing.T, topic string, n int, write func(*models.OutboxMessage) error) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range n {
		now := time.Now().UTC()
		m := &models.OutboxMessage{ID: uuid.NewString(), Topic: topic, DedupeID: fmt.Sprintf("%s-%s", topic, uuid.NewString()), Payload: "{}", AvailableAt: now, CreatedAt: now}
		if err := write(m); err != nil {
			t.Fatal(err)
		}
		ids[i] = m.ID
	}
	return ids
}

// waitFor polls cond until it holds or waitLimit passes.
func waitFor(t *testing.T, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, waitLimit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// message reads an outbox row.
func message(t *testing.T, db *store.DB, id string) *models.OutboxMessage {
	t.Helper()
	m, err := db.OutboxMessage(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// delivered reports whether every one of ids is delivered.
func delivered(db *store.DB, ids []string) func() (bool, error) {
	return func() (bool, error) {
		for _, id := range ids {
			m, err := db.OutboxMessage(context.Background(), id)
			if err != nil || m.DeliveredAt == nil {
				return false, err
			}
		}
		return true, nil
	}
}

// counter counts sends per outbox id.
type counter struct {
	mu   sync.Mutex
	sent map[string]int
}

func newCounter() *counter { return &counter{sent: map[string]int{}} }

func (c *counter) add(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent[id]++
	return c.sent[id]
}

func (c *counter) get(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sent[id]
}

func (c *counter) distinct() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sent)
}

// jobAttempts reads, per outbox id, the attempts of its River job.
func jobAttempts(t *testing.T, db *store.DB, ids []string) map[string]int {
	t.Helper()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	q := `SELECT args->>'outbox_id', attempt FROM river_job WHERE kind LIKE 'outbox_%'`
	if db.Dialect() == store.SQLite {
		q = `SELECT json_extract(args, '$.outbox_id'), attempt FROM river_job WHERE kind LIKE 'outbox_%'`
	}
	rows, err := sqlDB.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		out[id] += n
	}
	return out
}

// jobState reports whether the River job of outbox id is in state.
func jobState(db *store.DB, id, state string) func() (bool, error) {
	return func() (bool, error) {
		sqlDB, err := db.SQL()
		if err != nil {
			return false, err
		}
		q := `SELECT count(*) FROM river_job WHERE args->>'outbox_id' = $1 AND state = $2`
		if db.Dialect() == store.SQLite {
			q = `SELECT count(*) FROM river_job WHERE json_extract(args, '$.outbox_id') = ? AND state = ?`
		}
		var n int
		err = sqlDB.QueryRowContext(context.Background(), q, id, state).Scan(&n)
		return n == 1, err
	}
}

// counterValue reads the counter name{kind} from reg (0 when absent).
func counterValue(t *testing.T, reg *prometheus.Registry, name, kind string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "kind" && l.GetValue() == kind {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

type atomicBool struct{ v atomic.Bool }

func (b *atomicBool) set(v bool) { b.v.Store(v) }
func (b *atomicBool) get() bool  { return b.v.Load() }

// exec runs a statement written with ? placeholders on either dialect.
func exec(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	if db.Dialect() == store.Postgres {
		n := 0
		var b strings.Builder
		for _, r := range q {
			if r == '?' {
				n++
				fmt.Fprintf(&b, "$%d", n)
				continue
			}
			b.WriteRune(r)
		}
		q = b.String()
	}
	if _, err := sqlDB.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// periodicState reports whether a run of the named periodic job is in
// state.
func periodicState(db *store.DB, name, state string) func() (bool, error) {
	return func() (bool, error) {
		sqlDB, err := db.SQL()
		if err != nil {
			return false, err
		}
		q := `SELECT count(*) FROM river_job WHERE kind = 'periodic' AND args->>'name' = $1 AND state = $2`
		if db.Dialect() == store.SQLite {
			q = `SELECT count(*) FROM river_job WHERE kind = 'periodic' AND json_extract(args, '$.name') = ? AND state = ?`
		}
		var n int
		err = sqlDB.QueryRowContext(context.Background(), q, name, state).Scan(&n)
		return n >= 1, err
	}
}
