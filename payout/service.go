package payout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/offers"
	"github.com/bosang/bosang/pii"
)

// Item and batch statuses (the CHECKs of payout_items and payout_batches).
const (
	ItemPending = "pending"
	ItemPaid    = "paid"
	ItemFailed  = "failed"

	BatchOpen    = "open"
	BatchSettled = "settled"
)

// pageSize is how many rows one query reads while building a batch page by
// page (SQLite) or listing payable claims, so none of it sits in memory whole.
const pageSize = 1000

// buildAttempts bounds the retries of a build that lost a race for a claim
// to a concurrent build.
const buildAttempts = 3

// Service is the payout use cases.
type Service struct {
	store  Store
	sealer *pii.Sealer
	audit  *audit.Service
	now    func() time.Time
	newID  func() string
}

// NewService wires a Service. au may be nil: then nothing is written to the
// audit trail (the caller's logs remain).
func NewService(store Store, sealer *pii.Sealer, au *audit.Service, now func() time.Time, newID func() string) *Service {
	return &Service{store: store, sealer: sealer, audit: au, now: now, newID: newID}
}

// Access is who acts, and from where, for the audit trail.
type Access struct {
	Actor *models.User
	IP    string
}

// NothingToPayError is a build that found no approved, unpaid claim.
type NothingToPayError struct{}

func (NothingToPayError) Error() string { return "nothing to pay" }

// Unwrap makes it an apperr.ErrInvalid (422).
func (NothingToPayError) Unwrap() error { return apperr.ErrInvalid }

// Code is the error code clients see.
func (NothingToPayError) Code() string { return "nothing_to_pay" }

// Fields explains the refusal.
func (NothingToPayError) Fields() map[string]apperr.Message {
	return map[string]apperr.Message{"outage_id": apperr.M("payout.nothing_to_pay")}
}

func authorize(a Access) error {
	if a.Actor == nil || (a.Actor.Role != models.RoleSupervisor && a.Actor.Role != models.RoleAdmin) {
		return fmt.Errorf("payouts need a supervisor: %w", apperr.ErrForbidden)
	}
	return nil
}

