package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestPoolSize pins the connection cap per process (BOSANG_DB_MAX_CONNS):
// 32 a process exceeded PostgreSQL's default 100 connections at four
// replicas. PostgreSQL takes the configured cap or DefaultMaxConns; SQLite
// keeps its one writer whatever is asked.
func TestPoolSize(t *testing.T) {
	dsn, drop := dbtest.CreatePostgresDB(t)
	t.Cleanup(drop)
	sqlitePath := filepath.Join(t.TempDir(), "pool.db")
	for _, tt := range []struct {
		name string
		dsn  string
		opts []store.Option
		want int
	}{
		{"postgres default stays under 100 at four replicas", dsn, []store.Option{store.WithClock(fixedClock)}, store.DefaultMaxConns},
		{"postgres configured", dsn, []store.Option{store.WithClock(fixedClock), store.WithMaxConns(7)}, 7},
		{"postgres zero keeps the default", dsn, []store.Option{store.WithClock(fixedClock), store.WithMaxConns(0)}, store.DefaultMaxConns},
		{"sqlite keeps one writer", sqlitePath, []store.Option{store.WithClock(fixedClock), store.WithMaxConns(7)}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db, err := store.Open(context.Background(), tt.dsn, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if got := db.MaxConns(); got != tt.want {
				t.Errorf("max open connections: got %d, want %d", got, tt.want)
			}
		})
	}
	// Headroom: PostgreSQL's 3 superuser slots, a migration, an operator.
	if 4*store.DefaultMaxConns+10 > 100 {
		t.Errorf("four replicas at the default open %d connections; PostgreSQL's default max_connections is 100", 4*store.DefaultMaxConns)
	}
}

// TestOpenWithoutClock: a store opened without a clock would stamp rows with
// whatever time it found; Open refuses instead.
func TestOpenWithoutClock(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "noclock.db"))
	if err == nil {
		db.Close()
		t.Fatal("Open without WithClock: got a database, want an error")
	}
}
