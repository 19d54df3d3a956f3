package statute

import (
	"fmt"
	"slices"
	"time"
)

// Provider is the party that owes the notices. The figures feed the size bar
// and are taken at face value: zero users means zero users (and so below the
// bar), not "unknown"; callers must not send zeros for missing data.
type Provider struct {
	Kind                ProviderKind `json:"kind"`
	PriorYearRevenueWon int64        `json:"prior_year_revenue_won"`
	AvgDailyUsers       int64        `json:"avg_daily_users"`
}

// Window is one stretch of interruption, [Start, End). A nil End means the
// service has not been restored yet.
type Window struct {
	Start time.Time  `json:"start"`
	End   *time.Time `json:"end"`
}

// Case is one outage as the law sees it. Free is false for a paid service, so
// the zero value is the less exempt reading. Windows may be given in any
// order but must not overlap, and only the latest may be open.
type Case struct {
	Provider         Provider `json:"provider"`
	Free             bool     `json:"free"`
	Cause            Cause    `json:"cause"`
	CriticalFacility bool     `json:"critical_facility"`
	Windows          []Window `json:"windows"`
}

// Settings are the policy choices the law leaves to the operator.
type Settings struct {
	// Regimes are the versions of the rules; see RegimeAt.
	Regimes []Regime
	// InterruptionTarget is the internal reading of "without delay": the
	// interruption notice is due this long after the duty arises.
	InterruptionTarget time.Duration
	// MergeGap joins intermittent windows: consecutive windows whose gap is
	// at most MergeGap (inclusive) form one episode, which lasts from its
	// first start to its last end, gap time included, because users cannot
	// rely on a service that keeps dropping. Zero disables merging entirely,
	// so even touching windows are judged one by one; the law does not say
	// which reading is right.
	MergeGap time.Duration
}

// DefaultSettings returns DefaultRegimes, a 60-minute interruption target and
// no merging of intermittent windows: NewSettings with the default reading of
// the 2025 text (DefaultFreeServiceOwesCompensationNotice).
func DefaultSettings() Settings { return NewSettings(DefaultFreeServiceOwesCompensationNotice) }

// NewSettings returns the default settings with the operator's reading of the
// 2025 text: freeServiceOwesCompensationNotice says whether a free service
// whose outage started at or after 2025-03-28 00:00 KST owes the compensation
// notice (true: owed; false: the free_service exemption). Outages that
// started earlier are judged under the 2019 text, which exempts free services
// from both notices whatever the setting.
func NewSettings(freeServiceOwesCompensationNotice bool) Settings {
	return Settings{Regimes: regimes(freeServiceOwesCompensationNotice), InterruptionTarget: time.Hour}
}

// episode is one interruption as judged: a single window, or several merged.
// Its duration is the wall-clock span from start to end, gaps included.
type episode struct {
	windows []Window // sorted; the last may be open
}

func (e episode) start() time.Time { return e.windows[0].Start }

// end is the restoration time, or nil while the episode is open.
func (e episode) end() *time.Time { return e.windows[len(e.windows)-1].End }

func (e episode) duration(now time.Time) time.Duration {
	if end := e.end(); end != nil {
		return end.Sub(e.start())
	}
	return now.Sub(e.start())
}

// crossing is the first instant the provider can see the episode exceed
// threshold: start+threshold, or, if that falls in a gap of a merged episode,
// the moment service dropped again. ok is false for a closed episode that
// never exceeded threshold. For an open episode the instant may be in the
// future.
func (e episode) crossing(threshold time.Duration) (at time.Time, ok bool) {
	mark := e.start().Add(threshold)
	for _, w := range e.windows {
		if w.End == nil || w.End.After(mark) {
			return later(w.Start, mark), true
		}
	}
	return time.Time{}, false
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// episodes sorts ws and groups them. With gap > 0, a window that starts at
// most gap after the previous one ended joins its episode; with gap == 0
// every window is an episode of its own.
func episodes(ws []Window, gap time.Duration) []episode {
	sorted := slices.Clone(ws)
	slices.SortFunc(sorted, func(a, b Window) int { return a.Start.Compare(b.Start) })
	var eps []episode
	for _, w := range sorted {
		if n := len(eps); n > 0 && gap > 0 && w.Start.Sub(*eps[n-1].end()) <= gap {
			eps[n-1].windows = append(eps[n-1].windows, w)
			continue
		}
		eps = append(eps, episode{windows: []Window{w}})
	}
	return eps
}

// validate checks c and s against now; every error wraps ErrInvalid.
func validate(c Case, s Settings, now time.Time) error {
	if _, err := ParseCause(string(c.Cause)); err != nil {
		return fmt.Errorf("case: %w", err)
	}
	if _, err := ParseProviderKind(string(c.Provider.Kind)); err != nil {
		return fmt.Errorf("case: %w", err)
	}
	if c.Provider.PriorYearRevenueWon < 0 || c.Provider.AvgDailyUsers < 0 {
		return fmt.Errorf("case: negative provider size: %w", ErrInvalid)
	}
	if s.InterruptionTarget < 0 || s.MergeGap < 0 {
		return fmt.Errorf("settings: negative duration: %w", ErrInvalid)
	}
	return validateWindows(c.Windows, now)
}

func validateWindows(ws []Window, now time.Time) error {
	if len(ws) == 0 {
		return fmt.Errorf("case: no windows: %w", ErrInvalid)
	}
	sorted := slices.Clone(ws)
	slices.SortFunc(sorted, func(a, b Window) int { return a.Start.Compare(b.Start) })
	for i, w := range sorted {
		switch {
		case w.Start.IsZero() || w.Start.After(now):
			return fmt.Errorf("case: window %d starts at %v, not before now: %w", i, w.Start, ErrInvalid)
		case w.End != nil && !w.End.After(w.Start):
			return fmt.Errorf("case: window %d ends before it starts: %w", i, ErrInvalid)
		case w.End != nil && w.End.After(now):
			return fmt.Errorf("case: window %d ends after now: %w", i, ErrInvalid)
		case w.End == nil && i < len(sorted)-1:
			return fmt.Errorf("case: window %d is open but a later one exists: %w", i, ErrInvalid)
		case i > 0 && w.Start.Before(*sorted[i-1].End):
			return fmt.Errorf("case: window %d overlaps the previous one: %w", i, ErrInvalid)
		}
	}
	return nil
}
