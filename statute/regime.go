package statute

import (
	"fmt"
	"slices"
	"time"
)

// seoul is where the decree's effective dates are reckoned. Korea has had no
// daylight saving since 1988, so the fixed fallback is exact for every date
// this package deals with.
var seoul = loadSeoul()

func loadSeoul() *time.Location {
	if loc, err := time.LoadLocation("Asia/Seoul"); err == nil {
		return loc
	}
	return time.FixedZone("KST", 9*60*60)
}

// Regime is one version of the notice rules, in force for outages that start
// at or after EffectiveFrom until the next regime takes effect. The zero
// value exempts nothing but free services and has zero thresholds; build
// regimes from DefaultRegimes rather than from scratch.
type Regime struct {
	// Name identifies the text, e.g. "decree-2019-06-25"; it is reported in
	// every Verdict.
	Name string
	// EffectiveFrom is the first instant the regime governs (Asia/Seoul).
	EffectiveFrom time.Time
	// VASThreshold and CarrierThreshold are the longest unforeseen outage
	// that is still exempt ("no more than": the bound is inclusive).
	VASThreshold     time.Duration
	CarrierThreshold time.Duration
	// FreeOwesInterruptionNotice and FreeOwesCompensationNotice say whether a
	// free service owes each notice; false is the free_service exemption.
	FreeOwesInterruptionNotice bool
	FreeOwesCompensationNotice bool
	// SizeBarRevenueWon and SizeBarDailyUsers: a VAS provider whose prior-year
	// revenue is below the first OR whose average daily users are below the
	// second is exempt. Strictly below: exactly the bar is not exempt. A zero
	// bar exempts nobody.
	SizeBarRevenueWon int64
	SizeBarDailyUsers int64
	// UnforeseenCauses are the causes eligible for the short-outage
	// exemption; any other cause needs notice at any duration.
	UnforeseenCauses []Cause
	// CompensationWindow is how long after restoration the compensation
	// notice may be sent.
	CompensationWindow time.Duration
}

// DefaultFreeServiceOwesCompensationNotice is the default reading of the
// 2025 text on the one point it leaves unclear: whether a free service, which
// from 2025-03-28 owes the interruption notice, also owes the compensation
// notice. The default is the conservative reading, owed: a notice sent when
// it was not owed costs little, while one owed and missed risks a corrective
// order and a fine. Operators who read the text the other way configure it
// (NewSettings; BOSANG_FREE_SERVICE_COMPENSATION_NOTICE=exempt).
const DefaultFreeServiceOwesCompensationNotice = true

// DefaultRegimes returns the 2019 and 2025 texts of the decree, oldest first,
// with the default reading of the 2025 text
// (DefaultFreeServiceOwesCompensationNotice): under "decree-2025-03-28" free
// services owe the interruption notice and the compensation notice. Under the
// 2019 text free services owe neither. Each call returns fresh slices.
func DefaultRegimes() []Regime { return regimes(DefaultFreeServiceOwesCompensationNotice) }

// regimes builds the 2019 and 2025 texts; freeOwesCompensation is the reading
// of the 2025 text for the compensation notice of free services.
func regimes(freeOwesCompensation bool) []Regime {
	base := Regime{
		CarrierThreshold:   2 * time.Hour,
		SizeBarRevenueWon:  10_000_000_000,
		SizeBarDailyUsers:  1_000_000,
		CompensationWindow: 30 * 24 * time.Hour,
	}
	r2019 := base
	r2019.Name = "decree-2019-06-25"
	r2019.EffectiveFrom = time.Date(2019, 6, 25, 0, 0, 0, 0, seoul)
	r2019.VASThreshold = 4 * time.Hour
	r2019.UnforeseenCauses = defaultUnforeseen()

	r2025 := base
	r2025.Name = "decree-2025-03-28"
	r2025.EffectiveFrom = time.Date(2025, 3, 28, 0, 0, 0, 0, seoul)
	r2025.VASThreshold = 2 * time.Hour
	r2025.FreeOwesInterruptionNotice = true
	r2025.FreeOwesCompensationNotice = freeOwesCompensation
	r2025.UnforeseenCauses = defaultUnforeseen()
	return []Regime{r2019, r2025}
}

func defaultUnforeseen() []Cause {
	return []Cause{CauseOverload, CauseEquipmentFault, CauseError}
}

// RegimeAt returns the regime in force at start: the one with the latest
// EffectiveFrom not after start. regimes may be in any order. It returns an
// error wrapping ErrNoRegime if every regime takes effect after start, and
// one wrapping ErrInvalid if two regimes share the winning effective date.
func RegimeAt(regimes []Regime, start time.Time) (Regime, error) {
	best := -1
	for i, r := range regimes {
		if r.EffectiveFrom.After(start) {
			continue
		}
		if best < 0 || r.EffectiveFrom.After(regimes[best].EffectiveFrom) {
			best = i
		}
	}
	if best < 0 {
		return Regime{}, fmt.Errorf("regime at %s: %w", start.In(seoul).Format(time.RFC3339), ErrNoRegime)
	}
	for i, r := range regimes {
		if i != best && r.EffectiveFrom.Equal(regimes[best].EffectiveFrom) {
			return Regime{}, fmt.Errorf("regimes %q and %q both take effect at %s: %w",
				regimes[best].Name, r.Name, r.EffectiveFrom.In(seoul).Format(time.RFC3339), ErrInvalid)
		}
	}
	return regimes[best], nil
}

// threshold is the short-outage bound for a provider of kind k.
func (r Regime) threshold(k ProviderKind) time.Duration {
	if k == ProviderCarrier {
		return r.CarrierThreshold
	}
	return r.VASThreshold
}

func (r Regime) unforeseen(c Cause) bool { return slices.Contains(r.UnforeseenCauses, c) }

// freeOwes reports whether a free service owes notice k under r.
func (r Regime) freeOwes(k NoticeKind) bool {
	if k == NoticeCompensation {
		return r.FreeOwesCompensationNotice
	}
	return r.FreeOwesInterruptionNotice
}
