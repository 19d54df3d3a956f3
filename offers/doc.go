// Package offers is the offer track beside the claim track (issue 14): a
// provider's list of accounts it knows were hit by an outage is imported,
// each row priced by the outage's policy, and offered compensation without
// a claim. In-kind items and bill credits are granted at once (the provider
// applies them from a credit file); cash offers wait for the person, who
// accepts (an approved claim in the payout track), declines, or contests
// (a normal claim with the offer amount as its floor).
//
// The state machine is Next (status.go); imports run as background jobs
// (import.go); the use cases run in one transaction with their audit
// record. Persistence is the Store the package declares.
package offers
