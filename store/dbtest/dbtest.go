// Package dbtest gives each test a fresh, migrated database on PostgreSQL and
// on SQLite, and drops it when the test ends.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for the admin connection

	"github.com/bosang/bosang/store"
)

// DefaultPostgresURL is used when BOSANG_TEST_POSTGRES_URL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// PostgresURL is the admin URL tests create their databases through.
func PostgresURL() string {
	if u := os.Getenv("BOSANG_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// clock is the store clock of a test database. It starts as the wall
// clock, so that in the tests of packages with no clock of their own the
// rows the store stamps itself land near the time the test runs; SetClock
// gives it the test's own.
type clock struct {
	mu  sync.Mutex
	set func() time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	now := c.set
	c.mu.Unlock()
	return now()
}

// clocks holds the clock of each open test database, by *store.DB.
var clocks sync.Map

// SetClock puts db, a database of this package, on now: the rows the store
// stamps itself and the audit entries without a time of their own read it
// from then on. A test with a clock of its own calls it before it writes.
func SetClock(t testing.TB, db *store.DB, now func() time.Time) {
	t.Helper()
	c, ok := clocks.Load(db)
	if !ok {
		t.Fatal("dbtest.SetClock: the database was not made by dbtest")
	}
	clk := c.(*clock)
	clk.mu.Lock()
	defer clk.mu.Unlock()
	clk.set = now
}

// Each runs fn once per dialect, as subtests "postgres" and "sqlite", each
// with its own fresh migrated database. Without a reachable PostgreSQL the
// postgres subtest fails when CI=true and is skipped with a loud message
// otherwise.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("postgres", func(t *testing.T) { fn(t, NewPostgres(t)) })
	t.Run("sqlite", func(t *testing.T) { fn(t, NewSQLite(t)) })
}

// NewSQLite returns a migrated SQLite database in the test's temp directory.
func NewSQLite(t testing.TB) *store.DB {
	t.Helper()
	clk := &clock{set: time.Now}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), store.WithClock(clk.now))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	clocks.Store(db, clk)
	t.Cleanup(func() { clocks.Delete(db); db.Close() })
	migrate(t, db)
	return db
}

// NewPostgres creates a database with a random name, migrates it and drops it
// in t.Cleanup.
func NewPostgres(t testing.TB) *store.DB {
	t.Helper()
	dsn, drop := CreatePostgresDB(t)
	clk := &clock{set: time.Now}
	db, err := store.Open(context.Background(), dsn, store.WithClock(clk.now))
	if err != nil {
		t.Fatalf("open postgres test database: %v", err)
	}
	clocks.Store(db, clk)
	t.Cleanup(func() { clocks.Delete(db); db.Close(); drop() })
	migrate(t, db)
	return db
}

// CreatePostgresDB creates an empty database and returns its URL and a
// function that drops it. It fails or skips like Each when PostgreSQL is down.
func CreatePostgresDB(t testing.TB) (dsn string, drop func()) {
	t.Helper()
	admin, err := sql.Open("pgx", PostgresURL())
	if err != nil {
		t.Fatalf("open postgres admin connection: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		unreachable(t, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "bosang_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("create database %s: %v", name, err)
	}
	u, err := url.Parse(PostgresURL())
	if err != nil {
		t.Fatalf("parse BOSANG_TEST_POSTGRES_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String(), func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	}
}

func unreachable(t testing.TB, err error) {
	t.Helper()
	msg := "PostgreSQL is unreachable at BOSANG_TEST_POSTGRES_URL (" + redact(PostgresURL()) + "): " + err.Error()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip("!!! SKIPPING POSTGRES: " + msg)
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "unparsable URL"
	}
	return u.Redacted()
}

func migrate(t testing.TB, db *store.DB) {
	t.Helper()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
}
