package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/bosang/bosang/apperr"
)

// Dialect names the database engine behind a DB.
type Dialect string

// The supported dialects.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DB is Bosang's database handle. Inside InTx, the DB passed to the callback
// runs every call in that transaction.
type DB struct {
	gorm    *gorm.DB
	dialect Dialect
	now     func() time.Time // see WithClock
	jobs    JobInserter      // see SetJobs
	numbers *claimNumbers
	filings *filingGroups   // see createClaimGrouped
	users   *userHooks      // see OnUserChange
	pages   *claimPageCache // PostgreSQL's claim pages; nil without (see ClaimPage)
	// changed collects, inside InTx, the users changed in the transaction.
	changed *[]string
}

// Open connects to dsn: a postgres:// URL, or a file path for SQLite (the
// directory is created). SQLite runs in WAL mode with a busy timeout and
// foreign keys on, and all writes go through one connection. A PostgreSQL
// pool holds DefaultMaxConns connections at most unless WithMaxConns says
// otherwise (see pool.go). The clock is required: without WithClock, Open
// returns an error.
func Open(ctx context.Context, dsn string, opts ...Option) (*DB, error) {
	o := options{maxConns: DefaultMaxConns, claimPages: DefaultClaimPageCache}
	for _, opt := range opts {
		opt(&o)
	}
	if o.now == nil {
		return nil, errors.New("open database: no clock (store.WithClock)")
	}
	now := o.now
	cfg := &gorm.Config{Logger: logger.Discard, NowFunc: func() time.Time { return now().UTC() }, TranslateError: true}
	var (
		g       *gorm.DB
		err     error
		dialect = SQLite
	)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		dialect = Postgres
		g, err = gorm.Open(postgres.Open(dsn), cfg)
	} else {
		if dir := filepath.Dir(dsn); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("create database directory: %w", err)
			}
		}
		g, err = gorm.Open(sqlite.Open(sqliteDSN(dsn)), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	if dialect == SQLite {
		// SQLite allows one writer; one connection makes writers queue in Go
		// instead of failing with SQLITE_BUSY.
		sqlDB.SetMaxOpenConns(1)
	} else {
		o.size(sqlDB)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database: %w", dialect, err)
	}
	db := &DB{gorm: g, dialect: dialect, now: now, numbers: &claimNumbers{}, filings: &filingGroups{}, users: &userHooks{}}
	if dialect == Postgres {
		db.pages = newClaimPageCache(o.claimPages, now)
	}
	return db, nil
}

func sqliteDSN(path string) string {
	return "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

// Dialect reports the engine in use.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQL returns the underlying *sql.DB, for migrations and health checks.
func (db *DB) SQL() (*sql.DB, error) { return db.gorm.DB() }

// Close closes the connection pool.
func (db *DB) Close() error {
	s, err := db.gorm.DB()
	if err != nil {
		return err
	}
	return s.Close()
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	s, err := db.gorm.DB()
	if err != nil {
		return err
	}
	return s.PingContext(ctx)
}

// InTx runs fn in one transaction: committed if fn returns nil, rolled back
// otherwise (and on panic). Calls on the DB given to fn join the transaction.
func (db *DB) InTx(ctx context.Context, fn func(tx *DB) error) error {
	outer, changed := db.changed == nil, db.changed
	if outer { // the outermost transaction reports its users after the commit
		changed = new([]string)
	}
	err := db.gorm.WithContext(ctx).Transaction(func(g *gorm.DB) error {
		return fn(&DB{gorm: g, dialect: db.dialect, now: db.now, jobs: db.jobs, numbers: db.numbers, filings: db.filings, users: db.users, pages: db.pages, changed: changed})
	})
	if outer && err == nil {
		reportChanged(db, *changed)
	}
	if err != nil && !errors.Is(err, apperr.ErrUnavailable) && unreachable(err) {
		return fmt.Errorf("transaction: %v: %w", err, apperr.ErrUnavailable)
	}
	return err
}

func (db *DB) with(ctx context.Context) *gorm.DB { return db.gorm.WithContext(ctx) }

// ErrNoTx is the answer of a store method that writes several rows when it
// is called outside InTx: the use case owns its transaction (the domain
// runs it in one InTx with its audit record); the store only persists.
var ErrNoTx = errors.New("store: this write runs only inside InTx")

// needTx refuses a write of several rows outside the caller's transaction.
func (db *DB) needTx(what string) error {
	if db.changed == nil {
		return fmt.Errorf("%s: %w", what, ErrNoTx)
	}
	return nil
}

// translate maps driver errors onto the apperr categories, keeping the
// original text for logs.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	var pg *pgconn.PgError
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("%s: %w", what, apperr.ErrNotFound)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("%s: %v: %w", what, err, apperr.ErrConflict)
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return fmt.Errorf("%s: %v: %w", what, err, apperr.ErrInvalid)
	case errors.As(err, &pg) && (pg.Code == "40001" || pg.Code == "40P01"):
		return fmt.Errorf("%s: %v: %w", what, err, apperr.ErrConflict)
	case errors.As(err, &pg) && (pg.Code == "23514" || refusedValue[pg.Code]):
		return fmt.Errorf("%s: %v: %w", what, err, apperr.ErrInvalid)
	case strings.Contains(err.Error(), "CHECK constraint failed"):
		return fmt.Errorf("%s: %v: %w", what, err, apperr.ErrInvalid)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return fmt.Errorf("%s: %w", what, err)
	case unreachable(err):
		return fmt.Errorf("%s: %v: %w", what, err, apperr.ErrUnavailable)
	}
	slog.Debug("untranslated database error", "what", what, "err", err)
	return fmt.Errorf("%s: %w", what, err)
}

// refusedValue are the SQLSTATEs of PostgreSQL refusing a value the client
// sent, which SQLite would have stored or compared: the input is at fault,
// so they are apperr.ErrInvalid, never a 500. Handlers check text and ids
// first (package input) so both databases answer alike; this is the net.
var refusedValue = map[string]bool{
	"22021": true, // character_not_in_repertoire: a NUL byte or invalid UTF-8
	"22P02": true, // invalid_text_representation: "abc" as a uuid
}

// unreachable reports errors that mean the database is down or restarting:
// the request should fail fast with 503 and be retried, not look like a bug.
func unreachable(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "57P01" || pg.Code == "57P02" || pg.Code == "57P03" // shutting down, crashed, starting up
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	if errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "connection refused") || strings.Contains(msg, "unexpected EOF") ||
		strings.Contains(msg, "conn closed") || strings.Contains(msg, "broken pipe")
}
