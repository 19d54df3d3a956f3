package store

import (
	"context"
	"database/sql"

	"gorm.io/gorm/clause"

	"github.com/bosang/bosang/models"
)

// JobInserter queues the River job of each new outbox message inside tx,
// the transaction that wrote the rows, so that both commit or neither does
// (package jobs implements it; store never builds a River client).
type JobInserter interface {
	InsertOutboxJobs(ctx context.Context, tx *sql.Tx, msgs []models.OutboxMessage) error
}

// SetJobs makes every outbox write of db, and of the stores and
// transactions derived from it, queue its jobs through j. Call it before
// db is shared between goroutines. Without it (store used alone, as in
// unit tests) rows are written without jobs; package jobs' outbox sweep
// queues such rows when a runner works the database.
func (db *DB) SetJobs(j JobInserter) { db.jobs = j }

// enqueue writes msgs to the outbox and queues one job for each row it
// wrote, in one transaction: the caller's when db is inside InTx, else a
// transaction of its own. With once, a message whose dedupe id is already
// in the outbox is skipped, and so is its job. It is the one path by which
// store writes outbox rows through gorm; the PostgreSQL filing statement
// and DecideMany's bulk write mark theirs for the dispatcher instead
// (DispatchOutbox).
func (db *DB) enqueue(ctx context.Context, once bool, msgs ...*models.OutboxMessage) error {
	if tx := db.sqlTx(); tx != nil || db.jobs == nil {
		return db.enqueueIn(ctx, tx, once, msgs)
	}
	return db.InTx(ctx, func(t *DB) error { return t.enqueueIn(ctx, t.sqlTx(), once, msgs) })
}

// sqlTx is the transaction db runs in, nil outside InTx.
func (db *DB) sqlTx() *sql.Tx {
	tx, _ := db.gorm.Statement.ConnPool.(*sql.Tx)
	return tx
}

func (db *DB) enqueueIn(ctx context.Context, tx *sql.Tx, once bool, msgs []*models.OutboxMessage) error {
	written := make([]models.OutboxMessage, 0, len(msgs))
	for _, m := range msgs {
		q := db.with(ctx)
		if once {
			q = q.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_id"}}, DoNothing: true})
		}
		res := q.Create(m)
		if res.Error != nil {
			return translate(res.Error, "queue message "+m.Topic)
		}
		if res.RowsAffected == 1 {
			written = append(written, *m)
		}
	}
	return db.queueJobs(ctx, tx, written)
}

// queueJobs queues the jobs of rows written in tx; nothing without a
// JobInserter or a transaction.
func (db *DB) queueJobs(ctx context.Context, tx *sql.Tx, msgs []models.OutboxMessage) error {
	if db.jobs == nil || tx == nil || len(msgs) == 0 {
		return nil
	}
	return db.jobs.InsertOutboxJobs(ctx, tx, msgs)
}
