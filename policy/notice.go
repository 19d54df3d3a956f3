package policy

import (
	"github.com/bosang/bosang/models"
	"math/big"
	"slices"
	"time"
)

// EvidenceKinds returns every evidence kind a CategoryRule may require (the
// Evidence* constants), in a fixed order. The slice is a copy.
func EvidenceKinds() []string { return slices.Clone(evidenceKinds) }

// WindowDays is how many days after an outage's end claims are accepted
// under p: FilingWindowDays, or DefaultFilingWindowDays when that is 0. It is
// the number FilingWindow uses.
func (p Policy) WindowDays() int {
	if p.FilingWindowDays == 0 {
		return DefaultFilingWindowDays
	}
	return p.FilingWindowDays
}

// Covered returns the categories p has a rule for, in models.ClaimCategories order: who
// may claim under p.
func (p Policy) Covered() []models.ClaimCategory {
	var out []models.ClaimCategory
	for _, c := range models.ClaimCategories() {
		if _, ok := p.Categories[c]; ok {
			out = append(out, c)
		}
	}
	return out
}

// FeeShare is what a fee_days rule pays for one outage as a share of the
// monthly fee, before rounding, for the eligibility checker to show.
type FeeShare struct {
	// Days are the outage days as the rule counts them: "2", or for exact
	// counting a fraction to four places ("0.2604").
	Days string
	// MonthDays is the number of days in the outage's start month (Korean
	// time).
	MonthDays int64
	// Multiplier is the rule's multiplier.
	Multiplier int64
	// Percent is Days × Multiplier ÷ MonthDays in percent, to one place
	// ("19.4"), or whole when exact ("25").
	Percent string
}

// FeeShareOf returns the FeeShare of rule r for an outage from start to end,
// counting days in Korean time as r.DayRounding says, exactly as Price does.
// ok is false when r is not a fee_days rule or end is not after start.
func FeeShareOf(r Rule, start, end time.Time) (share FeeShare, ok bool) {
	if r.Kind != KindFeeDays || !end.After(start) {
		return FeeShare{}, false
	}
	s := start.In(kst)
	dim := int64(time.Date(s.Year(), s.Month()+1, 0, 0, 0, 0, 0, kst).Day())
	num, den := big.NewInt(0), big.NewInt(1)
	switch r.DayRounding {
	case DayExact:
		num.SetInt64(ceilDiv(int64(end.Sub(start)), int64(time.Second)))
		den.SetInt64(secondsPerDay)
	case DayCalendar:
		n, _, _ := CalendarDays(start, end, kst)
		num.SetInt64(n)
	default:
		num.SetInt64(ceilDiv(int64(end.Sub(start)), int64(24*time.Hour)))
	}
	days, _ := ratio(num, den, 4, true)
	pct := new(big.Int).Mul(num, big.NewInt(r.Multiplier*100))
	percent, _ := ratio(pct, new(big.Int).Mul(den, big.NewInt(dim)), 1, false)
	return FeeShare{Days: days, MonthDays: dim, Multiplier: r.Multiplier, Percent: percent}, true
}
