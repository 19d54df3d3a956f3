package offers

import (
	"fmt"

	"github.com/bosang/bosang/apperr"
)

// Status is where an offer stands (API.md offer statuses).
type Status string

// The offer statuses.
const (
	// Offered: a cash offer waiting for the person's answer.
	Offered Status = "offered"
	// Granted: in-kind items, a service extension or a bill credit, given
	// without any action; the provider applies it from the credit file.
	Granted Status = "granted"
	// Accepted: the person took the cash offer; an approved claim carries
	// it into the payout track.
	Accepted Status = "accepted"
	// Declined: the person turned the offer down.
	Declined Status = "declined"
	// Contested: the person filed a claim for more ("I lost more"), with
	// the offer amount as its floor.
	Contested Status = "contested"
	// Expired: the acceptance window closed without an answer.
	Expired Status = "expired"
	// Paid: the accepted offer's transfer went through.
	Paid Status = "paid"
)

// Statuses lists every status, in the order the ledger shows them.
var Statuses = []Status{Offered, Granted, Accepted, Declined, Contested, Expired, Paid}

// ParseStatus returns the Status named s, or an error wrapping
// apperr.ErrInvalid.
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", fmt.Errorf("offer status %q: %w", s, apperr.ErrInvalid)
}

// String returns the status's API name.
func (s Status) String() string { return string(s) }

// Action is something that happens to an offer.
type Action string

// The actions.
const (
	ActAccept  Action = "accept"  // the person takes the cash offer
	ActDecline Action = "decline" // the person turns it down
	ActContest Action = "contest" // the person files a claim for more
	ActExpire  Action = "expire"  // the acceptance window closed
	ActPay     Action = "pay"     // the accepted offer's claim was paid
)

// Next is the offer state machine: the status after action on an offer in
// from, or an error wrapping apperr.ErrConflict naming the refused move.
// Only a waiting cash offer can be answered or expire; only an accepted
// one can be paid. Granted, declined, contested, expired and paid offers
// are final.
func Next(from Status, action Action) (Status, error) {
	switch {
	case from == Offered && action == ActAccept:
		return Accepted, nil
	case from == Offered && action == ActDecline:
		return Declined, nil
	case from == Offered && action == ActContest:
		return Contested, nil
	case from == Offered && action == ActExpire:
		return Expired, nil
	case from == Accepted && action == ActPay:
		return Paid, nil
	}
	return "", fmt.Errorf("offer %s cannot %s: %w", from, action, apperr.ErrConflict)
}

// ImportStatus is where an import stands.
type ImportStatus string

// The import statuses.
const (
	ImportQueued    ImportStatus = "queued"    // waiting for a worker
	ImportRunning   ImportStatus = "running"   // a worker is reading it
	ImportCancelled ImportStatus = "cancelled" // stopped by a person; can be resumed
	ImportDone      ImportStatus = "done"      // every row read
	ImportFailed    ImportStatus = "failed"    // the file could not be read at all
)

// ImportStatuses lists every import status.
var ImportStatuses = []ImportStatus{ImportQueued, ImportRunning, ImportCancelled, ImportDone, ImportFailed}

// String returns the import status's API name.
func (s ImportStatus) String() string { return string(s) }
