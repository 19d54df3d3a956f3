package jobs_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
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
	t.Helper()
	ids := make([]string, n)
	for i := range n {
		now := time.Now().UTC()
		m := &models.OutboxMessage{ID: uuid.NewString(), Topic: topic, DedupeID: fmt.Sprintf("%s-%s", topic, uuid.NewString()), Payload: "{}", AvailableAt: now, CreatedAt: now}
		if err := db.EnqueueOnce(context.Background(), m); err != nil {
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
