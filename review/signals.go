package review

import "time"

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
	// SignalRules.AddressCap: enough to tell a burst, and bounded when thousands share one address
	// (a carrier's NAT, an office); 0 when the address is unknown.
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
