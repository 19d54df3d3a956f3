package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

func appendN(t *testing.T, svc *audit.Service, n int) {
	t.Helper()
	for i := range n {
		if _, err := svc.Append(context.Background(), nil, record(i)); err != nil {
			t.Fatal(err)
		}
	}
}

// SealPending reads the next page while it writes the current one; the
// chain must still follow insertion order and verify, over several pages
// and a short last one.
func TestAuditSealPendingPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newAudit(db)
		appendN(t, svc, 25)
		if n, err := svc.SealPending(ctx, 10); err != nil || n != 25 {
			t.Fatalf("seal pending: got %d, %v; want 25", n, err)
		}
		chain, err := db.Audit().AuditChain(ctx, 0, 100)
		if err != nil || len(chain) != 25 {
			t.Fatalf("chain: got %d entries, %v; want 25", len(chain), err)
		}
		for i := 1; i < len(chain); i++ {
			if chain[i].Seq <= chain[i-1].Seq || chain[i].PrevHash != chain[i-1].Hash {
				t.Fatalf("position %d: seq %d after %d, prev_hash linked %v; want insertion order, linked",
					*chain[i].ChainPos, chain[i].Seq, chain[i-1].Seq, chain[i].PrevHash == chain[i-1].Hash)
			}
		}
		if res := verify(t, svc); !res.OK || res.Entries != 25 || res.Unsealed != 0 {
			t.Errorf("got %+v, want ok with 25 entries", res)
		}
		if n, err := svc.SealPending(ctx, 10); err != nil || n != 0 {
			t.Errorf("sealing again: got %d, %v; want 0", n, err)
		}
	})
}

// Concurrent pipelined sealers read pages another one seals meanwhile: the
// store refuses those pages, and the chain still verifies with every entry
// sealed once.
func TestAuditConcurrentSealPending(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newAudit(db)
		appendN(t, svc, 60)
		var (
			wg    sync.WaitGroup
			total atomic.Int64
		)
		errs := make(chan error, 4)
		for range 4 {
			wg.Go(func() {
				n, err := svc.SealPending(ctx, 7)
				total.Add(int64(n))
				if err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("seal pending: %v", err)
		}
		if got := total.Load(); got != 60 {
			t.Errorf("sealed %d in all, want 60", got)
		}
		if res := verify(t, svc); !res.OK || res.Entries != 60 || res.Unsealed != 0 {
			t.Errorf("got %+v, want ok with 60 entries", res)
		}
	})
}

// SealEntries seals a whole list or nothing: one entry of it already
// sealed refuses the list.
func TestAuditSealEntriesAllOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newAudit(db)
		appendN(t, svc, 3)
		if n, err := svc.Seal(ctx, 1); err != nil || n != 1 {
			t.Fatalf("seal one: got %d, %v", n, err)
		}
		head, _ := db.Audit().AuditChain(ctx, 0, 1)
		list, err := db.Audit().UnsealedAfter(ctx, 0, 10)
		if err != nil || len(list) != 2 {
			t.Fatalf("unsealed: got %d, %v; want 2", len(list), err)
		}
		err = db.Audit().SealTx(ctx, func(tx audit.SealTx) error {
			links := []audit.Link{{Seq: head[0].Seq, Pos: 2}, {Seq: list[0].Seq, Pos: 3}, {Seq: list[1].Seq, Pos: 4}}
			for i := range links {
				links[i].PrevHash, links[i].Hash, links[i].Alg = audit.Genesis, audit.Genesis, audit.AlgHMACSHA256
			}
			return tx.SealEntries(ctx, links)
		})
		if !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("sealing a list with a sealed entry: got %v, want ErrNotFound", err)
		}
		if n, err := db.Audit().CountUnsealed(ctx); err != nil || n != 2 {
			t.Errorf("unsealed after the refusal: got %d, %v; want 2", n, err)
		}
		if res := verify(t, svc); !res.OK || res.Entries != 1 {
			t.Errorf("got %+v, want ok with 1 entry", res)
		}
	})
}
