package review

import (
	"slices"
	"testing"
	"time"
)

func TestSignalRules(t *testing.T) {
	r := SignalRules{BurstWindow: 10 * time.Minute, BurstCount: 5}
	for _, tc := range []struct {
		name  string
		facts SignalFacts
		want  []string
	}{
		{"no facts, no flags (an empty list, not nil)", SignalFacts{}, []string{}},
		{"unknown address counts nobody", SignalFacts{AddressClaimants: 0}, []string{}},
		{"exactly BurstCount claimants from one address is not a burst", SignalFacts{AddressClaimants: 5}, []string{}},
		{"BurstCount+1 claimants from one address is a burst", SignalFacts{AddressClaimants: 6}, []string{FlagBurst}},
		{"shared account", SignalFacts{SharedAccount: true}, []string{FlagSharedAccount}},
		{"shared phone", SignalFacts{SharedPhone: true}, []string{FlagSharedPhone}},
		{"shared business number", SignalFacts{SharedBusinessNumber: true}, []string{FlagSharedBusinessNumber}},
		{"shared evidence file", SignalFacts{SharedEvidence: true}, []string{FlagSharedEvidence}},
		{"every signal, in the order of Flags", SignalFacts{true, true, true, true, 100}, Flags},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := r.Signals(tc.facts)
			if got == nil || !slices.Equal(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
	t.Run("a count stopped at AddressCap still tells a burst from none", func(t *testing.T) {
		for _, n := range []int{0, 1, 5, 40} {
			r := SignalRules{BurstWindow: time.Minute, BurstCount: n}
			if got := r.Signals(SignalFacts{AddressClaimants: r.AddressCap()}); !slices.Equal(got, []string{FlagBurst}) {
				t.Errorf("BurstCount %d, count at the cap %d: got %v, want a burst", n, r.AddressCap(), got)
			}
			if got := r.Signals(SignalFacts{AddressClaimants: r.AddressCap() - 1}); len(got) != 0 {
				t.Errorf("BurstCount %d, count one below the cap: got %v, want none", n, got)
			}
		}
	})
	t.Run("the threshold comes from the settings", func(t *testing.T) {
		s := DefaultSettings
		s.BurstCount = 2
		if got := s.SignalRules().Signals(SignalFacts{AddressClaimants: 3}); !slices.Equal(got, []string{FlagBurst}) {
			t.Errorf("got %v, want a burst above 2", got)
		}
	})
}

// TestRelatedClaimStale: a related claim is looked at again only when its
// stored flags miss the signal it shares with the new claim.
func TestRelatedClaimStale(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flags string
		want  bool
	}{
		{"never flagged (empty)", "", true},
		{"no flags yet", "[]", true},
		{"another flag only", `["burst_from_address"]`, true},
		{"the shared flag alone", `["shared_account"]`, false},
		{"the shared flag among others", `["burst_from_address","shared_account","shared_phone"]`, false},
		{"unreadable flags", `shared_account`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := RelatedClaim{ID: "c", Flag: FlagSharedAccount, Flags: tc.flags}
			if got := r.Stale(); got != tc.want {
				t.Errorf("Stale() with flags %q = %v, want %v", tc.flags, got, tc.want)
			}
		})
	}
}
