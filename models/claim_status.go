package models

import (
	"database/sql/driver"
	"fmt"
	"slices"
)

// ClaimStatus is where a claim stands (API.md statuses). It is stored and
// sent on the wire by its name. The zero value is not a valid status.
type ClaimStatus string

// The claim statuses, in lifecycle order.
const (
	StatusSubmitted             ClaimStatus = "submitted"
	StatusUnderReview           ClaimStatus = "under_review"
	StatusSupplementRequested   ClaimStatus = "supplement_requested"
	StatusPendingSecondApproval ClaimStatus = "pending_second_approval"
	StatusApproved              ClaimStatus = "approved"
	StatusPartiallyApproved     ClaimStatus = "partially_approved"
	StatusRejected              ClaimStatus = "rejected"
	StatusAppealed              ClaimStatus = "appealed"
	StatusWithdrawn             ClaimStatus = "withdrawn"
	StatusPaid                  ClaimStatus = "paid"
)

var claimStatuses = []ClaimStatus{StatusSubmitted, StatusUnderReview, StatusSupplementRequested,
	StatusPendingSecondApproval, StatusApproved, StatusPartiallyApproved, StatusRejected, StatusAppealed,
	StatusWithdrawn, StatusPaid}

// The named status groups. Each is a rule other packages share: the review
// backlog, where a decision leaves a claim, what a payout batch may pay.
var (
	openStatuses    = []ClaimStatus{StatusSubmitted, StatusUnderReview, StatusSupplementRequested, StatusPendingSecondApproval, StatusAppealed}
	decidedStatuses = []ClaimStatus{StatusApproved, StatusPartiallyApproved, StatusRejected}
	payableStatuses = []ClaimStatus{StatusApproved, StatusPartiallyApproved}
)

// ClaimStatuses returns every claim status in lifecycle order. The slice is
// a copy.
func ClaimStatuses() []ClaimStatus { return slices.Clone(claimStatuses) }

// OpenStatuses returns the statuses of claims still waiting for a decision
// (the review backlog), in lifecycle order. The slice is a copy.
func OpenStatuses() []ClaimStatus { return slices.Clone(openStatuses) }

// DecidedStatuses returns the statuses a decision leaves a claim in
// (appeals start from these), in lifecycle order. A paid claim was decided
// too, but has moved on. The slice is a copy.
func DecidedStatuses() []ClaimStatus { return slices.Clone(decidedStatuses) }

// PayableStatuses returns the statuses of approved claims not yet paid. The
// slice is a copy.
func PayableStatuses() []ClaimStatus { return slices.Clone(payableStatuses) }

// ParseClaimStatus returns the status named s, or an error for any other
// string.
func ParseClaimStatus(s string) (ClaimStatus, error) {
	st := ClaimStatus(s)
	if !st.Valid() {
		return "", fmt.Errorf("unknown claim status %q", s)
	}
	return st, nil
}

// String returns the status's wire name.
func (s ClaimStatus) String() string { return string(s) }

// Valid reports whether s is one of the defined statuses.
func (s ClaimStatus) Valid() bool { return slices.Contains(claimStatuses, s) }

// Open reports whether s is in OpenStatuses.
func (s ClaimStatus) Open() bool { return slices.Contains(openStatuses, s) }

// Decided reports whether s is in DecidedStatuses.
func (s ClaimStatus) Decided() bool { return slices.Contains(decidedStatuses, s) }

// Payable reports whether s is in PayableStatuses.
func (s ClaimStatus) Payable() bool { return slices.Contains(payableStatuses, s) }

// UnmarshalText parses a status name; unknown names are an error.
func (s *ClaimStatus) UnmarshalText(b []byte) error {
	v, err := ParseClaimStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Value stores the status by name.
func (s ClaimStatus) Value() (driver.Value, error) { return string(s), nil }

// Scan reads a status stored by name; an unknown name is an error.
func (s *ClaimStatus) Scan(src any) error { return scanName(src, s, "claim status") }
