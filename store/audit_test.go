package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// testKey is the audit key of these tests; the database never sees it.
var testKey = func() audit.Key {
	k, err := audit.NewKey([]byte("bosang audit test key, 32 bytes!"))
	if err != nil {
		panic(err)
	}
	return k
}()

func newAudit(db *store.DB) *audit.Service {
	return audit.NewService(db.Audit(), testKey, fixedClock, func() string { return uuid.Must(uuid.NewV7()).String() })
}

func record(i int) audit.Record {
	return audit.Record{ActorID: uuid.NewString(), ActorRole: "reviewer", IP: "203.0.113.7", Action: "claim.view",
		Entity: audit.EntityClaim, EntityID: fmt.Sprintf("claim-%02d", i), SubjectID: uuid.NewString(),
		Details: map[string]any{"i": i, "fields": []string{"payout_account"}}}
}

// sealedChain appends n entries one by one, seals them and returns them in
// chain order.
func sealedChain(t *testing.T, db *store.DB, svc *audit.Service, n int) []models.AuditEntry {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		if _, err := svc.Append(ctx, nil, record(i)); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := svc.Seal(ctx, 0); err != nil || got != n {
		t.Fatalf("seal: got %d, %v; want %d", got, err, n)
	}
	chain, err := db.Audit().AuditChain(ctx, 0, n+1)
	if err != nil || len(chain) != n {
		t.Fatalf("read chain: got %d entries, %v; want %d", len(chain), err, n)
	}
	return chain
}

func verify(t *testing.T, svc *audit.Service) audit.Result {
	t.Helper()
	res, err := svc.Verify(context.Background())
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return res
}

