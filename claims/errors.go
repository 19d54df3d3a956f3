package claims

import (
	"errors"

	"github.com/bosang/bosang/apperr"
)

// DuplicateError is a second claim for the same claimant, outage and
// category; it names the first so the claimant can go there.
type DuplicateError struct{ ClaimID, Number string }

func (e *DuplicateError) Error() string {
	return "a claim for this outage and category exists: " + e.Number
}

// Unwrap makes a DuplicateError an apperr.ErrConflict.
func (e *DuplicateError) Unwrap() error { return apperr.ErrConflict }

// Fields points at the existing claim.
func (e *DuplicateError) Fields() map[string]apperr.Message {
	link := "/api/v1/claims/" + e.ClaimID
	return map[string]apperr.Message{"claim": apperr.M("claims.duplicate", map[string]any{"number": e.Number, "link": link})}
}

// LateError is a claim outside the policy's filing window (reason "late").
type LateError struct{ Closed string }

func (e *LateError) Error() string { return "filing window closed at " + e.Closed }

// Unwrap makes a LateError an apperr.ErrInvalid.
func (e *LateError) Unwrap() error { return apperr.ErrInvalid }

// Code is the error code clients see.
func (e *LateError) Code() string { return "late" }

// Fields says which rule was broken.
func (e *LateError) Fields() map[string]apperr.Message {
	return map[string]apperr.Message{"outage_id": apperr.M("claims.late", map[string]any{"closed": e.Closed})}
}

// KeyMismatchError is an Idempotency-Key reused with another request body.
type KeyMismatchError struct{}

func (KeyMismatchError) Error() string { return "idempotency key reused with a different request" }

// Unwrap makes it an apperr.ErrInvalid (422).
func (KeyMismatchError) Unwrap() error { return apperr.ErrInvalid }

// Code is the error code clients see.
func (KeyMismatchError) Code() string { return "idempotency_key_reused" }

// Fields names the header.
func (KeyMismatchError) Fields() map[string]apperr.Message {
	return map[string]apperr.Message{"Idempotency-Key": apperr.M("claims.idempotency_key_reused")}
}

// ErrKeyUsed is CreateClaim's answer to a filing that takes its
// idempotency key (KeyAnswer.RequestHash) when the key is already there:
// nothing was written, and the request goes through BeginRequest.
var ErrKeyUsed = errors.New("idempotency key already used")
