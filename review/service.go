package review

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/input"
	"github.com/bosang/bosang/models"
)

// Settings are the review policy choices.
type Settings struct {
	// LeaseFor is how long a reviewer holds a claim taken from the queue.
	LeaseFor time.Duration
	// SecondApprovalAboveKRW: approvals above it need a supervisor.
	SecondApprovalAboveKRW int64
	// AppealWindow is how long after a decision the claimant may appeal.
	AppealWindow time.Duration
	// SupplementDue is the default time a claimant has to answer a request.
	SupplementDue time.Duration
	// ReviewTarget is the age by which a claim should be decided.
	ReviewTarget time.Duration
	// SampleBP is the share of auto-approvable claims sent to people for
	// quality checks, in basis points (500 = 5%).
	SampleBP int
	// BurstWindow and BurstCount flag more than BurstCount claims by
	// different claimants from one address within BurstWindow.
	BurstWindow time.Duration
	BurstCount  int
	// BatchPageSize is how many claims one page of the set-based
	// adjudication reads and decides in one transaction; 0 is SetPageSize.
	BatchPageSize int
}

// DefaultSettings: 15-minute leases, ₩500,000 authority limit, 30 days to
// appeal, 14 days to answer a supplement request, a 14-day review target,
// 5% sampling, bursts of more than 5 claims in 10 minutes.
var DefaultSettings = Settings{LeaseFor: 15 * time.Minute, SecondApprovalAboveKRW: 500_000, AppealWindow: 30 * 24 * time.Hour,
	SupplementDue: 14 * 24 * time.Hour, ReviewTarget: 14 * 24 * time.Hour, SampleBP: 500, BurstWindow: 10 * time.Minute, BurstCount: 5}

// ReasonCodes for rejecting or reducing a claim (DOMAIN.md section 5).
var ReasonCodes = []string{"not_related", "no_monetary_claim", "ineligible", "outside_opening_hours", "substitute_available",
	"insufficient_evidence", "supplement_requested", "force_majeure", "user_fault", "upstream_carrier_fault", "duplicate", "late"}

// Service is the review use cases.
type Service struct {
	store    Store
	claims   *claims.Service
	settings Settings
	now      func() time.Time
	newID    func() string
}

// NewService wires a Service.
func NewService(store Store, cl *claims.Service, s Settings, now func() time.Time, newID func() string) *Service {
	return &Service{store: store, claims: cl, settings: s, now: now, newID: newID}
}

// Settings returns the settings in force.
func (s *Service) Settings() Settings { return s.settings }

// Next leases the oldest suitable claim to reviewer and returns it, or
// ErrNotFound when the queue is empty. A supervisor is served the claims
// waiting for a second approval (not their own first decisions) first. A caller who does not read claims
// (an operator) is ErrForbidden.
func (s *Service) Next(ctx context.Context, reviewer *models.User) (*claims.View, error) {
	if err := reviews(reviewer); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	until := now.Add(s.settings.LeaseFor)
	var leased *models.Claim
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		if reviewer.Role == models.RoleSupervisor || reviewer.Role == models.RoleAdmin {
			// Large approvals wait for a supervisor: they come first.
			leased, err = tx.LeaseNextSecond(ctx, secondQuery(reviewer), now, until)
		}
		if leased == nil && (err == nil || errors.Is(err, apperr.ErrNotFound)) {
			leased, err = tx.LeaseNext(ctx, nextQuery(reviewer), now, until)
		}
		if err != nil {
			return err
		}
		a, err := s.auditEntry(ctx, leaseRecord(leased, until))
		if err != nil {
			return err
		}
		return tx.AppendAudit(ctx, a)
	})
	if err != nil {
		return nil, err
	}
	return s.claims.Get(ctx, reviewer, leased.ID)
}

// reviews refuses anyone but reviewers, supervisors and admins: operators
// record outages and do not read or decide claims.
func reviews(u *models.User) error {
	if u == nil || !u.Role.ReadsClaims() {
		return fmt.Errorf("reviewing claims needs a reviewer or supervisor: %w", apperr.ErrForbidden)
	}
	return nil
}

// DecisionInput is API.md's decision body.
type DecisionInput struct {
	Outcome    string     `json:"outcome"`
	AmountKRW  *int64     `json:"amount_krw"`
	ReasonCode string     `json:"reason_code"`
	Note       string     `json:"note"`
	DueAt      *time.Time `json:"due_at"`
}

