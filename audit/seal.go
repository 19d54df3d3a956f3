package audit

import (
	"context"
	"errors"
	"fmt"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
)

// SealBatch is how many entries one sealing transaction links when the
// caller does not say: the entries are hashed in Go and written back in one
// statement, so a large batch costs one round trip, not one per entry.
const SealBatch = 10000

// Seal links up to limit (SealBatch when limit <= 0) committed, unsealed
// entries into the chain, in insertion order, and returns how many it
// sealed. Only one sealer runs at a
// time (the store's SealTx lock), so concurrent calls are safe. It refuses
// (apperr.ErrConflict) to extend a chain whose head is behind, or disagrees
// with, the latest checkpoint: that chain was truncated, and sealing on top
// of it would bury the evidence.
func (s *Service) Seal(ctx context.Context, limit int) (int, error) {
	if limit <= 0 {
		limit = SealBatch
	}
	return s.seal(ctx, sealPage{read: func(tx SealTx) ([]models.AuditEntry, error) { return tx.UnsealedEntries(ctx, limit) }})
}

// sealPage is one page for seal: how to read it, and what SealPending
// worked out ahead of the transaction.
type sealPage struct {
	read func(SealTx) ([]models.AuditEntry, error)
	// links, when set, are the page's links hashed ahead of the
	// transaction after a head that seal checks before using them.
	links []Link
	// linked, when set, receives the last link as soon as the page is
	// hashed, before it is written, so that the next page can be hashed
	// while this one is written.
	linked func(Link)
}

// seal links the entries of p, inside the sealer's transaction, after the
// chain's current head, and returns how many it sealed. Entries already
// sealed meanwhile make the store refuse the whole list (apperr.ErrNotFound)
// and nothing is sealed.
func (s *Service) seal(ctx context.Context, p sealPage) (int, error) {
	if s.key.entry == nil {
		return 0, errors.New("seal audit entries: no audit key")
	}
	sealed := 0
	err := s.store.SealTx(ctx, func(tx SealTx) error {
		sealed = 0
		pos, head, err := tx.ChainHead(ctx)
		if err != nil {
			return err
		}
		if err := s.behindCheckpoint(ctx, tx, pos, head); err != nil {
			return err
		}
		if pos == 0 {
			head = Genesis
		}
		list, err := p.read(tx)
		if err != nil {
			return err
		}
		links := p.links
		if len(links) != len(list) || len(links) > 0 && (links[0].Pos != pos+1 || links[0].PrevHash != head) {
			links = s.link(list, pos, head) // hashed ahead after another head
		}
		if len(links) > 0 && p.linked != nil {
			p.linked(links[len(links)-1])
		}
		if err := tx.SealEntries(ctx, links); err != nil {
			return err
		}
		sealed = len(links)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("seal audit entries: %w", err)
	}
	return sealed, nil
}

// link hashes list into the chain after position pos with hash head.
func (s *Service) link(list []models.AuditEntry, pos int64, head string) []Link {
	links := make([]Link, len(list))
	for i := range list {
		e := &list[i]
		pos++
		h := s.key.Entry(head, e)
		links[i] = Link{Seq: e.Seq, Pos: pos, PrevHash: head, Hash: h, Alg: AlgHMACSHA256}
		head = h
	}
	return links
}

// behindCheckpoint refuses a head behind, or disagreeing with, the latest
// checkpoint. A checkpoint whose signature does not verify was not written
// by Bosang and is left to Verify to report.
func (s *Service) behindCheckpoint(ctx context.Context, tx SealTx, pos int64, head string) error {
	cp, err := tx.LatestAuditCheckpoint(ctx)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		return nil
	case err != nil:
		return err
	case cp.Sig != "" && !s.key.Signed(*cp):
		return nil
	case pos < cp.ChainPos || pos == cp.ChainPos && head != cp.Hash:
		return fmt.Errorf("chain head %d does not reach or match checkpoint %d; run bosang audit verify: %w",
			pos, cp.ChainPos, apperr.ErrConflict)
	}
	return nil
}

// SealPending seals everything committed and unsealed, batch entries per
// transaction (SealBatch when batch <= 0), and returns how many it sealed;
// the server runs it as a periodic job on one instance at a time, the
// audit seal command at the command line.
//
// The chain is sequential, but reading is not: while one page is hashed
// and written in the sealer's transaction, the next page (the unsealed
// entries after the last seq of the current one) is read on another
// connection. Each page is still sealed in its own transaction that
// re-reads the head and refuses entries sealed meanwhile, so a concurrent
// sealer costs a retry, never a fork. An entry that commits late, with a
// seq below a page already read, is left for the final pages, which read
// from the start of the unsealed entries as Seal does.
func (s *Service) SealPending(ctx context.Context, batch int) (int, error) {
	if batch <= 0 {
		batch = SealBatch
	}
	total := 0
	type page struct {
		list  []models.AuditEntry
		links []Link
		err   error
	}
	// prefetch reads the page after seq after and, once the page before it
	// is hashed (prev delivers its last link), hashes it: both while the
	// page before is written.
	prefetch := func(after int64, prev <-chan Link) chan page {
		ch := make(chan page, 1)
		go func() {
			list, err := s.store.UnsealedAfter(ctx, after, batch)
			p := page{list: list, err: err}
			if last, ok := <-prev; ok && err == nil {
				p.links = s.link(list, last.Pos, last.Hash)
			}
			ch <- p
		}()
		return ch
	}
	closed := make(chan Link)
	close(closed)
	next := prefetch(0, closed)
	for {
		p := <-next
		if p.err != nil || len(p.list) < batch {
			break // the rest, and a failed read, go through Seal below
		}
		last := make(chan Link, 1)
		next = prefetch(p.list[len(p.list)-1].Seq, last)
		n, err := s.seal(ctx, sealPage{
			read:  func(SealTx) ([]models.AuditEntry, error) { return p.list, nil },
			links: p.links,
			linked: func(l Link) {
				select {
				case last <- l:
				default: // a retried transaction: the check in seal catches a stale hash
				}
			},
		})
		close(last) // a page that failed before it was hashed sends nothing
		total += n
		if err != nil {
			<-next
			break // sealed by someone else meanwhile, or failed: Seal below retries or reports it
		}
	}
	for {
		n, err := s.Seal(ctx, batch)
		total += n
		if err != nil || n < batch {
			return total, err
		}
	}
}
