package main

import (
	"context"
	"time"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/jobs"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/notify"
	"github.com/bosang/bosang/offers"
	"github.com/bosang/bosang/outage"
)

// auditSealEvery is how often the chain is sealed: entries wait at most
// this long (plus a busy queue) before verification covers them.
const auditSealEvery = 5 * time.Second

// supplementRemindEvery is how often due supplements are looked for: well
// under BOSANG_SUPPLEMENT_REMINDER_LEAD's minimum (1h), so no due time
// falls between two runs.
const supplementRemindEvery = 15 * time.Minute

// offerExpireEvery is how often waiting offers past their window are
// recorded as expired; until then their pages already show them expired
// and refuse an answer.
const offerExpireEvery = 15 * time.Minute

// overdueAlertEvery is how often statutory notices past their deadline are
// looked for: the interruption notice's internal target is an hour.
const overdueAlertEvery = 2 * time.Minute

// newRunner returns the River client that works the jobs: outbox messages
// by e-mail when SMTP is configured, else to the log; review, re-pricing
// and fan-out jobs through their services; and the periodic jobs. It also
// becomes the store's job inserter.
func (a *app) newRunner() (*jobs.Client, error) {
	sender, err := a.sender()
	if err != nil {
		return nil, err
	}
	// Review jobs (flags, automatic adjudication) are written with the claim
	// and run here, off the request path; a failure is retried.
	reviewJobs := notify.SenderFunc(func(ctx context.Context, m models.OutboxMessage) error {
		id, err := claims.ReviewJobClaim(m)
		if err != nil {
			return err
		}
		return a.review.AfterFile(ctx, id)
	})
	router := notify.Router{Routes: map[string]notify.Sender{
		claims.TopicReview: reviewJobs,
		// A published policy's re-pricing job runs in committed pages; a
		// failed or timed-out attempt is retried and skips what was done.
		claims.TopicReprice: notify.SenderFunc(a.claims.RunRepriceJob),
		// An outage update's fan-out job writes one mail per subscriber.
		outage.TopicFanout: notify.SenderFunc(a.outages.RunFanout),
		// An affected-account import commits in chunks; a retried or
		// resumed one reads on after its last committed line.
		offers.TopicImport: notify.SenderFunc(a.offers.RunImport),
	}, Default: sender}
	// Offer announcements and one-time codes go to the address sealed in
	// them: by SMS when a provider is configured, by mail when SMTP is.
	addressed, err := a.addressedSender(sender)
	if err != nil {
		return nil, err
	}
	for _, topic := range addressed.Topics() {
		router.Routes[topic] = addressed
	}
	r, err := jobs.New(a.db, jobs.Config{
		Sender: router,
		Lanes: map[string]jobs.Lane{claims.TopicReview: jobs.Review, claims.TopicReprice: jobs.Batch, outage.TopicFanout: jobs.Batch,
			offers.TopicImport: jobs.Batch},
		Workers: map[jobs.Lane]int{jobs.Messages: a.cfg.JobWorkersMessages, jobs.Review: a.cfg.JobWorkersReview,
			jobs.Batch: a.cfg.JobWorkersBatch},
		MaxAttempts: a.cfg.JobMaxAttempts,
		LaneBacklog: a.cfg.JobLaneBacklog,
		Periodic:    a.periodicJobs(),
		Log:         a.log,
		Metrics:     a.metrics,
	})
	if err != nil {
		return nil, err
	}
	a.db.SetJobs(r)
	return r, nil
}

// periodicJobs are the server's scheduled jobs, each run on one instance at
// a time. Add one here as a jobs.Periodic.
func (a *app) periodicJobs() []jobs.Periodic {
	return []jobs.Periodic{
		// The audit trail: seal appended entries into the hash chain, and
		// export a signed checkpoint off the database.
		{Name: "audit_seal", Interval: auditSealEvery, Run: func(ctx context.Context) error {
			_, err := a.audit.SealPending(ctx, audit.SealBatch)
			return err
		}},
		{Name: "audit_checkpoint", Interval: a.cfg.AuditCheckpointInterval, Run: func(ctx context.Context) error {
			cp, n, err := a.audit.CheckpointAndExport(ctx)
			if cp != nil {
				a.log.InfoContext(ctx, "audit checkpoint", "chain_pos", cp.ChainPos, "hash", cp.Hash, "exported", n)
			}
			return err
		}},
		jobs.PurgeOutbox(a.db, a.cfg.OutboxRetention, time.Now),
		jobs.PurgeIdempotencyKeys(a.db, claims.KeyTTL, time.Now),
		// The statistics every instance serves, computed once.
		{Name: "stats_refresh", Interval: a.cfg.StatsMaxAge / 2, Run: func(ctx context.Context) error {
			_, err := a.stats.RefreshSnapshots(ctx)
			return err
		}},
		// Claimants reminded of a supplement before it falls due.
		{Name: "supplement_reminders", Interval: supplementRemindEvery, Run: func(ctx context.Context) error {
			_, err := a.claims.RemindSupplements(ctx)
			return err
		}},
		// Offers whose acceptance window closed recorded as expired.
		{Name: "offer_expiry", Interval: offerExpireEvery, Run: func(ctx context.Context) error {
			_, err := a.offers.ExpireOverdue(ctx)
			return err
		}},
		// Operators alerted of a statutory notice past its deadline.
		{Name: "overdue_notice_alerts", Interval: overdueAlertEvery, Run: func(ctx context.Context) error {
			_, err := a.outages.AlertOverdueNotices(ctx)
			return err
		}},
	}
}

// sender delivers messages by e-mail when SMTP is configured, else to the
// log.
func (a *app) sender() (notify.Sender, error) {
	logSender := notify.LogSender{Log: a.log, OpenReset: a.auth.OpenPasswordResetMessage,
		OpenSubscription: a.outages.OpenMail, BaseURL: a.cfg.BaseURL}
	if a.cfg.SMTPURL == "" {
		return logSender, nil
	}
	s, err := notify.NewSMTPSender(a.cfg.SMTPURL, a.cfg.BaseURL, func(ctx context.Context, id string) (string, string, error) {
		u, err := a.db.UserByID(ctx, id)
		if err != nil {
			return "", "", err
		}
		return u.Email, u.Name, nil
	})
	if err != nil {
		return nil, err
	}
	s.OpenReset = a.auth.OpenPasswordResetMessage
	s.OpenSubscription = a.outages.OpenMail
	// Overdue-notice alerts go to every enabled operator and admin.
	s.Staff = a.db.ActiveStaffEmails
	return s, nil
}
