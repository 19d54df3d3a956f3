package jobs_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/bosang/bosang/jobs"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// riverMigration is the committed goose migration carrying River's schema.
const riverMigration = "00018_river.sql"

// TestRiverSchemaCommitted pins the River part of migration 00018 to what
// cmd/bosang-riversql generates from the River module for versions 1 to 8:
// nobody edited it by hand.
func TestRiverSchemaCommitted(t *testing.T) {
	for _, dialect := range []string{"postgres", "sqlite"} {
		t.Run(dialect, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "migrations", dialect, riverMigration))
			if err != nil {
				t.Fatal(err)
			}
			want, err := jobs.RiverMigrationSQL(dialect, 1, 8)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), want) {
				t.Fatalf("migrations/%s/%s does not hold River's versions 1-8 as generated; regenerate them as cmd/bosang-riversql says", dialect, riverMigration)
			}
		})
	}
}

// TestRiverSchemaCurrent fails after a River upgrade whose new schema
// versions no goose migration carries yet: River's own validation of the
// migrated database must find nothing to apply.
func TestRiverSchemaCurrent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		sqlDB, err := db.SQL()
		if err != nil {
			t.Fatal(err)
		}
		var res *rivermigrate.ValidateResult
		if db.Dialect() == store.SQLite {
			m, err := rivermigrate.New(riversqlite.New(sqlDB), nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err = m.Validate(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
		} else {
			m, err := rivermigrate.New(riverdatabasesql.New(sqlDB), nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err = m.Validate(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
		}
		if !res.OK {
			t.Fatalf("River %s wants migrations the goose set lacks: %v; add them as cmd/bosang-riversql says", jobs.RiverVersion, res.Messages)
		}
	})
}

// TestRiverSchemaSameAsRiverMigrate: the goose migration (with its one
// PostgreSQL change, 'pending' declared with the enum) yields the schema
// River's own migrator yields, object by object.
func TestRiverSchemaSameAsRiverMigrate(t *testing.T) {
	t.Run("postgres", func(t *testing.T) {
		goose := dbtest.NewPostgres(t)
		dsn, drop := dbtest.CreatePostgresDB(t)
		t.Cleanup(drop)
		raw, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		m, err := rivermigrate.New(riverdatabasesql.New(raw), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Migrate(context.Background(), rivermigrate.DirectionUp, nil); err != nil {
			t.Fatal(err)
		}
		gooseDB, _ := goose.SQL()
		compareSchemas(t, pgCatalog(t, gooseDB), pgCatalog(t, raw))
	})
	t.Run("sqlite", func(t *testing.T) {
		goose := dbtest.NewSQLite(t)
		other, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "river.db"), store.WithClock(time.Now))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { other.Close() })
		raw, _ := other.SQL()
		m, err := rivermigrate.New(riversqlite.New(raw), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Migrate(context.Background(), rivermigrate.DirectionUp, nil); err != nil {
			t.Fatal(err)
		}
		gooseDB, _ := goose.SQL()
		compareSchemas(t, sqliteCatalog(t, gooseDB), sqliteCatalog(t, raw))
	})
}

func compareSchemas(t *testing.T, got, want []string) {
	t.Helper()
	if len(want) < 10 {
		t.Fatalf("River's own migration yields only %d objects; the comparison would mean nothing", len(want))
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("goose lacks %s", w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			t.Errorf("goose has, River does not: %s", g)
		}
	}
}

// pgCatalog describes River's objects: columns with types, defaults and
// nullability, indexes, constraints, enum labels in order, functions.
func pgCatalog(t *testing.T, db *sql.DB) []string {
	t.Helper()
	return query(t, db, `
SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || coalesce(column_default, '') || ' ' || is_nullable
  FROM information_schema.columns WHERE table_schema = 'public' AND table_name LIKE 'river_%'
UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename LIKE 'river_%'
UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE conrelid::regclass::text LIKE 'river_%'
UNION ALL SELECT 'enum ' || string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'river_job_state'::regtype
UNION ALL SELECT 'function ' || p.proname || ' ' || pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname = 'public' AND p.proname LIKE 'river_%'`)
}

// sqliteCatalog describes River's objects by their stored SQL.
func sqliteCatalog(t *testing.T, db *sql.DB) []string {
	t.Helper()
	return query(t, db, `SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master WHERE name LIKE 'river_%'`)
}

func query(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(s.String))
	}
	return out
}
