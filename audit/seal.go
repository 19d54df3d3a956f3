package audit

import (
	"context"
	"errors"
	"fmt"

	"github.com/bosang/bosang/apperr"
)

// Seal links up to limit committed, unsealed entries into the chain, in
// insertion order, and returns how many it sealed. Only one sealer runs at a
// time (the store's SealTx lock), so concurrent calls are safe. It refuses
// (apperr.ErrConflict) to extend a chain whose head is behind, or disagrees
// with, the latest checkpoint: that chain was truncated, and sealing on top
// of it would bury the evidence.
func (s *Service) Seal(ctx context.Context, limit int) (int, error) {
	if limit <= 0 {
		limit = 500
	}
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
		list, err := tx.UnsealedEntries(ctx, limit)
		if err != nil {
			return err
		}
		for i := range list {
			e := &list[i]
			pos++
			h := s.key.Entry(head, e)
			if err := tx.SealEntry(ctx, e.Seq, pos, head, h, AlgHMACSHA256); err != nil {
				return err
			}
			head = h
			sealed++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("seal audit entries: %w", err)
	}
	return sealed, nil
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
// transaction, and returns how many it sealed; the server runs it as a
// periodic job on one instance at a time.
func (s *Service) SealPending(ctx context.Context, batch int) (int, error) {
	if batch <= 0 {
		batch = 500
	}
	total := 0
	for {
		n, err := s.Seal(ctx, batch)
		total += n
		if err != nil || n < batch {
			return total, err
		}
	}
}
