package store

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/bosang/bosang/migrations"
)

// migrationLockPoll (seconds) and migrationLockPolls bound how long Migrate
// waits for another process's run to finish: it tries for the lock once a
// second, at most 600 times.
const (
	migrationLockPoll  = 1
	migrationLockPolls = 600
)

// migrator returns a goose provider over this dialect's embedded migrations.
// With locked, on PostgreSQL, a run holds goose's session advisory lock, so
// processes starting together take turns; SQLite has one writer already.
func (db *DB) migrator(locked bool) (*goose.Provider, error) {
	sqlDB, err := db.SQL()
	if err != nil {
		return nil, err
	}
	dir, gd := "postgres", goose.DialectPostgres
	if db.dialect == SQLite {
		dir, gd = "sqlite", goose.DialectSQLite3
	}
	sub, err := fs.Sub(migrations.FS, dir)
	if err != nil {
		return nil, err
	}
	var opts []goose.ProviderOption
	if locked && db.dialect == Postgres {
		l, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(migrationLockPoll, migrationLockPolls))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(l))
	}
	return goose.NewProvider(gd, sqlDB, sub, opts...)
}

// Migrate applies every pending migration and returns how many ran. On
// PostgreSQL it first takes goose's session-level advisory lock (waiting up
// to ten minutes for another process's run), so instances starting at once
// on one database migrate one after the other and the later ones find
// nothing pending. The lock lives on one connection for the whole run, so
// Migrate needs a session: a direct connection or PgBouncer in session
// mode, never transaction mode.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	p, err := db.migrator(true)
	if err != nil {
		return 0, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate %s: %w", db.dialect, err)
	}
	return len(res), nil
}

// MigrationState is one migration and whether it is applied.
type MigrationState struct {
	Version int64
	Source  string
	Applied bool
}

// MigrationStatus lists every known migration with its state.
func (db *DB) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	p, err := db.migrator(false)
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]MigrationState, len(st))
	for i, s := range st {
		out[i] = MigrationState{Version: s.Source.Version, Source: s.Source.Path, Applied: s.State == goose.StateApplied}
	}
	return out, nil
}

// Ready reports nil when the database answers and has no pending migration.
func (db *DB) Ready(ctx context.Context) error {
	p, err := db.migrator(false)
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("check migrations: %w", err)
	}
	if pending {
		return fmt.Errorf("database has pending migrations")
	}
	return nil
}