// Decide records a decision on the claim's version ifMatch. A submitted or
// appealed claim is leased to actor in the same step, as Lease would. A
// missing version is ErrPreconditionNeeded (428); a stale one, or losing a
// race against another decision, ErrPreconditionFailed (412); the first
// reviewer giving the second approval, the decider of an appealed claim, or
// a caller who does not read claims (an operator), ErrForbidden; another's
// live lease, or a claim with nothing to decide, ErrConflict saying which;
// bad fields a ValidationError.
func (s *Service) Decide(ctx context.Context, actor *models.User, claimID string, ifMatch *int, in DecisionInput) (*claims.View, error) {
	if err := reviews(actor); err != nil {
		return nil, err
	}
	if ifMatch == nil {
		return nil, fmt.Errorf("decisions need If-Match: %w", apperr.ErrPreconditionNeeded)
	}
	c, err := s.store.Claim(ctx, claimID)
	if err != nil {
		return nil, err
	}
	if c.Version != *ifMatch {
		return nil, fmt.Errorf("claim %s is at version %d, not %d: %w", c.Number, c.Version, *ifMatch, apperr.ErrPreconditionFailed)
	}
	if err := s.takeForDecision(ctx, actor, c); err != nil {
		return nil, err
	}
	action, d, err := s.plan(ctx, actor, c, in)
	if err != nil {
		return nil, err
	}
	if err := s.apply(ctx, actor, c, action, d, in); err != nil {
		return nil, err
	}
	return s.claims.Get(ctx, actor, c.ID)
}

// plan checks who may do what and turns the outcome into a state machine
// action.
func (s *Service) plan(ctx context.Context, actor *models.User, c *models.Claim, in DecisionInput) (claims.Action, claims.Decision, error) {
	d := claims.Decision{SecondApprovalAboveKRW: s.settings.SecondApprovalAboveKRW}
	status := c.Status
	if status == models.StatusPendingSecondApproval {
		return s.planSecond(ctx, actor, c, in, d)
	}
	var f apperr.Fields
	input.Text(&f, "note", in.Note, 5000)
	var action claims.Action
	switch in.Outcome {
	case "approve":
		action, d.AmountKRW = claims.ActApprove, c.EstimateAmountKRW
		if in.AmountKRW != nil {
			d.AmountKRW = *in.AmountKRW
		}
	case "partial":
		action = claims.ActPartial
		if in.AmountKRW == nil || *in.AmountKRW <= 0 {
			f.AddMsg("amount_krw", apperr.M("review.error.partial_amount_missing"))
		} else {
			d.AmountKRW = *in.AmountKRW
		}
		s.requireReason(&f, in.ReasonCode)
	case "reject":
		action = claims.ActReject
		s.requireReason(&f, in.ReasonCode)
	case "request_supplement":
		action = claims.ActRequestSupplement
		if strings.TrimSpace(in.Note) == "" {
			f.AddMsg("note", apperr.M("review.error.supplement_note_missing"))
		}
		if in.DueAt != nil && !in.DueAt.After(s.now()) {
			f.AddMsg("due_at", apperr.M("review.error.due_at_past"))
		}
	default:
		f.AddMsg("outcome", apperr.M("review.error.outcome_unknown"))
	}
	if d.AmountKRW < 0 || d.AmountKRW > claims.MaxClaimKRW {
		f.AddMsg("amount_krw", apperr.M("review.error.amount_range"))
	}
	return action, d, f.Err()
}

// planSecond is the supervisor's second look at a large approval: never by
// the reviewer who made the first.
func (s *Service) planSecond(ctx context.Context, actor *models.User, c *models.Claim, in DecisionInput, d claims.Decision) (claims.Action, claims.Decision, error) {
	if actor.Role != models.RoleSupervisor && actor.Role != models.RoleAdmin {
		return "", d, fmt.Errorf("second approval needs a supervisor: %w", apperr.ErrForbidden)
	}
	if !MaySecondApprove(c, actor.ID) {
		return "", d, fmt.Errorf("the first reviewer cannot give the second approval: %w", apperr.ErrForbidden)
	}
	d.AmountKRW = c.ApprovedAmountKRW
	switch in.Outcome {
	case "approve":
		last, err := s.lastDecision(ctx, c.ID)
		if err == nil && last.Action == string(claims.ActPartial) {
			d.Partial = true
		}
		return claims.ActSecondApprove, d, nil
	case "reject":
		var f apperr.Fields
		s.requireReason(&f, in.ReasonCode)
		return claims.ActReject, d, f.Err()
	}
	return "", d, apperr.InvalidMsg("outcome", apperr.M("review.error.second_outcome"))
}

