package store

import (
	"database/sql"
	"time"
)

// DefaultMaxConns is how many PostgreSQL connections one process opens at
// most unless told otherwise: four replicas stay at 80, under PostgreSQL's
// default max_connections of 100 with room for an operator and a migration.
const DefaultMaxConns = 20

// The pool's connection life. An idle connection is closed after
// connMaxIdleTime, so a quiet replica gives its server slots back; every
// connection is replaced after connMaxLifetime, so a pool spreads again
// over PgBouncer or a replica set after a failover or a restart.
const (
	connMaxIdleTime = 5 * time.Minute
	connMaxLifetime = 30 * time.Minute
)

// Option adjusts Open.
type Option func(*options)

type options struct {
	maxConns   int
	claimPages int
	now        func() time.Time
}

// WithClock makes now the store's clock: the time of the rows it stamps
// itself (created_at, updated_at) and of the audit entries whose use case
// carries no time of its own. Open refuses to run without one, so the wall
// clock is chosen where the program is put together, and tests pass theirs.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// WithClaimPageCache keeps up to n claim pages in memory on PostgreSQL (see
// ClaimStore.ClaimPage); n < 1 keeps none, and every page is read whole.
// Without it a process keeps DefaultClaimPageCache. SQLite ignores it.
func WithClaimPageCache(n int) Option {
	return func(o *options) { o.claimPages = n }
}

// WithMaxConns caps the PostgreSQL pool at n open connections (n < 1 keeps
// DefaultMaxConns). SQLite ignores it: it keeps one connection, its one
// writer.
func WithMaxConns(n int) Option {
	return func(o *options) {
		if n >= 1 {
			o.maxConns = n
		}
	}
}

// size applies the options to a PostgreSQL pool. Idle connections are kept
// up to the cap, so a busy replica does not reconnect between bursts.
func (o options) size(db *sql.DB) {
	db.SetMaxOpenConns(o.maxConns)
	db.SetMaxIdleConns(o.maxConns)
	db.SetConnMaxIdleTime(connMaxIdleTime)
	db.SetConnMaxLifetime(connMaxLifetime)
}

// MaxConns reports the cap on this handle's open connections.
func (db *DB) MaxConns() int {
	s, err := db.gorm.DB()
	if err != nil {
		return 0
	}
	return s.Stats().MaxOpenConnections
}
