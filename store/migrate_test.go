package store_test

import (
	"context"
	"database/sql"
	"io/fs"
	"maps"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pressly/goose/v3/lock"

	"github.com/bosang/bosang/migrations"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestConcurrentMigrateOnEmptyPostgres starts like four portal instances at
// once on one empty PostgreSQL database: each opens its own pool and
// migrates. Without goose's session lock they raced (two ran the first
// migration at once and one failed on a table the other had just created);
// under it every start succeeds, each migration is applied exactly once,
// and the schema is the one a single start makes.
func TestConcurrentMigrateOnEmptyPostgres(t *testing.T) {
	const instances = 4
	dsn, drop := dbtest.CreatePostgresDB(t)
	t.Cleanup(drop)
	ctx := context.Background()
	dbs := make([]*store.DB, instances)
	for i := range dbs {
		db, err := store.Open(ctx, dsn, store.WithClock(fixedClock))
		if err != nil {
			t.Fatalf("open instance %d: %v", i, err)
		}
		// Registered after drop, so it runs before it.
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}

	start := make(chan struct{})
	var wg sync.WaitGroup
	applied := make([]int, instances)
	errs := make([]error, instances)
	for i, db := range dbs {
		wg.Go(func() {
			<-start
			applied[i], errs[i] = db.Migrate(ctx)
		})
	}
	close(start)
	wg.Wait()

	total := 0
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: migrate: %v", i, err)
		}
		total += applied[i]
	}
	want := migrationFiles(t, "postgres")
	if total != want {
		t.Errorf("migrations applied over all instances: got %d, want %d (each once)", total, want)
	}
	assertAppliedOnce(t, dbs[0], want)
	for i, db := range dbs {
		if err := db.Ready(ctx); err != nil {
			t.Errorf("instance %d: ready after the concurrent start: %v", i, err)
		}
	}
	got, ref := schema(t, dbs[0]), schema(t, dbtest.NewPostgres(t))
	if len(ref) == 0 {
		t.Fatal("the reference schema has no tables")
	}
	if !maps.EqualFunc(got, ref, slices.Equal[[]string]) {
		t.Errorf("schema after a concurrent start differs from a single start:\n got %v\nwant %v", got, ref)
	}
}

// TestMigrateTwiceIsANoOp pins that a second start, on either database,
// applies nothing and leaves the database ready.
func TestMigrateTwiceIsANoOp(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		n, err := db.Migrate(context.Background())
		if err != nil || n != 0 {
			t.Fatalf("second migrate: got %d, %v; want 0, nil", n, err)
		}
		if err := db.Ready(context.Background()); err != nil {
			t.Errorf("ready: %v", err)
		}
	})
}

// migrationFiles counts the dialect's embedded migrations.
func migrationFiles(t *testing.T, dir string) int {
	t.Helper()
	files, err := fs.Glob(migrations.FS, dir+"/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("list %s migrations: %d, %v", dir, len(files), err)
	}
	return len(files)
}

// assertAppliedOnce checks goose's version table: want versions, each
// recorded once.
func assertAppliedOnce(t *testing.T, db *store.DB, want int) {
	t.Helper()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	var versions, rows int
	err = sqlDB.QueryRow(`SELECT COUNT(DISTINCT version_id), COUNT(*) FROM goose_db_version WHERE version_id > 0`).Scan(&versions, &rows)
	if err != nil {
		t.Fatal(err)
	}
	if versions != want || rows != want {
		t.Errorf("goose_db_version: %d versions in %d rows, want %d in %d", versions, rows, want, want)
	}
}

// schema is every public table's columns and indexes, sorted.
func schema(t *testing.T, db *store.DB) map[string][]string {
	t.Helper()
	out := columns(t, db)
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := sqlDB.Query(`SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE 'goose_%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, index string
		if err := rows.Scan(&table, &index); err != nil {
			t.Fatal(err)
		}
		out[table] = append(out[table], "index "+index)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

// TestMigrateWaitsForTheMigrationLock pins the lock itself, which the
// concurrent start above only catches when the race happens: while another
// session holds goose's advisory lock, Migrate tries for it and applies
// nothing; once it is released, Migrate applies everything.
func TestMigrateWaitsForTheMigrationLock(t *testing.T) {
	dsn, drop := dbtest.CreatePostgresDB(t)
	t.Cleanup(drop)
	ctx := context.Background()
	other, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	holder, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := holder.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lock.DefaultLockID); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, dsn, store.WithClock(fixedClock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := db.Migrate(ctx)
		done <- result{n, err}
	}()

	// Wait until Migrate has asked for the lock and been refused.
	// A timer, not a clock reading: it bounds how long the test waits on a
	// busy machine.
	wait, stop := context.WithTimeout(ctx, 2*time.Minute)
	defer stop()
	for {
		var asked bool
		err := other.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%pg_try_advisory_lock%')`).Scan(&asked)
		if err != nil {
			t.Fatal(err)
		}
		if asked {
			break
		}
		select {
		case r := <-done:
			t.Fatalf("Migrate returned %d, %v while another session held the migration lock", r.n, r.err)
		default:
		}
		if wait.Err() != nil {
			t.Fatal("Migrate never asked for the migration lock")
		}
		runtime.Gosched()
	}
	// goose creates its version table before it asks for the lock (that
	// step retries on a concurrent creation), but no migration runs.
	var tables int
	err = other.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.tables
		WHERE table_schema = 'public' AND table_name <> 'goose_db_version'`).Scan(&tables)
	if err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("%d tables exist while another session holds the lock: Migrate went ahead without it", tables)
	}
	select {
	case r := <-done:
		t.Fatalf("Migrate returned %d, %v while another session held the migration lock", r.n, r.err)
	default:
	}

	if _, err := holder.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", lock.DefaultLockID); err != nil {
		t.Fatal(err)
	}
	holder.Close()
	r := <-done
	if want := migrationFiles(t, "postgres"); r.err != nil || r.n != want {
		t.Fatalf("Migrate after the lock was released: got %d, %v; want %d, nil", r.n, r.err, want)
	}
}