func (s *Service) lastDecision(ctx context.Context, claimID string) (*models.Decision, error) {
	list, err := s.store.Decisions(ctx, claimID)
	if err != nil || len(list) == 0 {
		return nil, fmt.Errorf("no decision on %s: %w", claimID, apperr.ErrNotFound)
	}
	return &list[len(list)-1], nil
}

func (s *Service) requireReason(f *apperr.Fields, code string) {
	if !slices.Contains(ReasonCodes, code) {
		f.AddMsg("reason_code", apperr.M("review.error.reason_code_missing"))
	}
}

// apply runs the state machine and stores the decision with its audit entry
// in one transaction.
func (s *Service) apply(ctx context.Context, actor *models.User, c *models.Claim, action claims.Action, d claims.Decision, in DecisionInput) error {
	dec, ev, out, err := s.decided(actor, c, action, d, in, s.now().UTC())
	if err != nil {
		return err
	}
	a, err := s.auditEntry(ctx, decideRecord(c, dec))
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error { return tx.Decide(ctx, c, dec, ev, out, a) })
}

// decided runs the state machine on c (moving it to its new state, version
// and times) and returns the decision, timeline event and outbox message
// that record it; nothing is stored.
func (s *Service) decided(actor *models.User, c *models.Claim, action claims.Action, d claims.Decision, in DecisionInput, now time.Time) (*models.Decision, *models.ClaimEvent, *models.OutboxMessage, error) {
	from := c.Status
	to, err := claims.Next(from, action, d)
	if err != nil {
		return nil, nil, nil, err
	}
	dec := &models.Decision{ID: s.newID(), ClaimID: c.ID, ClaimVersion: c.Version, ActorRole: "system", Action: string(action),
		FromStatus: from, ToStatus: to, AmountKRW: d.AmountKRW, ReasonCode: in.ReasonCode,
		Note: strings.TrimSpace(in.Note), CreatedAt: now}
	if actor != nil {
		dec.ActorID, dec.ActorRole = &actor.ID, actor.Role.String()
	}
	c.Status, c.Version, c.UpdatedAt = to, c.Version+1, now
	c.LeasedBy, c.LeaseExpiresAt = nil, nil
	switch action {
	case claims.ActApprove, claims.ActPartial, claims.ActReject, claims.ActAutoApprove:
		if from != models.StatusPendingSecondApproval {
			c.DecidedBy, c.DecidedAt = dec.ActorID, &now
		}
		c.ApprovedAmountKRW = d.AmountKRW
		if action == claims.ActReject {
			c.ApprovedAmountKRW = 0
		}
	case claims.ActSecondApprove:
		c.DecidedAt = &now
	case claims.ActRequestSupplement:
		due := now.Add(s.settings.SupplementDue)
		if in.DueAt != nil {
			due = in.DueAt.UTC()
		}
		c.SupplementDueAt, dec.DueAt = &due, &due
	}
	ev := &models.ClaimEvent{ID: s.newID(), ClaimID: c.ID, Status: c.Status, ActorID: dec.ActorID, Note: eventNote(dec), CreatedAt: now}
	return dec, ev, claims.StatusMessage(s.newID(), c, ev, news(c, dec)), nil
}

// news is what the claimant's message about a decision tells: the amount
// and reason once the claim is approved, partially approved or rejected.
func news(c *models.Claim, d *models.Decision) claims.News {
	switch c.Status {
	case models.StatusApproved, models.StatusPartiallyApproved, models.StatusRejected:
		amount := c.ApprovedAmountKRW
		return claims.News{AmountKRW: &amount, ReasonCode: d.ReasonCode}
	}
	return claims.News{}
}

// eventNote is what the claimant's timeline says about a decision.
func eventNote(d *models.Decision) string {
	parts := []string{}
	if d.ReasonCode != "" {
		parts = append(parts, "reason:"+d.ReasonCode)
	}
	if d.Note != "" {
		parts = append(parts, d.Note)
	}
	return strings.Join(parts, " — ")
}

