package review

import (
	"encoding/json"
	"slices"
	"time"
)

// SignalFacts are what the store finds about one claim for its fraud and
// duplicate signals, before any rule turns them into flags. Each Shared*
// fact is true when another claimant's claim or account holds the same
// thing: a payout account (fingerprint), a phone number (of a claimant who
// has filed), a business number (in a profile), an evidence file (by
// hash).
type SignalFacts struct {
	SharedAccount, SharedPhone, SharedBusinessNumber, SharedEvidence bool
	// AddressClaimants is how many claimants, the claim's own included,
	// filed from the claim's address within the burst window either side
	// of its filing (both ends inclusive), counted up to
	// SignalRules.AddressCap: enough to tell a burst, and bounded when
	// thousands share one address (a carrier's NAT, an office); 0 when the
	// address is unknown.
	AddressClaimants int
}

// SignalRules are the thresholds of the signals: more than BurstCount
// claimants from one address within BurstWindow either side of a filing is
// a burst.
type SignalRules struct {
	BurstWindow time.Duration
	BurstCount  int
}

// AddressCap is as far as a store needs to count an address's claimants
// (SignalFacts.AddressClaimants) to tell a burst: one more than
// BurstCount.
func (r SignalRules) AddressCap() int { return r.BurstCount + 1 }

// SignalRules returns the service's thresholds; the store counts
// AddressClaimants over its BurstWindow.
func (s Settings) SignalRules() SignalRules {
	return SignalRules{BurstWindow: s.BurstWindow, BurstCount: s.BurstCount}
}

// Signals turns facts into flags, in the order of Flags; none is an empty
// (non-nil) list. Flags only inform people: they never reject by
// themselves.
func (r SignalRules) Signals(f SignalFacts) []string {
	flags := []string{}
	for _, s := range []struct {
		on   bool
		flag string
	}{
		{f.SharedAccount, FlagSharedAccount},
		{f.SharedPhone, FlagSharedPhone},
		{f.SharedBusinessNumber, FlagSharedBusinessNumber},
		{f.SharedEvidence, FlagSharedEvidence},
		{f.AddressClaimants > r.BurstCount, FlagBurst},
	} {
		if s.on {
			flags = append(flags, s.flag)
		}
	}
	return flags
}

// RelatedClaim is another claimant's open claim that shares a signal with
// a claim: Flag names the shared signal (FlagSharedAccount,
// FlagSharedPhone, FlagSharedBusinessNumber or FlagSharedEvidence) and
// Flags are the claim's stored flags (a JSON list, as RefreshFlags writes
// them). A claim sharing two signals is listed once for each.
type RelatedClaim struct {
	ID, Flag, Flags string
}

// Stale reports whether r's stored flags miss the signal it shares: only
// then can a new claim change them. The shared signals are symmetric and a
// new claim or file only adds to them, so a related claim that already
// holds the flag keeps it; its burst flag is left for its own review, as
// RefreshFlags finds it then.
func (r RelatedClaim) Stale() bool { return !slices.Contains(storedFlags(r.Flags), r.Flag) }

// storedFlags reads a claim's stored flags (the JSON list RefreshFlags
// writes); none, an empty list, when they are missing or unreadable.
func storedFlags(raw string) []string {
	flags := []string{}
	if err := json.Unmarshal([]byte(raw), &flags); err != nil {
		return []string{}
	}
	return flags
}
