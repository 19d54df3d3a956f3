package store

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"

	"github.com/bosang/bosang/migrations"
)

// migrator returns a goose provider over this dialect's embedded migrations.
func (db *DB) migrator() (*goose.Provider, error) {
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
	return goose.NewProvider(gd, sqlDB, sub)
}

// Migrate applies every pending migration and returns how many ran.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	p, err := db.migrator()
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
	p, err := db.migrator()
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
	p, err := db.migrator()
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
