package jobs_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/notify"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestPermanentFailureIsDeadAfterOneAttempt: a send failing for good
// (notify.PermanentError: an SMS provider refusing the number) is not
// retried: the row is dead after one attempt with the reason and the job
// cancelled; a transient failure beside it is retried.
func TestPermanentFailureIsDeadAfterOneAttempt(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sent := newCounter()
		cfg := testConfig(func(_ context.Context, m models.OutboxMessage) error {
			if m.Topic == "offer.sms" {
				sent.add(m.ID)
				return notify.Permanent(errors.New("sms provider result -2019: invalid recipient"))
			}
			if sent.add(m.ID) < 2 {
				return errors.New("421 try again later")
			}
			return nil
		})
		cfg.MaxAttempts = 5
		c := start(t, db, cfg)
		db.SetJobs(c)
		id := enqueue(t, db, "offer.sms", 1)[0]
		other := enqueue(t, db, "claim.status", 1)[0]
		waitFor(t, "the permanent failure dead", func() (bool, error) {
			m, err := db.OutboxMessage(ctx, id)
			return err == nil && m.DeadAt != nil, err
		})
		waitFor(t, "its job cancelled", jobState(db, id, "cancelled"))
		m := message(t, db, id)
		if sent.get(id) != 1 || m.Attempts != 1 || !strings.Contains(m.LastError, "invalid recipient") || m.DeliveredAt != nil {
			t.Fatalf("permanent failure: sent %d times, row attempts %d, error %q; want 1 send, 1 attempt, the reason", sent.get(id), m.Attempts, m.LastError)
		}
		waitFor(t, "the transient failure delivered on retry", delivered(db, []string{other}))
		if sent.get(other) != 2 {
			t.Fatalf("transient failure: sent %d times, want 2", sent.get(other))
		}
	})
}
