package payout

import (
	"context"
	"slices"
	"strings"

	"github.com/bosang/bosang/pii"
)

// SharedAccount is one account that more than one claimant of a batch is
// to be paid into: its masked number and bank, and each claim with its
// masked holder.
type SharedAccount struct {
	Bank    string
	Account string
	Claims  []SharedClaim
}

// SharedClaim is one claim paid into a shared account.
type SharedClaim struct {
	ClaimID string
	Number  string
	Holder  string
}

// SharedAccounts lists the accounts of batch id that items of two or more
// claimants would be paid into (the same payout fingerprint), in order of
// their first claim number; one claimant's several claims into their own
// account are no warning. It reads the whole batch as a stream. An unknown
// batch is apperr.ErrNotFound; a caller other than a supervisor or admin
// apperr.ErrForbidden.
func (s *Service) SharedAccounts(ctx context.Context, a Access, id string) ([]SharedAccount, error) {
	if err := authorize(a); err != nil {
		return nil, err
	}
	b, err := s.batch(ctx, id)
	if err != nil {
		return nil, err
	}
	type group struct {
		account   SharedAccount
		claimants map[string]bool
	}
	groups := map[string]*group{}
	var order []string
	err = s.store.EachLine(ctx, b.ID, nil, func(l Line) error {
		if l.Fingerprint == "" {
			return nil
		}
		g := groups[l.Fingerprint]
		if g == nil {
			g = &group{account: SharedAccount{Bank: l.Bank, Account: l.NumberMasked}, claimants: map[string]bool{}}
			groups[l.Fingerprint] = g
			order = append(order, l.Fingerprint)
		}
		g.claimants[l.ClaimantID] = true
		g.account.Claims = append(g.account.Claims, SharedClaim{ClaimID: l.ClaimID, Number: l.Number, Holder: pii.MaskName(l.Holder)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []SharedAccount
	for _, fp := range order {
		if g := groups[fp]; len(g.claimants) > 1 {
			out = append(out, g.account)
		}
	}
	slices.SortStableFunc(out, func(x, y SharedAccount) int { return strings.Compare(x.Claims[0].Number, y.Claims[0].Number) })
	return out, nil
}

// Reference is the transfer reference of a claim paid under a batch-wide
// prefix: the prefix and the claim number joined by one hyphen, however
// many hyphens or spaces the prefix ends with ("KB-" and "KB" both give
// "KB-BS-2022-000001"). A prefix of nothing but hyphens gives the number.
func Reference(prefix, number string) string {
	p := strings.TrimRight(strings.TrimSpace(prefix), "- ")
	if p == "" {
		return number
	}
	return p + "-" + number
}
