package policy

import (
	"fmt"
	"github.com/bosang/bosang/models"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/estimate"
)

// Limits on policy settings that keep the arithmetic bounded and catch typos.
const (
	maxFilingWindowDays = 3650
	maxMultiplier       = 100
	maxRoundUnit        = 1_000_000
	maxNameRunes        = 200
	maxInKindRunes      = 500
	maxItemRunes        = 100
	maxItemQuantity     = 1000
	maxBandDays         = 3650
)

// Validate checks that p is well-formed: a positive Version, a Name, an
// EffectiveFrom, a FilingWindowDays in [0, 3650], a rule for every Category
// and no unknown one, caps and amounts in [0, MaxKRW], known and distinct
// evidence kinds, and a Rule whose kind is known, whose own fields are sound
// (multiplier in [1, 100], rounding unit in [0, ₩1,000,000], bands strictly
// ascending, tiers strictly descending, factors in (0, 10000]) and which sets
// no field of another kind. It returns a *apperr.ValidationError (which
// unwraps to apperr.ErrInvalid) naming every bad field by its JSON path,
// e.g. "categories.merchant.rule.bands[1].up_to_krw", or nil.
func (p Policy) Validate() error {
	var f apperr.Fields
	if p.Version < 1 {
		f.AddMsg("version", apperr.M("policy.version_min"))
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(p.Name)); n == 0 || n > maxNameRunes {
		f.AddMsg("name", apperr.M("policy.name_length", map[string]any{"max": maxNameRunes}))
	}
	if p.EffectiveFrom.IsZero() {
		f.AddMsg("effective_from", apperr.M("policy.effective_from_required"))
	}
	if p.FilingWindowDays < 0 || p.FilingWindowDays > maxFilingWindowDays {
		f.AddMsg("filing_window_days", apperr.M("policy.filing_window", map[string]any{"max": maxFilingWindowDays, "default": DefaultFilingWindowDays}))
	}
	for _, c := range models.ClaimCategories() {
		if _, ok := p.Categories[c]; !ok {
			f.AddMsg("categories."+string(c), apperr.M("policy.category_rule_missing"))
		}
	}
	for c, cr := range p.Categories {
		if !c.Valid() {
			f.AddMsg("categories."+string(c), apperr.M("policy.category_unknown"))
			continue
		}
		cr.validate(&f, "categories."+string(c))
	}
	return f.Err()
}

func (cr CategoryRule) validate(f *apperr.Fields, path string) {
	krwRange(f, path+".cap_krw", cr.CapKRW)
	for i, e := range cr.Evidence {
		if !slices.Contains(evidenceKinds, e) || slices.Index(cr.Evidence, e) < i {
			f.AddMsg(fmt.Sprintf("%s.evidence[%d]", path, i), apperr.M("policy.evidence_kind"))
		}
	}
	for i, it := range cr.InKindItems {
		at := fmt.Sprintf("%s.in_kind_items[%d]", path, i)
		if n, m := utf8.RuneCountInString(strings.TrimSpace(it.Name)), utf8.RuneCountInString(strings.TrimSpace(it.NameEN)); n == 0 || n > maxItemRunes || m == 0 || m > maxItemRunes {
			f.AddMsg(at+".name", apperr.M("policy.item_name", map[string]any{"max": maxItemRunes}))
		}
		if it.Quantity < 1 || it.Quantity > maxItemQuantity {
			f.AddMsg(at+".quantity", apperr.M("policy.item_quantity", map[string]any{"max": maxItemQuantity}))
		}
	}
	if cr.RecordsRule != nil {
		if k := cr.RecordsRule.Kind; k != KindBands && k != KindLossEstimate {
			f.AddMsg(path+".records_rule.kind", apperr.M("policy.records_rule_kind"))
		} else {
			cr.RecordsRule.validate(f, path+".records_rule")
		}
	} else if cr.RecordsFloor {
		f.AddMsg(path+".records_floor", apperr.M("policy.records_floor_needs_rule"))
	}
	if utf8.RuneCountInString(cr.InKind) > maxInKindRunes {
		f.AddMsg(path+".in_kind", apperr.M("policy.in_kind_length", map[string]any{"max": maxInKindRunes}))
	}
	cr.Rule.validate(f, path+".rule")
}

