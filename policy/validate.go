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
		f.Add("version", "버전은 1 이상이어야 합니다.", "The version must be 1 or more.")
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(p.Name)); n == 0 || n > maxNameRunes {
		f.Add("name", fmt.Sprintf("이름은 1~%d자여야 합니다.", maxNameRunes), fmt.Sprintf("The name must have 1 to %d characters.", maxNameRunes))
	}
	if p.EffectiveFrom.IsZero() {
		f.Add("effective_from", "적용 시작 시각이 필요합니다.", "The effective-from time is required.")
	}
	if p.FilingWindowDays < 0 || p.FilingWindowDays > maxFilingWindowDays {
		f.Add("filing_window_days", fmt.Sprintf("신청 기간은 0~%d일이어야 합니다 (0은 %d일).", maxFilingWindowDays, DefaultFilingWindowDays),
			fmt.Sprintf("The filing window must be 0 to %d days (0 means %d).", maxFilingWindowDays, DefaultFilingWindowDays))
	}
	for _, c := range models.ClaimCategories() {
		if _, ok := p.Categories[c]; !ok {
			f.Add("categories."+string(c), "이 청구 유형의 규칙이 없습니다.", "This category has no rule.")
		}
	}
	for c, cr := range p.Categories {
		if !c.Valid() {
			f.Add("categories."+string(c), "알 수 없는 청구 유형입니다.", "Unknown claimant category.")
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
			f.Add(fmt.Sprintf("%s.evidence[%d]", path, i), "알 수 없거나 중복된 증빙 종류입니다.", "Unknown or repeated evidence kind.")
		}
	}
	for i, it := range cr.InKindItems {
		at := fmt.Sprintf("%s.in_kind_items[%d]", path, i)
		if n, m := utf8.RuneCountInString(strings.TrimSpace(it.Name)), utf8.RuneCountInString(strings.TrimSpace(it.NameEN)); n == 0 || n > maxItemRunes || m == 0 || m > maxItemRunes {
			f.Add(at+".name", fmt.Sprintf("품목 이름(한국어, 영어)은 1~%d자여야 합니다.", maxItemRunes), fmt.Sprintf("The item's names (Korean, English) must have 1 to %d characters.", maxItemRunes))
		}
		if it.Quantity < 1 || it.Quantity > maxItemQuantity {
			f.Add(at+".quantity", fmt.Sprintf("수량은 1~%d이어야 합니다.", maxItemQuantity), fmt.Sprintf("The quantity must be 1 to %d.", maxItemQuantity))
		}
	}
	if cr.RecordsRule != nil {
		if k := cr.RecordsRule.Kind; k != KindBands && k != KindLossEstimate {
			f.Add(path+".records_rule.kind", "기록 기준은 bands 또는 loss_estimate여야 합니다.", `The records rule must be "bands" or "loss_estimate".`)
		} else {
			cr.RecordsRule.validate(f, path+".records_rule")
		}
	} else if cr.RecordsFloor {
		f.Add(path+".records_floor", "기록 기준(records_rule) 없이는 최저 보장을 둘 수 없습니다.", "A records floor needs a records_rule.")
	}
	if utf8.RuneCountInString(cr.InKind) > maxInKindRunes {
		f.Add(path+".in_kind", fmt.Sprintf("현물 보상 설명은 %d자 이하여야 합니다.", maxInKindRunes), fmt.Sprintf("The in-kind description must have at most %d characters.", maxInKindRunes))
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
		f.Add(path+".kind", "알 수 없는 규칙 종류입니다.", "Unknown rule kind.")
		return
	}
	if used.AmountKRW != 0 || used.Multiplier != 0 || used.RoundUpToKRW != 0 || used.DayRounding != "" ||
		len(used.Bands) > 0 || used.Factors != (Factors{}) || len(used.Tiers) > 0 || len(used.DayBands) > 0 {
		f.Add(path, "이 규칙 종류에 쓰이지 않는 항목이 설정되어 있습니다.", "A field that this rule kind does not use is set.")
	}
}

