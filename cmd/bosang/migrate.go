package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/config"
	"github.com/bosang/bosang/store"
)

// migrate is `bosang migrate [up|status]`: up applies the pending
// migrations under the migration lock, whatever BOSANG_MIGRATE says (it is
// the step that setting hands the work to), publishes the default
// compensation policy when there is none (as every start does), then lists
// them; status only lists them.
func migrate(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	sub := "up"
	if len(args) > 0 {
		sub = args[0]
	}
	if (sub != "up" && sub != "status") || len(args) > 1 {
		return usageError("usage: bosang migrate [up|status]")
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	db, err := store.Open(ctx, databaseDSN(cfg), store.WithMaxConns(cfg.DBMaxConns), store.WithClock(time.Now))
	if err != nil {
		return err
	}
	defer db.Close()
	if sub == "up" {
		n, err := db.Migrate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "applied %d migrations\n", n)
		if err := publishDefaultPolicy(ctx, db); err != nil {
			return err
		}
	}
	st, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	for _, m := range st {
		state := "pending"
		if m.Applied {
			state = "applied"
		}
		fmt.Fprintf(out, "%05d  %-8s %s\n", m.Version, state, m.Source)
	}
	return nil
}

// publishDefaultPolicy publishes policy version 1 on a database that has
// no policy yet, so a database `bosang migrate` prepared prices claims
// before any replica has started (the chaos run seeds right after it).
// Only the policy store is used: the claims service's other parts stay
// unset.
func publishDefaultPolicy(ctx context.Context, db *store.DB) error {
	return claims.NewService(db.Claims(), nil, nil, nil, claims.DefaultEvidenceLimits, time.Now, newID).EnsureDefaultPolicy(ctx)
}

// databaseDSN is what store.Open connects to: the PostgreSQL URL, or the
// SQLite file.
func databaseDSN(cfg *config.Config) string {
	if cfg.SQLite() {
		return cfg.SQLitePath()
	}
	return cfg.DatabaseURL
}

// schemaReady brings the schema up to date at start (BOSANG_MIGRATE=auto:
// under the migration lock, so replicas starting together take turns), or,
// with BOSANG_MIGRATE=off, refuses to start on a database with pending
// migrations: serving against an old schema fails request by request, in
// ways much harder to read than this.
func schemaReady(ctx context.Context, db *store.DB, cfg *config.Config, log *slog.Logger) error {
	if cfg.Migrate == config.MigrateOff {
		if err := db.Ready(ctx); err != nil {
			return fmt.Errorf("BOSANG_MIGRATE=off and the database is not ready (%w): run `bosang migrate` first", err)
		}
		return nil
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		log.Info("applied migrations", "count", n)
	}
	return nil
}