// tamper runs statements with the append-only triggers out of the way, as an
// attacker with the database owner's rights could.
func tamper(t *testing.T, db *store.DB, stmts ...string) {
	t.Helper()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	pre := []string{"ALTER TABLE audit_entries DISABLE TRIGGER USER", "ALTER TABLE audit_checkpoints DISABLE TRIGGER USER"}
	if db.Dialect() == store.SQLite {
		pre = []string{"DROP TRIGGER IF EXISTS audit_entries_no_delete", "DROP TRIGGER IF EXISTS audit_entries_seal_once",
			"DROP TRIGGER IF EXISTS audit_checkpoints_no_delete", "DROP TRIGGER IF EXISTS audit_checkpoints_no_update"}
	}
	for _, q := range append(pre, stmts...) {
		if _, err := sqlDB.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestAuditConcurrentAppendSealVerify(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newAudit(db)
		var wg sync.WaitGroup
		errs := make(chan error, 50)
		for g := range 10 {
			wg.Go(func() {
				for i := range 5 {
					if _, err := svc.Append(ctx, nil, record(g*5+i)); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("append: %v", err)
		}
		if res := verify(t, svc); !res.OK || res.Entries != 0 || res.Unsealed != 50 || res.Head != audit.Genesis {
			t.Errorf("before sealing: got %+v, want ok with 0 entries and 50 unsealed", res)
		}
		if n, err := svc.Seal(ctx, 0); err != nil || n != 50 {
			t.Fatalf("seal: got %d, %v; want 50", n, err)
		}
		res := verify(t, svc)
		if !res.OK || res.Entries != 50 || res.Unsealed != 0 || res.FirstBroken != nil {
			t.Fatalf("got %+v, want ok with 50 entries", res)
		}
		chain, _ := db.Audit().AuditChain(ctx, 0, 100)
		if last := chain[len(chain)-1]; res.Head != last.Hash || *last.ChainPos != 50 {
			t.Errorf("head %s, want the hash of position 50 %s", res.Head, last.Hash)
		}
		if n, err := svc.Seal(ctx, 0); err != nil || n != 0 {
			t.Errorf("sealing again: got %d, %v; want 0", n, err)
		}
	})
}

func TestAuditTamperDetected(t *testing.T) {
	const n = 20
	cases := []struct {
		name string
		// attack tampers with the chain and returns the entry Verify must
		// name and the reason's prefix; empty reason means intact.
		attack func(t *testing.T, db *store.DB, svc *audit.Service, chain []models.AuditEntry) (pos int64, id, reason string)
	}{
		{"untouched", func(t *testing.T, db *store.DB, svc *audit.Service, chain []models.AuditEntry) (int64, string, string) {
			return 0, "", ""
		}},
		{"edited action", func(t *testing.T, db *store.DB, svc *audit.Service, chain []models.AuditEntry) (int64, string, string) {
			tamper(t, db, "UPDATE audit_entries SET action = 'claim.decide' WHERE chain_pos = 7")
			return 7, chain[6].ID, "hash mismatch"
		}},
		{"edited and rehashed with plain SHA-256", func(t *testing.T, db *store.DB, svc *audit.Service, chain []models.AuditEntry) (int64, string, string) {
			e := chain[6]
			e.IP = "198.51.100.1"
			tamper(t, db, fmt.Sprintf("UPDATE audit_entries SET ip = '198.51.100.1', hash = '%s' WHERE chain_pos = 7", audit.Hash(e.PrevHash, &e)))
			return 7, chain[6].ID, "hash mismatch"
		}},
		{"edited and rehashed with plain SHA-256, marked unkeyed", func(t *testing.T, db *store.DB, svc *audit.Service, chain []models.AuditEntry) (int64, string, string) {
			e := chain[6]
			e.IP, e.HashAlg = "198.51.100.1", audit.AlgSHA256
			tamper(t, db, fmt.Sprintf("UPDATE audit_entries SET ip = '198.51.100.1', hash_alg = '', hash = '%s' WHERE chain_pos = 7", audit.Hash(e.PrevHash, &e)))
			return 7, chain[6].ID, "unkeyed"
		}},
		{"edited and rehashed by someone holding the key", func(t *testing.T, db *store.DB, svc *audit.Service, chain []models.AuditEntry) (int64, string, string) {
			e := chain[6]
			e.IP = "198.51.100.1"
			tamper(t, db, fmt.Sprintf("UPDATE audit_entries SET ip = '198.51.100.1', hash = '%s' WHERE chain_pos = 7", testKey.Entry(e.PrevHash, &e)))
			return 8, chain[7].ID, "broken link"
		}},
		{"deleted middle entry", func(t *testing.T, db *store.DB, svc *audit.Service, chain []models.AuditEntry) (int64, string, string) {
			tamper(t, db, "DELETE FROM audit_entries WHERE chain_pos = 10")
			return 11, chain[10].ID, "gap"
		}},
		{"deleted and renumbered", func(t *testing.T, db *store.DB, svc *audit.Service, chain []models.AuditEntry) (int64, string, string) {
			tamper(t, db, "DELETE FROM audit_entries WHERE chain_pos = 10",
				"UPDATE audit_entries SET chain_pos = chain_pos + 1000 WHERE chain_pos > 10",
				"UPDATE audit_entries SET chain_pos = chain_pos - 1001 WHERE chain_pos > 1000")
			return 10, chain[10].ID, "broken link"
		}},
		{"reordered", func(t *testing.T, db *store.DB, svc *audit.Service, chain []models.AuditEntry) (int64, string, string) {
			tamper(t, db, "UPDATE audit_entries SET chain_pos = 1000 WHERE chain_pos = 5",
				"UPDATE audit_entries SET chain_pos = 5 WHERE chain_pos = 6",
				"UPDATE audit_entries SET chain_pos = 6 WHERE chain_pos = 1000")
			return 5, chain[5].ID, "broken link"
		}},
		{"truncated after a checkpoint", func(t *testing.T, db *store.DB, svc *audit.Service, chain []models.AuditEntry) (int64, string, string) {
			if _, err := svc.Checkpoint(context.Background()); err != nil {
				t.Fatal(err)
			}
			tamper(t, db, fmt.Sprintf("DELETE FROM audit_entries WHERE chain_pos > %d", n-5))
			return n - 4, "", "truncated"
		}},
		{"truncated then extended", func(t *testing.T, db *store.DB, svc *audit.Service, chain []models.AuditEntry) (int64, string, string) {
			ctx := context.Background()
			if _, err := svc.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
			tamper(t, db, fmt.Sprintf("DELETE FROM audit_entries WHERE chain_pos > %d", n-5))
			for i := range 6 {
				if _, err := svc.Append(ctx, nil, record(100+i)); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := svc.Seal(ctx, 0); !errors.Is(err, apperr.ErrConflict) {
				t.Fatalf("sealing on a truncated chain: got %v, want ErrConflict", err)
			}
			return n - 4, "", "truncated"
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *store.DB) {
				svc := newAudit(db)
				chain := sealedChain(t, db, svc, n)
				pos, id, reason := tc.attack(t, db, svc, chain)
				res := verify(t, svc)
				if reason == "" {
					if !res.OK || res.Entries != n || res.FirstBroken != nil || res.Head != chain[n-1].Hash {
						t.Fatalf("got %+v, want ok with %d entries", res, n)
					}
					return
				}
				b := res.FirstBroken
				if res.OK || b == nil {
					t.Fatalf("got %+v, want broken at %d (%s)", res, pos, reason)
				}
				if b.ChainPos != pos || b.ID != id || !strings.HasPrefix(b.Reason, reason) {
					t.Errorf("first broken: got %d %q %q, want %d %q %q…", b.ChainPos, b.ID, b.Reason, pos, id, reason)
				}
				intact := pos - 1
				if reason == "gap" {
					intact-- // the deleted entry is not counted
				}
				if res.Entries != intact {
					t.Errorf("entries intact: got %d, want %d", res.Entries, intact)
				}
				if _, err := svc.Checkpoint(context.Background()); !errors.Is(err, apperr.ErrConflict) {
					t.Errorf("checkpoint of a broken chain: got %v, want ErrConflict", err)
				}
			})
		})
	}
}

// TestAuditExportedCheckpoints shows why checkpoints leave the database: an
// attacker who truncates the chain and its checkpoint table passes Verify,
// but not a verification against the exported file.
func TestAuditExportedCheckpoints(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newAudit(db)
		sealedChain(t, db, svc, 10)
		cp, err := svc.Checkpoint(ctx)
		if err != nil || cp.ChainPos != 10 {
			t.Fatalf("checkpoint: got %+v, %v; want position 10", cp, err)
		}
		if again, err := svc.Checkpoint(ctx); err != nil || again.Hash != cp.Hash {
			t.Fatalf("checkpoint again: got %+v, %v; want the same head", again, err)
		}
		var file bytes.Buffer
		if err := svc.ExportCheckpoints(ctx, &file); err != nil {
			t.Fatal(err)
		}
		if lines := strings.Count(file.String(), "\n"); lines != 1 || !strings.Contains(file.String(), cp.Hash) {
			t.Fatalf("export: got %q, want one line with the head", file.String())
		}
		tamper(t, db, "DELETE FROM audit_entries WHERE chain_pos > 7", "DELETE FROM audit_checkpoints")
		if res := verify(t, svc); !res.OK {
			t.Fatalf("without the file: got %+v, want the truncation to pass unnoticed", res)
		}
		cps, err := audit.ReadCheckpoints(&file)
		if err != nil {
			t.Fatal(err)
		}
		res, err := svc.VerifyWith(ctx, cps)
		if err != nil || res.OK || res.FirstBroken.ChainPos != 8 || !strings.HasPrefix(res.FirstBroken.Reason, "truncated") {
			t.Fatalf("with the file: got %+v, %v; want truncated at 8", res, err)
		}
	})
}

func TestAuditAppendOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		svc := newAudit(db)
		sealedChain(t, db, svc, 3)
		if _, err := svc.Append(context.Background(), nil, record(9)); err != nil {
			t.Fatal(err)
		}
		sqlDB, _ := db.SQL()
		for _, q := range []string{
			"DELETE FROM audit_entries WHERE chain_pos = 2",
			"UPDATE audit_entries SET action = 'claim.decide' WHERE chain_pos = 2",
			"UPDATE audit_entries SET action = 'claim.decide' WHERE chain_pos IS NULL",
		} {
			if _, err := sqlDB.ExecContext(context.Background(), q); err == nil {
				t.Errorf("%s: got no error, want the database to refuse", q)
			}
		}
	})
}

func TestAuditRolledBackAppendNeverAppears(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newAudit(db)
		boom := errors.New("the change failed")
		err := db.InTx(ctx, func(tx *store.DB) error {
			if _, err := svc.Append(ctx, tx.Audit(), record(1)); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx: got %v, want the callback's error", err)
		}
		if n, err := svc.Seal(ctx, 0); err != nil || n != 0 {
			t.Errorf("seal: got %d, %v; want 0", n, err)
		}
		list, _, err := svc.List(ctx, audit.Filter{})
		if err != nil || len(list) != 0 {
			t.Errorf("list: got %d entries, %v; want none", len(list), err)
		}
		if res := verify(t, svc); !res.OK || res.Entries != 0 || res.Unsealed != 0 {
			t.Errorf("verify: got %+v, want ok and empty", res)
		}
	})
}

