package jobs_test

import (
	"context"
	"testing"

	"github.com/bosang/bosang/jobs"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestDeliversEachLane: a message, a review and a batch job inserted with
// their rows are each delivered once, in their own lane.
func TestDeliversEachLane(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		sent := newCounter()
		cfg := testConfig(func(_ context.Context, m models.OutboxMessage) error { sent.add(m.ID); return nil })
		c := start(t, db, cfg)
		db.SetJobs(c)
		var ids []string
		for _, topic := range []string{"claim.status", "claim.review", "policy.reprice"} {
			ids = append(ids, enqueue(t, db, topic, 3)...)
		}
		waitFor(t, "every message delivered", delivered(db, ids))
		for _, id := range ids {
			if n := sent.get(id); n != 1 {
				t.Errorf("message %s sent %d times, want 1", id, n)
			}
		}
		_ = jobs.Messages
	})
}
