package notify

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
)

// Store leases and settles outbox rows.
type Store interface {
	// LeaseOutbox takes up to n undelivered messages that are due and not
	// leased by another dispatcher, leasing them until now+lease. On
	// PostgreSQL concurrent dispatchers skip each other's rows.
	LeaseOutbox(ctx context.Context, n int, now time.Time, lease time.Duration) ([]models.OutboxMessage, error)
	MarkDelivered(ctx context.Context, id string, now time.Time) error
	// MarkFailed records the error and makes the message due again at retryAt.
	MarkFailed(ctx context.Context, id, reason string, retryAt time.Time) error
}

// Sender delivers one message; it must tolerate receiving it twice.
type Sender interface {
	Send(ctx context.Context, m models.OutboxMessage) error
}

// Dispatcher moves messages from the outbox to a Sender.
type Dispatcher struct {
	store  Store
	sender Sender
	log    *slog.Logger
	now    func() time.Time
	Batch  int
	Lease  time.Duration
}

// NewDispatcher returns a Dispatcher leasing 100 messages for a minute at a time.
func NewDispatcher(store Store, sender Sender, log *slog.Logger, now func() time.Time) *Dispatcher {
	return &Dispatcher{store: store, sender: sender, log: log, now: now, Batch: 100, Lease: time.Minute}
}

// RunOnce delivers one batch and returns how many were delivered. A failed
// send is retried later with exponential backoff; it never stops the batch.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	msgs, err := d.store.LeaseOutbox(ctx, d.Batch, d.now(), d.Lease)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range msgs {
		if err := d.sender.Send(ctx, m); err != nil {
			retry := d.now().Add(backoff(m.Attempts))
			d.log.WarnContext(ctx, "outbox send failed", "id", m.ID, "topic", m.Topic, "attempts", m.Attempts, "err", err)
			if ferr := d.store.MarkFailed(ctx, m.ID, err.Error(), retry); ferr != nil {
				return sent, ferr
			}
			continue
		}
		if err := d.store.MarkDelivered(ctx, m.ID, d.now()); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

// Run delivers until ctx ends, polling every interval when the outbox is empty.
func (d *Dispatcher) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := d.RunOnce(ctx)
		if err != nil && !errors.Is(err, context.Canceled) {
			d.log.ErrorContext(ctx, "outbox dispatch", "err", err)
		}
		if n == d.Batch {
			continue // more may be waiting
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func backoff(attempts int) time.Duration {
	d := time.Duration(1<<min(attempts, 10)) * time.Second
	return min(d, time.Hour)
}

// LogSender writes messages to the log: the delivery channel in development.
// OpenReset, when set, reads password reset messages, whose text (with the
// link) is then logged too.
type LogSender struct {
	Log       *slog.Logger
	OpenReset ResetOpener
	// OpenSubscription, when set, reads outage subscription messages, whose
	// text (with the link, not the address) is then logged too.
	OpenSubscription SubscriptionOpener
	// BaseURL starts the links in logged texts; empty leaves them relative.
	BaseURL string
}

// Send logs the message without personal data beyond ids; a claim's status,
// estimate or supplement reminder message also with its text (StatusText),
// which states the amount decided, paid or newly estimated or the
// supplement's due time, an account message with its text (AccountText),
// and an overdue notice alert with its text (NoticeOverdueText).
func (s LogSender) Send(ctx context.Context, m models.OutboxMessage) error {
	args := []any{"topic", m.Topic, "dedupe_id", m.DedupeID, "payload", m.Payload}
	switch m.Topic {
	case claims.TopicStatus, claims.TopicEstimate, auth.TopicSignupExisting, auth.TopicPasswordReset,
		outage.TopicSubscribeConfirm, outage.TopicUpdate, claims.TopicSupplementReminder, outage.TopicNoticeOverdue:
		if text, err := compose(ctx, m, s.BaseURL, s.OpenReset, s.OpenSubscription); err == nil {
			args = append(args, "subject", text.subject, "text", text.body)
		}
	}
	s.Log.InfoContext(ctx, "notification", args...)
	return nil
}

// ErrNoRecipient is returned when a message names no reachable claimant.
var ErrNoRecipient = errors.New("no recipient")

// SenderFunc adapts a function to Sender.
type SenderFunc func(ctx context.Context, m models.OutboxMessage) error

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, m models.OutboxMessage) error { return f(ctx, m) }

// Router sends each message to the Sender of its topic, or to Default.
type Router struct {
	Routes  map[string]Sender
	Default Sender
}

// Send routes m by its topic.
func (r Router) Send(ctx context.Context, m models.OutboxMessage) error {
	if s, ok := r.Routes[m.Topic]; ok {
		return s.Send(ctx, m)
	}
	return r.Default.Send(ctx, m)
}
