package outage

import (
	"time"

	"github.com/bosang/bosang/policy"
)

// FilingListDays is how far back the filing form lists outages besides
// every outage whose filing window is still open.
const FilingListDays = 180

// Filing is what the governing policy says, at one instant, about filing
// claims for one outage.
type Filing struct {
	// Governed is false when no policy was in effect at the outage's start;
	// the window is then taken as open and nothing more is known.
	Governed bool
	// Policy is the policy that governs the outage (policy.Select by its
	// start), when Governed.
	Policy policy.Policy
	// Closes is the last instant a claim may be filed; zero while OpenEnded.
	Closes time.Time
	// OpenEnded is true for an ongoing outage: its window has no end yet.
	OpenEnded bool
	// Closed is true once the window has passed (policy.Late at the instant).
	Closed bool
}

// FilingOf says whether claims for v may be filed at at under the policy
// among policies that governs it (the one in effect at v's start). A claim
// filed at the closing instant is still on time.
func FilingOf(policies []policy.Policy, v *View, at time.Time) Filing {
	p, err := policy.Select(policies, v.StartedAt)
	if err != nil {
		return Filing{}
	}
	_, closes, openEnded := policy.FilingWindow(p, v.StartedAt, v.EndedAt)
	return Filing{Governed: true, Policy: p, Closes: closes, OpenEnded: openEnded,
		Closed: policy.Late(p, v.StartedAt, v.EndedAt, at)}
}

// ListedForFiling reports whether the filing form offers v at now: it is
// the outage the form names, it is ongoing, it started or ended within the
// last FilingListDays days, or its filing window is still open.
func ListedForFiling(policies []policy.Policy, v *View, named string, now time.Time) bool {
	since := now.AddDate(0, 0, -FilingListDays)
	if v.ID == named || v.Ongoing || v.StartedAt.After(since) || v.EndedAt != nil && v.EndedAt.After(since) {
		return true
	}
	f := FilingOf(policies, v, now)
	return f.Governed && !f.Closed
}

// FormPolicy returns the policy whose categories a filing form explains:
// the one governing named, the outage the form names, or without one the
// policy in effect at now. None in effect is an error wrapping
// apperr.ErrNotFound.
func FormPolicy(policies []policy.Policy, named *View, now time.Time) (policy.Policy, error) {
	if named != nil {
		return policy.Select(policies, named.StartedAt)
	}
	return policy.Select(policies, now)
}
