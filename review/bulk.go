package review

import (
	"context"
	"errors"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/input"
	"github.com/bosang/bosang/models"
)

// MaxBulk is how many claims one bulk decision may name.
const MaxBulk = 200

// BulkInput is one decision for many claims: approve (each at its
// estimate) or reject, with one reason code and note for all.
type BulkInput struct {
	ClaimIDs   []string `json:"claim_ids"`
	Outcome    string   `json:"outcome"`
	ReasonCode string   `json:"reason_code"`
	Note       string   `json:"note"`
}

// BulkResult is what happened to one claim of a bulk decision: its new
// status, or why it was left as it was (Error, in both languages).
type BulkResult struct {
	ID     string             `json:"id"`
	Number string             `json:"number,omitempty"`
	Status models.ClaimStatus `json:"status,omitempty"`
	Error  *apperr.Message    `json:"error,omitempty"`
}

// DecideBulk applies one decision to each named claim as Decide would, one
// claim and one transaction at a time, at the version it reads: four eyes
// still apply (an approval above the authority limit goes to
// pending_second_approval, never straight to approved), a claim someone
// else holds, or with nothing to decide, is left as it is and reported. A
// bad body (no claims, more than MaxBulk, an outcome other than approve or
// reject, a reject without a reason code) is a ValidationError; an operator
// ErrForbidden. Other errors stop the run and are returned.
func (s *Service) DecideBulk(ctx context.Context, actor *models.User, in BulkInput) ([]BulkResult, error) {
	if err := reviews(actor); err != nil {
		return nil, err
	}
	var f apperr.Fields
	if len(in.ClaimIDs) == 0 || len(in.ClaimIDs) > MaxBulk {
		f.AddMsg("claim_ids", apperr.M("review.error.bulk_count"))
	}
	for _, id := range in.ClaimIDs {
		input.ID(&f, "claim_ids", id)
	}
	switch in.Outcome {
	case "approve":
		if in.ReasonCode != "" {
			s.requireReason(&f, in.ReasonCode)
		}
	case "reject":
		s.requireReason(&f, in.ReasonCode)
	default:
		f.AddMsg("outcome", apperr.M("review.error.bulk_outcome"))
	}
	input.Text(&f, "note", in.Note, 5000)
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out []BulkResult
	seen := map[string]bool{}
	for _, id := range in.ClaimIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		r, err := s.decideOne(ctx, actor, id, DecisionInput{Outcome: in.Outcome, ReasonCode: in.ReasonCode, Note: in.Note})
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// decideOne is one claim of a bulk decision: refusals are results, other
// errors are returned.
func (s *Service) decideOne(ctx context.Context, actor *models.User, id string, in DecisionInput) (BulkResult, error) {
	r := BulkResult{ID: id}
	c, err := s.store.Claim(ctx, id)
	if err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			r.Error = ref(apperr.M("review.error.bulk_no_claim"))
			return r, nil
		}
		return r, err
	}
	r.Number = c.Number
	version := c.Version
	v, err := s.Decide(ctx, actor, id, &version, in)
	if err == nil {
		r.Status = v.Status
		return r, nil
	}
	var ex *apperr.Explained
	switch {
	case errors.As(err, &ex):
		r.Error = &ex.Msg
	case errors.Is(err, apperr.ErrPreconditionFailed):
		r.Error = ref(apperr.M("review.error.bulk_changed"))
	case errors.Is(err, apperr.ErrForbidden):
		r.Error = ref(apperr.M("review.error.bulk_forbidden"))
	case errors.Is(err, apperr.ErrConflict), errors.Is(err, apperr.ErrInvalid):
		r.Error = ref(apperr.M("review.error.bulk_not_possible"))
	default:
		return r, err
	}
	return r, nil
}

// ref is m by reference, for a result's optional error.
func ref(m apperr.Message) *apperr.Message { return &m }
