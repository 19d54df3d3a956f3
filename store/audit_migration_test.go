package store_test

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/migrations"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestAuditChainSealedBeforeMigration12StillVerifies: a database at
// migration 10 holds a chain sealed the old way (plain SHA-256) and an
// unkeyed checkpoint; after migrating to the keyed chain it verifies
// as it is, and keyed entries continue it.
func TestAuditChainSealedBeforeMigration12StillVerifies(t *testing.T) {
	for _, dialect := range []string{"postgres", "sqlite"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			dsn, gd := filepath.Join(t.TempDir(), "old.db"), goose.DialectSQLite3
			if dialect == "postgres" {
				var drop func()
				dsn, drop = dbtest.CreatePostgresDB(t)
				t.Cleanup(drop)
				gd = goose.DialectPostgres
			}
			db, err := store.Open(ctx, dsn, store.WithClock(fixedClock))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			sqlDB, _ := db.SQL()
			dir, _ := fs.Sub(migrations.FS, dialect)
			p, err := goose.NewProvider(gd, sqlDB, dir)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.UpTo(ctx, 10); err != nil {
				t.Fatalf("migrate to 10: %v", err)
			}

			// The chain as Bosang sealed it before migration 12.
			prev := audit.Genesis
			at := time.Date(2024, 5, 1, 9, 0, 0, 123000, time.UTC)
			for i := range 4 {
				e := &models.AuditEntry{ID: "0190d5c1-0000-7000-8000-00000000000" + string(rune('1'+i)), At: at.Add(time.Duration(i) * time.Second),
					ActorRole: "system", Action: "outage.create", Entity: audit.EntityOutage, EntityID: "o1", Details: "{}"}
				h := audit.Hash(prev, e)
				_, err := sqlDB.ExecContext(ctx, pgPlaceholders(db, `INSERT INTO audit_entries (id, at, actor_role, ip, action, entity, entity_id, details, chain_pos, prev_hash, hash)
VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?)`), e.ID, e.At, e.ActorRole, e.Action, e.Entity, e.EntityID, e.Details, i+1, prev, h)
				if err != nil {
					t.Fatalf("insert entry %d: %v", i+1, err)
				}
				prev = h
			}
			if _, err := sqlDB.ExecContext(ctx, pgPlaceholders(db, "INSERT INTO audit_checkpoints (chain_pos, hash, at) VALUES (4, ?, ?)"), prev, at); err != nil {
				t.Fatal(err)
			}

			if _, err := db.Migrate(ctx); err != nil {
				t.Fatalf("migrate to the latest: %v", err)
			}
			svc := newAudit(db)
			if res := verify(t, svc); !res.OK || res.Entries != 4 || res.Head != prev {
				t.Fatalf("the old chain after the migration: got %+v, want ok with its 4 entries", res)
			}
			for i := range 2 {
				if _, err := svc.Append(ctx, nil, record(i)); err != nil {
					t.Fatal(err)
				}
			}
			if n, err := svc.Seal(ctx, 0); err != nil || n != 2 {
				t.Fatalf("seal on the old chain: got %d, %v; want 2", n, err)
			}
			if res := verify(t, svc); !res.OK || res.Entries != 6 {
				t.Fatalf("old and keyed entries: got %+v, want ok with 6", res)
			}
			chain, _ := db.Audit().AuditChain(ctx, 0, 10)
			if chain[3].HashAlg != audit.AlgSHA256 || chain[4].HashAlg != audit.AlgHMACSHA256 || chain[4].PrevHash != prev {
				t.Errorf("got algorithms %q then %q linked to %s, want the old plain ones continued by keyed ones", chain[3].HashAlg, chain[4].HashAlg, chain[4].PrevHash)
			}
		})
	}
}
