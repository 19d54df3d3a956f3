package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
)

// OutboxArgs are the arguments of every outbox job: the row to deliver and,
// for people looking at River's tables, its topic.
type OutboxArgs struct {
	OutboxID string `json:"outbox_id"` // store.OutboxJobArg
	Topic    string `json:"topic"`
}

func (a OutboxArgs) outboxID() string { return a.OutboxID }

// MessageArgs is the job of a message to a person (Messages lane).
type MessageArgs struct{ OutboxArgs }

// Kind names the job kind in River.
func (MessageArgs) Kind() string { return "outbox_message" }

// InsertOpts puts the job in its lane.
func (MessageArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: string(Messages)} }

// ReviewArgs is the job of a filed claim's review (Review lane).
type ReviewArgs struct{ OutboxArgs }

// Kind names the job kind in River.
func (ReviewArgs) Kind() string { return "outbox_review" }

// InsertOpts puts the job in its lane.
func (ReviewArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: string(Review)} }

// BatchArgs is the job of a long task over many rows (Batch lane).
type BatchArgs struct{ OutboxArgs }

// Kind names the job kind in River.
func (BatchArgs) Kind() string { return "outbox_batch" }

// InsertOpts puts the job in its lane.
func (BatchArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: string(Batch)} }

// outboxJob is what the outbox worker needs of its arguments.
type outboxJob interface {
	river.JobArgs
	river.JobArgsWithInsertOpts
	outboxID() string
}

// argsFor is the job of m, in its topic's lane.
func (c *Client) argsFor(m models.OutboxMessage) outboxJob {
	a := OutboxArgs{OutboxID: m.ID, Topic: m.Topic}
	switch c.laneOf(m.Topic) {
	case Review:
		return ReviewArgs{a}
	case Batch:
		return BatchArgs{a}
	}
	return MessageArgs{a}
}

// laneOf is the lane of a topic's jobs: Review or Batch when Config.Lanes
// routes it there, else Messages.
func (c *Client) laneOf(topic string) Lane {
	if l := c.cfg.Lanes[topic]; l == Review || l == Batch {
		return l
	}
	return Messages
}

// outboxWorker delivers one outbox row.
type outboxWorker[T outboxJob] struct {
	river.WorkerDefaults[T]
	c    *Client
	lane Lane
}

// Timeout bounds one attempt by the lane's timeout.
func (w *outboxWorker[T]) Timeout(*river.Job[T]) time.Duration { return w.c.cfg.Timeouts[w.lane] }

// Work delivers the row unless it was delivered already.
func (w *outboxWorker[T]) Work(ctx context.Context, job *river.Job[T]) error {
	return w.c.deliver(ctx, job.Args.outboxID(), job.Attempt >= job.MaxAttempts)
}

// permanent is a send failure that says retrying is useless (a number no
// SMS reaches, a request the provider refuses); notify.PermanentError is
// one.
type permanent interface{ Permanent() bool }

// isPermanent reports whether err, or an error it wraps, is permanent.
func isPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p) && p.Permanent()
}

// deliver sends the outbox row id and marks it delivered. A row delivered
// already is a re-run of the job (River runs a job at least once): nothing
// is sent. A row that is gone (purged) cancels the job. A failure is
// counted on the row; on the last attempt, or at once when the failure is
// permanent (the job is then cancelled), the row is marked dead.
func (c *Client) deliver(ctx context.Context, id string, last bool) error {
	m, err := c.db.OutboxMessage(ctx, id)
	if errors.Is(err, apperr.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("outbox message %s is gone", id))
	}
	if err != nil {
		return err
	}
	if m.DeliveredAt != nil {
		return nil
	}
	if err := c.cfg.Sender.Send(ctx, *m); err != nil {
		// The attempt's context may have timed out; the record must
		// still be written.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		dead := last || isPermanent(err)
		if rerr := c.db.RecordOutboxFailure(rctx, id, err.Error(), c.cfg.Now(), dead); rerr != nil {
			c.log.ErrorContext(ctx, "record outbox failure", "id", id, "err", rerr)
		}
		c.log.WarnContext(ctx, "outbox send failed", "id", id, "topic", m.Topic, "dead", dead, "err", err)
		if dead && !last {
			return river.JobCancel(err)
		}
		return err
	}
	return c.db.MarkOutboxDelivered(ctx, id, c.cfg.Now())
}
