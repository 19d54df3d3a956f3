package notify

import (
	"context"
	"errors"
	"log/slog"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
)

// Sender delivers one message; it must tolerate receiving it twice (the
// jobs that call it deliver at least once).
type Sender interface {
	Send(ctx context.Context, m models.OutboxMessage) error
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