// TestAuditLateCommit: B is appended first (lower seq) in a transaction left
// open while A commits and is sealed; B, committed afterwards, takes the next
// position. SQLite has one connection, so there the steps run in turn.
func TestAuditLateCommit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newAudit(db)
		var b *models.AuditEntry
		appendB := func(tx *store.DB) error {
			var err error
			b, err = svc.Append(ctx, tx.Audit(), record(2))
			return err
		}
		if db.Dialect() == store.Postgres {
			began, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
			go func() {
				done <- db.InTx(ctx, func(tx *store.DB) error {
					if err := appendB(tx); err != nil {
						return err
					}
					close(began)
					<-release
					return nil
				})
			}()
			select {
			case <-began:
			case err := <-done:
				t.Fatalf("transaction B: %v", err)
			}
			a, err := svc.Append(ctx, nil, record(1))
			if err != nil {
				t.Fatal(err)
			}
			if a.Seq <= b.Seq {
				t.Fatalf("seq: A %d, B %d; want B first", a.Seq, b.Seq)
			}
			if n, err := svc.Seal(ctx, 0); err != nil || n != 1 {
				t.Fatalf("seal while B is open: got %d, %v; want 1 (A)", n, err)
			}
			close(release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		} else {
			if _, err := svc.Append(ctx, nil, record(1)); err != nil {
				t.Fatal(err)
			}
			if n, err := svc.Seal(ctx, 0); err != nil || n != 1 {
				t.Fatalf("seal A: got %d, %v; want 1", n, err)
			}
			if err := db.InTx(ctx, appendB); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := svc.Seal(ctx, 0); err != nil || n != 1 {
			t.Fatalf("seal B: got %d, %v; want 1", n, err)
		}
		chain, _ := db.Audit().AuditChain(ctx, 0, 10)
		if len(chain) != 2 || chain[1].ID != b.ID {
			t.Errorf("chain: got %d entries, last %v; want B at position 2", len(chain), chain)
		}
		if res := verify(t, svc); !res.OK || res.Entries != 2 || res.Unsealed != 0 {
			t.Errorf("verify: got %+v, want ok with 2 entries", res)
		}
	})
}

func TestAuditList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newAudit(db)
		for i := range 5 {
			r := record(i)
			r.EntityID = "claim-x"
			if _, err := svc.Append(ctx, nil, r); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Append(ctx, nil, record(i)); err != nil {
				t.Fatal(err)
			}
		}
		var seen []string
		var next int64
		for page := 0; ; page++ {
			list, cursor, err := svc.List(ctx, audit.Filter{Entity: "claim", EntityID: "claim-x", Limit: 2, Before: next})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range list {
				seen = append(seen, e.ID)
				if e.EntityID != "claim-x" {
					t.Errorf("listed %s for entity id claim-x", e.EntityID)
				}
			}
			if next = cursor; next == 0 || page > 5 {
				break
			}
		}
		if len(seen) != 5 {
			t.Errorf("paged through %d entries, want 5", len(seen))
		}
		if _, _, err := svc.List(ctx, audit.Filter{EntityID: "claim-x"}); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("id without entity: got %v, want ErrInvalid", err)
		}
	})
}

func TestAuditConcurrentSealers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newAudit(db)
		for i := range 60 {
			if _, err := svc.Append(ctx, nil, record(i)); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Go(func() {
				for {
					n, err := svc.Seal(ctx, 7)
					if err != nil {
						errs <- err
						return
					}
					if n == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("seal: %v", err)
		}
		if res := verify(t, svc); !res.OK || res.Entries != 60 {
			t.Errorf("got %+v, want ok with 60 entries", res)
		}
	})
}
