package jobs

import (
	"context"
	"time"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
)

// Sweep settings: how old an orphan row must be, how often, and how many
// rows per batch; purges delete purgeBatch rows per statement.
const (
	sweepAge   = time.Minute
	sweepEvery = 5 * time.Minute
	sweepBatch = 500
	purgeBatch = 1000
)

// sweepName is the built-in Periodic every working client runs.
const sweepName = "outbox_sweep"

// sweep finds undelivered, live rows no job will run: a row that never had
// a job (written before River, or by a store without an inserter) gets one;
// a row whose job River discarded or cancelled without the worker's last
// word (its process died on the last attempt) is marked dead. It works in
// batches until a short one (a backlog left by the old dispatcher clears in
// one run) or its timeout.
func (c *Client) sweep(ctx context.Context) error {
	for {
		n, err := c.sweepBatch(ctx)
		if err != nil || n < sweepBatch {
			return err
		}
	}
}

func (c *Client) sweepBatch(ctx context.Context) (int, error) {
	orphans, err := c.db.OrphanOutbox(ctx, c.cfg.Now().Add(-sweepAge), sweepBatch)
	if err != nil {
		return 0, err
	}
	var queue []models.OutboxMessage
	for _, o := range orphans {
		if o.HadJob {
			if err := c.db.RecordOutboxFailure(ctx, o.ID, "its River job was discarded or cancelled without a result (the process stopped during the last attempt, or an operator cancelled it)", c.cfg.Now(), true); err != nil {
				return 0, err
			}
			continue
		}
		queue = append(queue, o.OutboxMessage)
	}
	if len(queue) > 0 {
		c.log.InfoContext(ctx, "outbox sweep queued jobs for rows without one", "count", len(queue))
	}
	return len(orphans), c.db.QueueOutboxJobs(ctx, c, queue)
}

// PurgeOutbox is a Periodic that deletes outbox messages delivered more
// than retention ago, hourly, in batches. Undelivered and dead messages
// stay.
func PurgeOutbox(db *store.DB, retention time.Duration, now func() time.Time) Periodic {
	return Periodic{Name: "outbox_purge", Interval: time.Hour, Run: func(ctx context.Context) error {
		return purge(ctx, func(ctx context.Context) (int64, error) {
			return db.PurgeDeliveredOutbox(ctx, now().Add(-retention), purgeBatch)
		})
	}}
}

// PurgeIdempotencyKeys is a Periodic that deletes idempotency keys taken
// more than life ago (claims.KeyTTL), hourly, in batches.
func PurgeIdempotencyKeys(db *store.DB, life time.Duration, now func() time.Time) Periodic {
	return Periodic{Name: "idempotency_purge", Interval: time.Hour, Run: func(ctx context.Context) error {
		return purge(ctx, func(ctx context.Context) (int64, error) {
			return db.PurgeIdempotencyKeys(ctx, now().Add(-life), purgeBatch)
		})
	}}
}

// purge runs one batch after another until a batch comes back short, so
// no statement holds its locks for long.
func purge(ctx context.Context, batch func(context.Context) (int64, error)) error {
	for {
		n, err := batch(ctx)
		if err != nil || n < purgeBatch {
			return err
		}
	}
}
