package statute

import (
	"fmt"
	"time"
)

// Verdict is what the law requires for one case, as of the "now" it was
// evaluated at. When a case has several episodes, the fields describe the
// reported episode: the first that requires notice, else the open one, else
// the longest.
//
// Exemption explains InterruptionRequired == false and CompensationExemption
// explains CompensationRequired == false; each is null when its notice is
// owed. For an open outage still under the threshold, Exemption is
// short_unforeseen provisionally and CrossesThresholdAt says when it lapses.
type Verdict struct {
	Regime                string     `json:"regime"`
	Required              bool       `json:"required"` // same as InterruptionRequired
	InterruptionRequired  bool       `json:"interruption_required"`
	CompensationRequired  bool       `json:"compensation_required"`
	Exemption             *Exemption `json:"exemption"`
	CompensationExemption *Exemption `json:"compensation_exemption"`
	ThresholdSeconds      int64      `json:"threshold_seconds"`
	// DurationSeconds is whole seconds from the episode start to restoration,
	// or to now while open. Comparisons use full precision, not this field.
	DurationSeconds int64      `json:"duration_seconds"`
	Ongoing         bool       `json:"ongoing"`
	StartedAt       time.Time  `json:"started_at"`
	RestoredAt      *time.Time `json:"restored_at"`
	// CrossesThresholdAt is when the episode exceeded, or will exceed if it
	// stays open, the threshold: start+threshold exactly, since any instant
	// after it the outage is no longer "no more than" the threshold. Null for
	// a closed episode that never exceeded it.
	CrossesThresholdAt *time.Time `json:"crosses_threshold_at"`
	// InterruptionNoticeDueAt is CrossesThresholdAt + the internal target, or
	// start + target when notice is owed at any duration (critical facility
	// or a cause that is not unforeseen). Null unless the notice is owed now.
	InterruptionNoticeDueAt *time.Time `json:"interruption_notice_due_at"`
	// CompensationNoticeDueAt is restoration + the regime's window (30 × 24h
	// exactly, which is never later than the civil-law reckoning to the end
	// of the 30th day). Null while open or if the notice is not owed.
	CompensationNoticeDueAt *time.Time `json:"compensation_notice_due_at"`
}

// facts is a case reduced to what the exemption rules read.
type facts struct {
	c         Case
	regime    Regime
	anyLength bool // notice is owed at any duration: no short-outage exemption
	exceeded  bool // the reported episode lasted longer than the threshold
}

// Evaluate judges c under the regime in force when its earliest window
// started (however late it is evaluated), with s's policy, as of now. Windows
// are grouped into episodes by s.MergeGap; the first episode that needs
// notice sets the due times. It never reads the clock. It returns an error wrapping ErrInvalid for
// malformed input (see Case, Window and Settings) and one wrapping
// ErrNoRegime when no regime covers the start.
func Evaluate(c Case, s Settings, now time.Time) (Verdict, error) {
	if err := validate(c, s, now); err != nil {
		return Verdict{}, err
	}
	eps := episodes(c.Windows, s.MergeGap)
	regime, err := RegimeAt(s.Regimes, eps[0].start())
	if err != nil {
		return Verdict{}, fmt.Errorf("evaluate: %w", err)
	}
	threshold := regime.threshold(c.Provider.Kind)
	f := facts{c: c, regime: regime}
	f.anyLength = c.CriticalFacility || !regime.unforeseen(c.Cause)
	ep := report(eps, threshold, now, f.anyLength)
	f.exceeded = ep.duration(now) > threshold

	v := describe(ep, regime, threshold, now)
	v.Exemption = f.exemption(NoticeInterruption)
	v.CompensationExemption = f.exemption(NoticeCompensation)
	v.InterruptionRequired = v.Exemption == nil
	v.Required = v.InterruptionRequired
	v.CompensationRequired = v.CompensationExemption == nil
	if v.InterruptionRequired {
		due := ep.start()
		if !f.anyLength {
			due = *v.CrossesThresholdAt // exceeded, so crossing exists
		}
		v.InterruptionNoticeDueAt = ptr(due.Add(s.InterruptionTarget))
	}
	if v.CompensationRequired && v.RestoredAt != nil {
		v.CompensationNoticeDueAt = ptr(v.RestoredAt.Add(regime.CompensationWindow))
	}
	return v, nil
}

// report picks the episode the verdict describes: the first that requires
// notice regardless of exemptions, else the open one, else the longest.
func report(eps []episode, threshold time.Duration, now time.Time, anyLength bool) episode {
	if anyLength {
		return eps[0]
	}
	for _, e := range eps {
		if e.duration(now) > threshold {
			return e
		}
	}
	if last := eps[len(eps)-1]; last.end() == nil {
		return last
	}
	longest := eps[0]
	for _, e := range eps[1:] {
		if e.duration(now) > longest.duration(now) {
			longest = e
		}
	}
	return longest
}

// describe fills the factual fields of a verdict, leaving the legal ones.
func describe(ep episode, r Regime, threshold time.Duration, now time.Time) Verdict {
	v := Verdict{
		Regime:           r.Name,
		ThresholdSeconds: int64(threshold / time.Second),
		DurationSeconds:  int64(ep.duration(now) / time.Second),
		Ongoing:          ep.end() == nil,
		StartedAt:        ep.start(),
		RestoredAt:       ep.end(),
	}
	if at, ok := ep.crossing(threshold); ok {
		v.CrossesThresholdAt = &at
	}
	return v
}

// exemption returns the first exemption, in precedence order, that relieves
// the provider of notice k, or nil if the notice is owed.
func (f facts) exemption(k NoticeKind) *Exemption {
	for _, e := range precedence {
		if f.applies(e, k) {
			return ptr(e)
		}
	}
	return nil
}

func (f facts) applies(e Exemption, k NoticeKind) bool {
	vas := f.c.Provider.Kind == ProviderValueAdded
	switch e {
	case ExemptAnnouncedMaintenance:
		return f.c.Cause == CauseAnnouncedMaintenance
	case ExemptCarrierLine:
		return vas && f.c.Cause == CauseCarrierLine
	case ExemptBelowSizeBar:
		return vas && (f.c.Provider.PriorYearRevenueWon < f.regime.SizeBarRevenueWon ||
			f.c.Provider.AvgDailyUsers < f.regime.SizeBarDailyUsers)
	case ExemptFreeService:
		return f.c.Free && !f.regime.freeOwes(k)
	case ExemptShortUnforeseen:
		return !f.anyLength && !f.exceeded
	}
	return false
}

func ptr[T any](v T) *T { return &v }
