package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/config"
	"github.com/bosang/bosang/contact"
	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/jobs"
	"github.com/bosang/bosang/offers"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/payout"
	"github.com/bosang/bosang/pii"
	"github.com/bosang/bosang/review"
	"github.com/bosang/bosang/stats"
	"github.com/bosang/bosang/statute"
	"github.com/bosang/bosang/store"
)

// app is the wired core shared by every subcommand.
type app struct {
	cfg     *config.Config
	db      *store.DB
	auth    *auth.Service
	outages *outage.Service
	claims  *claims.Service
	review  *review.Service
	audit   *audit.Service
	payouts *payout.Service
	stats   *stats.Service
	offers  *offers.Service
	log     *slog.Logger
	// metrics gathers the HTTP, Go and process metrics served at /metrics.
	metrics *prometheus.Registry
	// draining is set when serve has been told to stop: /readyz then fails
	// while the requests already here finish.
	draining atomic.Bool
	// jobs queues the River job of every outbox row the store writes; in
	// every subcommand but serve it only inserts (serve's runner works
	// them).
	jobs *jobs.Client

	// contacts proves phones and e-mail addresses with one-time codes;
	// apiKeys issues and checks partner keys; sealer opens what the
	// outbox holds sealed (offer announcements).
	contacts *contact.Service
	apiKeys  *auth.APIKeys
	sealer   *pii.Sealer
	// catalog is the message catalog open loaded (and registered).
	catalog *i18n.Catalog
}

// open loads configuration, connects to the database and applies pending
// migrations (or, with BOSANG_MIGRATE=off, refuses a database that has
// some; see schemaReady).
func open(ctx context.Context, getenv func(string) string) (*app, error) {
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	// Every subcommand resolves messages through the catalog: seeding,
	// adjudication and jobs store notes, steps and notices written in
	// Korean and English from it.
	catalog, err := i18n.Load()
	if err != nil {
		return nil, fmt.Errorf("message catalog: %w", err)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	opts := []store.Option{store.WithMaxConns(cfg.DBMaxConns), store.WithClock(time.Now)}
	if cfg.ClaimPageCache >= 0 {
		opts = append(opts, store.WithClaimPageCache(cfg.ClaimPageCache))
	}
	db, err := store.Open(ctx, databaseDSN(cfg), opts...)
	if err != nil {
		return nil, err
	}
	if err := schemaReady(ctx, db, cfg, log); err != nil {
		db.Close()
		return nil, err
	}
	// Every outbox row gets its River job in the row's transaction.
	inserter, err := jobs.New(db, jobs.Config{MaxAttempts: cfg.JobMaxAttempts, Log: log})
	if err != nil {
		db.Close()
		return nil, err
	}
	db.SetJobs(inserter)
	sealer, err := newSealer(cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	signer := auth.NewSigner(cfg.JWTKey, cfg.AccessTTL, time.Now, cfg.JWTPreviousKeys...)
	// Staff TOTP secrets are sealed with the personal-data key.
	svc := auth.NewService(db.Accounts(), signer, sealer, cfg.RefreshTTL, auth.DefaultThrottle, time.Now, newID)
	// Token checks read users through a cache that this process's changes
	// clear at once and other processes' changes through serve's listener.
	svc.CacheUsers(db, auth.UserCacheMaxAge)
	outages := outage.NewService(db.Outages(), statute.NewSettings(cfg.FreeServiceOwesCompensationNotice), time.Now, newID)
	// Outage subscribers' addresses and link tokens are sealed in the outbox.
	outages.SetSealer(sealer)
	blobs, err := newBlobs(ctx, cfg, sealer)
	if err != nil {
		db.Close()
		return nil, err
	}
	cl := claims.NewService(db.Claims(), outages, sealer, blobs, claims.DefaultEvidenceLimits, time.Now, newID)
	cl.SetLogger(log)
	cl.SetSupplementReminderLead(cfg.SupplementReminderLead)
	if err := cl.EnsureDefaultPolicy(ctx); err != nil {
		db.Close()
		return nil, err
	}
	rv := review.NewService(db.Review(), cl, review.DefaultSettings, time.Now, newID)
	au, err := newAuditService(db, cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	// One-time codes are hashed with a key derived from the encryption key.
	contacts := contact.NewService(db.Contacts(), sealer, contact.DeriveKey(cfg.EncryptionKey), time.Now, newID)
	// Affected-account files are kept encrypted, as evidence is.
	of := offers.NewService(db.Offers(), cl, outages, sealer, time.Now, newID)
	of.SetBlobs(blobs)
	of.SetLogger(log)
	return &app{catalog: catalog, cfg: cfg, db: db, auth: svc, outages: outages, claims: cl, review: rv, audit: au, offers: of,
		contacts: contacts, apiKeys: auth.NewAPIKeys(db.APIKeys(), time.Now, newID), sealer: sealer,
		payouts: payout.NewService(db.Payouts(), sealer, au, time.Now, newID), log: log, metrics: newRegistry(), jobs: inserter,
		stats: stats.NewService(db.Stats(), rv.Settings().ReviewTarget, time.Now).WithSnapshots(cfg.StatsMaxAge)}, nil
}

func (a *app) Close() error { return a.db.Close() }

// newRegistry returns a metrics registry with the Go runtime and process
// collectors.
func newRegistry() *prometheus.Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return r
}

// newID returns a UUIDv7: opaque to clients, yet ordered by creation, which
// keeps primary-key indexes compact.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// newSealer seals personal data with the current encryption key, opens what
// the previous keys sealed, and keys fingerprints with the pinned
// fingerprint key when there is one.
func newSealer(cfg *config.Config) (*pii.Sealer, error) {
	sealer, err := pii.NewSealer(cfg.EncryptionKey, cfg.EncryptionPreviousKeys...)
	if err != nil || cfg.FingerprintKey == nil {
		return sealer, err
	}
	return sealer.WithFingerprintKey(cfg.FingerprintKey)
}