func (r Rule) validate(f *apperr.Fields, path string) {
	used := r // the fields of r.Kind are cleared from used; whatever remains is misplaced
	switch r.Kind {
	case KindFlat:
		krwRange(f, path+".amount_krw", r.AmountKRW)
		used.AmountKRW = 0
	case KindFeeDays:
		multiplier(f, path, r.Multiplier)
		dayRounding(f, path, r.DayRounding, true)
		roundUnit(f, path, r.RoundUpToKRW)
		used.Multiplier, used.DayRounding, used.RoundUpToKRW = 0, "", 0
	case KindDayBands:
		validateDayBands(f, path, r.DayBands)
		dayRounding(f, path, r.DayRounding, false)
		used.DayBands, used.DayRounding = nil, ""
	case KindExtension:
		multiplier(f, path, r.Multiplier)
		dayRounding(f, path, r.DayRounding, false)
		used.Multiplier, used.DayRounding = 0, ""
	case KindBands:
		validateBands(f, path, r.Bands)
		r.Factors.validate(f, path+".factors")
		used.Bands, used.Factors = nil, Factors{}
	case KindLossEstimate:
		r.Factors.validate(f, path+".factors")
		used.Factors = Factors{}
	case KindAvailabilityTiers:
		validateTiers(f, path, r.Tiers)
		roundUnit(f, path, r.RoundUpToKRW)
		used.Tiers, used.RoundUpToKRW = nil, 0
	default:
		f.AddMsg(path+".kind", apperr.M("policy.rule_kind_unknown"))
		return
	}
	if used.AmountKRW != 0 || used.Multiplier != 0 || used.RoundUpToKRW != 0 || used.DayRounding != "" ||
		len(used.Bands) > 0 || used.Factors != (Factors{}) || len(used.Tiers) > 0 || len(used.DayBands) > 0 {
		f.AddMsg(path, apperr.M("policy.rule_field_unused"))
	}
}

func validateBands(f *apperr.Fields, path string, bands []Band) {
	if len(bands) == 0 {
		f.AddMsg(path+".bands", apperr.M("policy.bands_required"))
	}
	var prev int64
	for i, b := range bands {
		at := fmt.Sprintf("%s.bands[%d]", path, i)
		if b.UpToKRW <= prev || b.UpToKRW > MaxKRW {
			f.AddMsg(at+".up_to_krw", apperr.M("policy.band_up_to"))
		}
		krwRange(f, at+".amount_krw", b.AmountKRW)
		prev = b.UpToKRW
	}
}

// dayRounding checks a day counting; exact fractions make sense only where
// the days multiply a fee.
func dayRounding(f *apperr.Fields, path string, d DayRounding, exactAllowed bool) {
	switch d {
	case "", DayCeil, DayCalendar:
		return
	case DayExact:
		if exactAllowed {
			return
		}
	}
	if exactAllowed {
		f.AddMsg(path+".day_rounding", apperr.M("policy.day_rounding_exact"))
		return
	}
	f.AddMsg(path+".day_rounding", apperr.M("policy.day_rounding"))
}

func validateDayBands(f *apperr.Fields, path string, bands []DayBand) {
	if len(bands) == 0 {
		f.AddMsg(path+".day_bands", apperr.M("policy.day_bands_required"))
	}
	var prev int64
	for i, b := range bands {
		at := fmt.Sprintf("%s.day_bands[%d]", path, i)
		if b.FromDays <= prev || b.FromDays > maxBandDays {
			f.AddMsg(at+".from_days", apperr.M("policy.day_band_from", map[string]any{"max": maxBandDays}))
		}
		krwRange(f, at+".amount_krw", b.AmountKRW)
		prev = b.FromDays
	}
}

func validateTiers(f *apperr.Fields, path string, tiers []Tier) {
	if len(tiers) == 0 {
		f.AddMsg(path+".tiers", apperr.M("policy.tiers_required"))
	}
	prevBelow, prevCredit := int64(estimate.BasisPoints+1), int64(0)
	for i, t := range tiers {
		at := fmt.Sprintf("%s.tiers[%d]", path, i)
		if t.BelowBP < 1 || t.BelowBP >= prevBelow {
			f.AddMsg(at+".below_bp", apperr.M("policy.tier_below"))
		}
		if t.CreditBP < 1 || t.CreditBP > estimate.BasisPoints || t.CreditBP < prevCredit {
			f.AddMsg(at+".credit_bp", apperr.M("policy.tier_credit"))
		}
		prevBelow, prevCredit = t.BelowBP, t.CreditBP
	}
}

func (fs Factors) validate(f *apperr.Fields, path string) {
	for _, x := range []struct {
		name string
		bp   int64
	}{{"margin_bp", fs.MarginBP}, {"substitute_bp", fs.SubstituteBP}, {"share_bp", fs.ShareBP}} {
		if x.bp < 1 || x.bp > estimate.BasisPoints {
			f.AddMsg(path+"."+x.name, apperr.M("policy.factor_range"))
		}
	}
}

func multiplier(f *apperr.Fields, path string, m int64) {
	if m < 1 || m > maxMultiplier {
		f.AddMsg(path+".multiplier", apperr.M("policy.multiplier", map[string]any{"max": maxMultiplier}))
	}
}

func roundUnit(f *apperr.Fields, path string, unit int64) {
	if unit < 0 || unit > maxRoundUnit {
		f.AddMsg(path+".round_up_to_krw", apperr.M("policy.round_unit"))
	}
}

func krwRange(f *apperr.Fields, path string, v int64) {
	if v < 0 || v > MaxKRW {
		f.AddMsg(path, apperr.M("policy.amount_range"))
	}
}
