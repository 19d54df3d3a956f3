package offers

import (
	"context"
	"errors"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
)

// expirePage is how many overdue offers one transaction expires.
const expirePage = 500

// ExpireOverdue records as expired, through Next, every offer still
// waiting whose acceptance window has closed, a page per transaction, each
// offer with its audit entry (by the system), and returns how many it
// expired. An offer answered meanwhile is left as answered (its version
// moved on). The periodic job runs it.
func (s *Service) ExpireOverdue(ctx context.Context) (int, error) {
	total := 0
	for {
		n, listed, err := s.expirePage(ctx)
		total += n
		if err != nil || listed < expirePage {
			return total, err
		}
	}
}

// expirePage expires one page of overdue offers and says how many it
// expired and how many it found.
func (s *Service) expirePage(ctx context.Context) (int, int, error) {
	n, listed := 0, 0
	err := s.store.InTx(ctx, func(tx Store) error {
		n = 0
		now := s.now().UTC()
		list, err := tx.OverdueOffers(ctx, now, expirePage)
		if err != nil {
			return err
		}
		listed = len(list)
		for i := range list {
			o := &list[i]
			to, err := Next(Status(o.Status), ActExpire)
			if err != nil {
				return err
			}
			o.Status, o.Version, o.UpdatedAt = string(to), o.Version+1, now
			if err := tx.UpdateOffer(ctx, o); errors.Is(err, apperr.ErrConflict) {
				continue // answered meanwhile: the answer stands
			} else if err != nil {
				return err
			}
			if err := s.appendAudit(ctx, tx, audit.Record{Action: "offer.expire", Entity: audit.EntityOffer, EntityID: o.ID,
				Details: map[string]any{"outage_id": o.OutageID, "expires_at": o.ExpiresAt.UTC()}}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, listed, err
}