// Build gathers every approved, unpaid claim (of outageID when set) into a
// new open batch. A claim already in a pending or paid item is never taken
// again; a build that loses a claim to a concurrent build starts over, and
// after buildAttempts such losses returns apperr.ErrConflict. No payable
// claim is NothingToPayError (422); a caller other than a supervisor or
// admin apperr.ErrForbidden.
func (s *Service) Build(ctx context.Context, a Access, outageID string) (*BatchView, error) {
	if err := authorize(a); err != nil {
		return nil, err
	}
	if outageID != "" {
		if _, err := uuid.Parse(outageID); err != nil {
			return nil, apperr.InvalidMsg("outage_id", apperr.M("payout.outage_unknown"))
		}
	}
	var (
		b   *models.PayoutBatch
		err error
	)
	for range buildAttempts {
		b, err = s.build(ctx, a, outageID)
		if !errors.Is(err, apperr.ErrConflict) {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	return s.view(ctx, b, "", 0)
}

func (s *Service) build(ctx context.Context, a Access, outageID string) (*models.PayoutBatch, error) {
	now := s.now().UTC()
	b := &models.PayoutBatch{ID: s.newID(), CreatedBy: a.Actor.ID, Status: BatchOpen, CreatedAt: now}
	if outageID != "" {
		b.OutageID = &outageID
	}
	err := s.store.InTx(ctx, func(tx Store) error {
		if err := tx.CreateBatch(ctx, b); err != nil {
			return err
		}
		handled, n, total, err := tx.AddAllPayable(ctx, b.ID, outageID, now)
		if err != nil {
			return err
		}
		b.ItemCount, b.TotalKRW = n, total
		for after := ""; !handled; {
			list, err := tx.PayableClaims(ctx, outageID, after, pageSize)
			if err != nil {
				return err
			}
			if len(list) == 0 {
				break
			}
			items := make([]models.PayoutItem, len(list))
			for i, c := range list {
				items[i] = models.PayoutItem{ID: s.newID(), BatchID: b.ID, ClaimID: c.ID, AmountKRW: c.ApprovedAmountKRW, Status: ItemPending, CreatedAt: now}
				b.ItemCount++
				b.TotalKRW += c.ApprovedAmountKRW
			}
			if err := tx.AddItems(ctx, items); err != nil {
				return err
			}
			after = list[len(list)-1].ID
		}
		if b.ItemCount == 0 {
			return NothingToPayError{}
		}
		if err := tx.UpdateBatch(ctx, b); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "payout_batch.create", b.ID, map[string]any{"outage_id": outageID, "item_count": b.ItemCount, "total_krw": b.TotalKRW})
	})
	if err != nil {
		return nil, fmt.Errorf("build payout batch: %w", err)
	}
	return b, nil
}

// record appends an audit entry through to when the service keeps a trail.
func (s *Service) record(ctx context.Context, to audit.Appender, a Access, action, batchID string, details any) error {
	if s.audit == nil {
		return nil
	}
	r := audit.Record{ActorID: a.Actor.ID, ActorRole: a.Actor.Role.String(), IP: a.IP, Action: action,
		Entity: audit.EntityPayoutBatch, EntityID: batchID, Details: details}
	_, err := s.audit.Append(ctx, to, r)
	return err
}

// BatchView is a batch as the API shows it: account numbers only masked.
// Items is one page of at most the requested limit; Next is the cursor of
// the following page, empty on the last.
type BatchView struct {
	ID        string     `json:"id"`
	OutageID  *string    `json:"outage_id"`
	Status    string     `json:"status"`
	ItemCount int        `json:"item_count"`
	TotalKRW  int64      `json:"total_krw"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	Items     []ItemView `json:"items"`
	Next      string     `json:"next,omitempty"`
}

// ItemView is one transfer of a batch. ClaimantID, never shown, says whose
// data the item is, for the access record.
type ItemView struct {
	ClaimID    string `json:"claim_id"`
	ClaimantID string `json:"-"`
	Number     string `json:"number"`
	AmountKRW  int64  `json:"amount_krw"`
	Status     string `json:"status"`
	Reference  string `json:"reference"`
	Bank       string `json:"bank"`
	Account    string `json:"account"`
	Holder     string `json:"holder"`
}

// MaxPage bounds the items one BatchView carries.
const MaxPage = 1000

// Get returns a batch with the page of items after the item cursor (limit
// defaults to 500, at most MaxPage). An unknown batch is apperr.ErrNotFound;
// a caller other than a supervisor or admin apperr.ErrForbidden.
func (s *Service) Get(ctx context.Context, a Access, id, after string, limit int) (*BatchView, error) {
	if err := authorize(a); err != nil {
		return nil, err
	}
	b, err := s.batch(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, b, after, limit)
}

func (s *Service) batch(ctx context.Context, id string) (*models.PayoutBatch, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, fmt.Errorf("payout batch %q: %w", id, apperr.ErrNotFound)
	}
	return s.store.Batch(ctx, id)
}

func (s *Service) view(ctx context.Context, b *models.PayoutBatch, after string, limit int) (*BatchView, error) {
	if limit <= 0 {
		limit = 500
	}
	limit = min(limit, MaxPage)
	lines, err := s.store.Lines(ctx, b.ID, nil, after, limit+1)
	if err != nil {
		return nil, err
	}
	v := &BatchView{ID: b.ID, OutageID: b.OutageID, Status: b.Status, ItemCount: b.ItemCount, TotalKRW: b.TotalKRW,
		CreatedBy: b.CreatedBy, CreatedAt: b.CreatedAt, Items: []ItemView{}}
	if len(lines) > limit {
		lines = lines[:limit]
		v.Next = lines[limit-1].ItemID
	}
	for _, l := range lines {
		v.Items = append(v.Items, ItemView{ClaimID: l.ClaimID, ClaimantID: l.ClaimantID, Number: l.Number, AmountKRW: l.AmountKRW, Status: l.Status,
			Reference: l.Reference, Bank: l.Bank, Account: l.NumberMasked, Holder: pii.MaskName(l.Holder)})
	}
	return v, nil
}

// Settlement is the bank's word on one transfer.
type Settlement struct {
	ClaimID   string `json:"claim_id"`
	Status    string `json:"status"`
	Reference string `json:"reference"`
}

// SettleInput is the body of POST /payouts/batches/{id}/paid.
type SettleInput struct {
	Items []Settlement `json:"items"`
}

// SettleResult reports what one settlement did; Changed is false when the
// item was already in that state (a repeat, which pays nobody again).
type SettleResult struct {
	ClaimID string `json:"claim_id"`
	Status  string `json:"status"`
	Changed bool   `json:"changed"`
}

// SettleReport is the outcome of Settle.
type SettleReport struct {
	BatchID     string         `json:"batch_id"`
	BatchStatus string         `json:"batch_status"`
	Items       []SettleResult `json:"items"`
}

// MaxSettlements bounds one Settle call.
const MaxSettlements = 10000

// Settle applies the bank's report to batch id in one transaction. "paid"
// moves a pending item to paid with its reference and the claim to paid
// (state machine, version bump, timeline event, outbox message); "failed"
// moves a pending item to failed and leaves the claim approved, so a later
// batch takes it again. Repeating either is a no-op reported with Changed
// false. "paid" for a failed item, "failed" for a paid one, or a claim the
// state machine will not pay (it was appealed meanwhile) is
// apperr.ErrConflict and applies nothing. When no item is left pending the
// batch becomes settled. Bad input is a *apperr.ValidationError; an unknown
// batch apperr.ErrNotFound; a caller other than a supervisor or admin
// apperr.ErrForbidden.
func (s *Service) Settle(ctx context.Context, a Access, id string, in SettleInput) (*SettleReport, error) {
	if err := authorize(a); err != nil {
		return nil, err
	}
	if err := validateSettle(in); err != nil {
		return nil, err
	}
	b, err := s.batch(ctx, id)
	if err != nil {
		return nil, err
	}
	rep := &SettleReport{BatchID: b.ID, BatchStatus: b.Status}
	err = s.store.InTx(ctx, func(tx Store) error {
		rep.Items = rep.Items[:0]
		counts := map[string]int{}
		for _, st := range in.Items {
			changed, err := s.settleOne(ctx, tx, a, b.ID, st)
			if err != nil {
				return err
			}
			rep.Items = append(rep.Items, SettleResult{ClaimID: st.ClaimID, Status: st.Status, Changed: changed})
			if changed {
				counts[st.Status]++
			} else {
				counts["unchanged"]++
			}
		}
		pending, err := tx.CountItems(ctx, b.ID, ItemPending)
		if err != nil {
			return err
		}
		if pending == 0 && b.Status != BatchSettled {
			b.Status = BatchSettled
			if err := tx.UpdateBatch(ctx, b); err != nil {
				return err
			}
		}
		rep.BatchStatus = b.Status
		return s.record(ctx, tx, a, "payout_batch.settle", b.ID, counts)
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

func validateSettle(in SettleInput) error {
	var f apperr.Fields
	if len(in.Items) == 0 || len(in.Items) > MaxSettlements {
		f.AddMsg("items", apperr.M("payout.items_count"))
	}
	for i, st := range in.Items {
		key := fmt.Sprintf("items[%d]", i)
		if _, err := uuid.Parse(st.ClaimID); err != nil {
			f.AddMsg(key+".claim_id", apperr.M("payout.claim_id"))
		}
		switch st.Status {
		case ItemPaid:
			if r := strings.TrimSpace(st.Reference); r == "" || len(r) > 200 {
				f.AddMsg(key+".reference", apperr.M("payout.reference_missing"))
			}
		case ItemFailed:
			if len(st.Reference) > 200 {
				f.AddMsg(key+".reference", apperr.M("payout.reference_long"))
			}
		default:
			f.AddMsg(key+".status", apperr.M("payout.status"))
		}
	}
	return f.Err()
}

// settleOne applies one settlement inside tx and reports whether it changed
// anything.
func (s *Service) settleOne(ctx context.Context, tx Store, a Access, batchID string, st Settlement) (bool, error) {
	it, err := tx.ItemForUpdate(ctx, batchID, st.ClaimID)
	if errors.Is(err, apperr.ErrNotFound) {
		return false, apperr.InvalidMsg("items", apperr.M("payout.claim_not_in_batch", map[string]any{"claim": st.ClaimID}))
	}
	if err != nil {
		return false, err
	}
	switch {
	case it.Status == st.Status:
		return false, nil
	case it.Status != ItemPending:
		return false, fmt.Errorf("transfer of claim %s is %s, cannot mark it %s: %w", st.ClaimID, it.Status, st.Status, apperr.ErrConflict)
	}
	now := s.now().UTC()
	it.Status, it.Reference, it.SettledAt = st.Status, strings.TrimSpace(st.Reference), &now
	if err := tx.SettleItem(ctx, it); err != nil {
		return false, err
	}
	if st.Status == ItemFailed {
		return true, nil
	}
	return true, s.pay(ctx, tx, a, it, now)
}

// pay moves the claim of the paid item it to paid through the state machine,
// with its event and the outbox message telling the claimant the amount paid
// and the transfer reference, in tx.
func (s *Service) pay(ctx context.Context, tx Store, a Access, it *models.PayoutItem, now time.Time) error {
	c, err := tx.ClaimForUpdate(ctx, it.ClaimID)
	if err != nil {
		return err
	}
	to, err := claims.Next(c.Status, claims.ActPay, claims.Decision{})
	if err != nil {
		return fmt.Errorf("pay claim %s: %w", c.Number, err)
	}
	from := c.Version
	c.Status, c.Version, c.UpdatedAt = to, c.Version+1, now
	ev := &models.ClaimEvent{ID: s.newID(), ClaimID: c.ID, Status: c.Status, ActorID: &a.Actor.ID, CreatedAt: now}
	paid := it.AmountKRW
	if err := tx.PayClaim(ctx, c, from, ev, claims.StatusMessage(s.newID(), c, ev, claims.News{AmountKRW: &paid, Reference: it.Reference})); err != nil {
		return err
	}
	return payOffer(ctx, tx, c.ID, now)
}

// payOffer moves the accepted offer the paid claim was made from, if any,
// to paid through the offers state machine, in tx.
func payOffer(ctx context.Context, tx Store, claimID string, now time.Time) error {
	o, err := tx.AcceptedOfferOf(ctx, claimID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	to, err := offers.Next(offers.Status(o.Status), offers.ActPay)
	if err != nil {
		return err
	}
	o.Status, o.Version, o.UpdatedAt = string(to), o.Version+1, now
	return tx.UpdateOffer(ctx, o)
}