func validateBands(f *apperr.Fields, path string, bands []Band) {
	if len(bands) == 0 {
		f.Add(path+".bands", "구간이 하나 이상 필요합니다.", "At least one band is required.")
	}
	var prev int64
	for i, b := range bands {
		at := fmt.Sprintf("%s.bands[%d]", path, i)
		if b.UpToKRW <= prev || b.UpToKRW > MaxKRW {
			f.Add(at+".up_to_krw", "구간 상한은 양수이고 앞 구간보다 커야 합니다.", "The band's upper bound must be positive and above the previous band's.")
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
		f.Add(path+".day_rounding", "일수 계산은 ceil, calendar_days 또는 exact여야 합니다.", `Day rounding must be "ceil", "calendar_days" or "exact".`)
		return
	}
	f.Add(path+".day_rounding", "일수 계산은 ceil 또는 calendar_days여야 합니다.", `Day rounding must be "ceil" or "calendar_days".`)
}

func validateDayBands(f *apperr.Fields, path string, bands []DayBand) {
	if len(bands) == 0 {
		f.Add(path+".day_bands", "일수 구간이 하나 이상 필요합니다.", "At least one day band is required.")
	}
	var prev int64
	for i, b := range bands {
		at := fmt.Sprintf("%s.day_bands[%d]", path, i)
		if b.FromDays <= prev || b.FromDays > maxBandDays {
			f.Add(at+".from_days", fmt.Sprintf("시작 일수는 1~%d이고 앞 구간보다 커야 합니다.", maxBandDays), fmt.Sprintf("The band's first day must be 1 to %d and above the previous band's.", maxBandDays))
		}
		krwRange(f, at+".amount_krw", b.AmountKRW)
		prev = b.FromDays
	}
}

func validateTiers(f *apperr.Fields, path string, tiers []Tier) {
	if len(tiers) == 0 {
		f.Add(path+".tiers", "크레딧 구간이 하나 이상 필요합니다.", "At least one credit tier is required.")
	}
	prevBelow, prevCredit := int64(estimate.BasisPoints+1), int64(0)
	for i, t := range tiers {
		at := fmt.Sprintf("%s.tiers[%d]", path, i)
		if t.BelowBP < 1 || t.BelowBP >= prevBelow {
			f.Add(at+".below_bp", "가용률 기준은 1~10000이고 앞 구간보다 낮아야 합니다.", "The availability bound must be 1 to 10000 and below the previous tier's.")
		}
		if t.CreditBP < 1 || t.CreditBP > estimate.BasisPoints || t.CreditBP < prevCredit {
			f.Add(at+".credit_bp", "크레딧은 1~10000이고 앞 구간 이상이어야 합니다.", "The credit must be 1 to 10000 and at least the previous tier's.")
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
			f.Add(path+"."+x.name, "계수는 1~10000 (0.01%~100%)이어야 합니다.", "The factor must be 1 to 10000 (0.01% to 100%).")
		}
	}
}

func multiplier(f *apperr.Fields, path string, m int64) {
	if m < 1 || m > maxMultiplier {
		f.Add(path+".multiplier", fmt.Sprintf("배수는 1~%d이어야 합니다.", maxMultiplier), fmt.Sprintf("The multiplier must be 1 to %d.", maxMultiplier))
	}
}

func roundUnit(f *apperr.Fields, path string, unit int64) {
	if unit < 0 || unit > maxRoundUnit {
		f.Add(path+".round_up_to_krw", "올림 단위는 ₩0~₩1,000,000이어야 합니다.", "The rounding unit must be ₩0 to ₩1,000,000.")
	}
}

func krwRange(f *apperr.Fields, path string, v int64) {
	if v < 0 || v > MaxKRW {
		f.Add(path, "금액은 ₩0 이상 ₩1조 이하여야 합니다.", "The amount must be ₩0 to ₩1,000,000,000,000.")
	}
}