// Appeal contests a decision, once per claim, within the appeal window. The
// appeal goes to a reviewer other than the one who decided. Its errors are
// AppealWithEvidence's.
func (s *Service) Appeal(ctx context.Context, owner *models.User, claimID, reason string) (*claims.View, error) {
	return s.AppealWithEvidence(ctx, owner, claimID, reason, nil)
}

// AppealWithEvidence is Appeal with a file for the appeal (up may be nil),
// in one step that stands or falls whole: the appeal is checked before the
// file is stored, the file before anything is recorded, and the file's
// record is written in the transaction of the appeal. Another claimant's
// claim is apperr.ErrNotFound; no reason a *apperr.ValidationError; a claim
// appealed already, or not decided, apperr.ErrConflict; past the window a
// *claims.LateError; a refused file the errors of claims.StageEvidence.
func (s *Service) AppealWithEvidence(ctx context.Context, owner *models.User, claimID, reason string, up *claims.Upload) (*claims.View, error) {
	c, err := s.claims.OwnClaim(ctx, owner, claimID)
	if err != nil {
		return nil, err
	}
	var f apperr.Fields
	if input.Text(&f, "reason", reason, 0) {
		if n := len([]rune(strings.TrimSpace(reason))); n < 1 || n > 5000 {
			f.AddMsg("reason", apperr.M("review.error.appeal_reason_missing"))
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if c.AppealedAt != nil {
		return nil, fmt.Errorf("claim %s was appealed already: %w", c.Number, apperr.ErrConflict)
	}
	now := s.now().UTC()
	if c.DecidedAt != nil && now.After(c.DecidedAt.Add(s.settings.AppealWindow)) {
		return nil, &claims.LateError{Closed: c.DecidedAt.Add(s.settings.AppealWindow).Format(time.RFC3339)}
	}
	if _, err := claims.Next(c.Status, claims.ActAppeal, claims.Decision{}); err != nil {
		return nil, err
	}
	var staged *claims.StagedEvidence
	if up != nil {
		if staged, err = s.claims.StageEvidence(ctx, c, *up); err != nil {
			return nil, err
		}
	}
	c.AppealedAt = &now
	dec, ev, out, err := s.decided(owner, c, claims.ActAppeal, claims.Decision{}, DecisionInput{Note: reason}, now)
	var a *models.AuditEntry
	if err == nil {
		a, err = s.auditEntry(ctx, decideRecord(c, dec))
	}
	if err == nil {
		err = s.store.InTx(ctx, func(tx Store) error {
			if err := tx.Decide(ctx, c, dec, ev, out, a); err != nil || staged == nil {
				return err
			}
			if err := tx.AddEvidence(ctx, staged.Evidence, staged.Audit); err != nil {
				return err
			}
			return tx.Enqueue(ctx, staged.Job)
		})
	}
	if err != nil {
		staged.Discard(ctx)
		if errors.Is(err, apperr.ErrPreconditionFailed) {
			// Another appeal or decision went first.
			return nil, fmt.Errorf("claim %s changed meanwhile: %w", c.Number, apperr.ErrConflict)
		}
		return nil, err
	}
	return s.claims.Get(ctx, owner, c.ID)
}

// Supplement answers a supplement request; the claim returns to the queue.
func (s *Service) Supplement(ctx context.Context, owner *models.User, claimID, answer string) (*claims.View, error) {
	c, err := s.claims.OwnClaim(ctx, owner, claimID)
	if err != nil {
		return nil, err
	}
	var f apperr.Fields
	if input.Text(&f, "body", answer, 0) {
		if n := len([]rune(strings.TrimSpace(answer))); n < 1 || n > 5000 {
			f.AddMsg("body", apperr.M("review.error.supplement_body_missing"))
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	c.SupplementDueAt = nil
	if err := s.apply(ctx, owner, c, claims.ActSupplement, claims.Decision{}, DecisionInput{Note: answer}); err != nil {
		return nil, err
	}
	return s.claims.Get(ctx, owner, c.ID)
}

// Decisions lists the decisions on a claim, oldest first.
func (s *Service) Decisions(ctx context.Context, claimID string) ([]models.Decision, error) {
	return s.store.Decisions(ctx, claimID)
}
