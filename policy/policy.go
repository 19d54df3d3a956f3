package policy

import (
	"fmt"
	"github.com/bosang/bosang/models"
	"time"

	"github.com/bosang/bosang/apperr"
)

// MaxKRW is the largest amount in won any input or policy setting may hold
// (₩1 trillion); anything above is rejected as absurd. It keeps every product
// of amounts, days and multipliers far from int64's limit.
const MaxKRW int64 = 1_000_000_000_000

// DefaultFilingWindowDays is the filing window used when
// Policy.FilingWindowDays is 0.
const DefaultFilingWindowDays = 90

// Policy is one version of the compensation rules. It is stored as JSON and
// published through the API. It applies to outages that started at or after
// EffectiveFrom. Claims are accepted from the outage's start until
// FilingWindowDays days (0 means DefaultFilingWindowDays) after its end.
// Categories holds a rule for every Category; Validate checks that.
type Policy struct {
	Version          int                                   `json:"version"`
	Name             string                                `json:"name"`
	EffectiveFrom    time.Time                             `json:"effective_from"`
	FilingWindowDays int                                   `json:"filing_window_days"`
	Categories       map[models.ClaimCategory]CategoryRule `json:"categories"`
}

// CategoryRule is how one claimant category is compensated. CapKRW caps the
// amount (0 = no cap). Evidence lists the evidence kinds required (the
// Evidence* constants). AutoApprove makes the claim eligible for automatic
// approval when it is priced without review.
//
// RecordsRule, when set, prices the claim instead of Rule once the claimant
// has uploaded sales or trip records (kind bands or loss_estimate): records
// decide when they are given. With RecordsFloor the amount Rule gives
// without records is a floor under the records amount (a Pro driver's
// membership refund is owed whatever the trips show).
//
// InKindItems are fixed in-kind items given besides the cash amount
// (emoticons, coupons). InKind is the older free-text form, in Korean, still
// read from policies published before items existed.
type CategoryRule struct {
	Rule         Rule         `json:"rule"`
	RecordsRule  *Rule        `json:"records_rule,omitempty"`
	RecordsFloor bool         `json:"records_floor,omitempty"`
	CapKRW       int64        `json:"cap_krw"`
	Evidence     []string     `json:"evidence"`
	AutoApprove  bool         `json:"auto_approve"`
	InKindItems  []InKindItem `json:"in_kind_items,omitempty"`
	InKind       string       `json:"in_kind,omitempty"`
}

// InKindItem is one fixed in-kind item: Quantity of Name (Korean) / NameEN.
type InKindItem struct {
	Name     string `json:"name"`
	NameEN   string `json:"name_en"`
	Quantity int64  `json:"quantity"`
}

// RuleKind names how a Rule computes the amount.
type RuleKind string

// The rule kinds. Each uses only its own fields of Rule; Validate rejects
// the others when set.
const (
	// KindFlat pays AmountKRW.
	KindFlat RuleKind = "flat"
	// KindFeeDays pays monthly fee x outage days x Multiplier / days in the
	// outage's start month, rounded up to RoundUpToKRW; DayRounding says how
	// outage days are counted.
	KindFeeDays RuleKind = "fee_days"
	// KindBands pays the AmountKRW of the first of Bands whose UpToKRW is at
	// least the loss basis: the loss estimated from records (with Factors)
	// when records were given, else the claimed amount. Above the last band
	// the claim needs individual review.
	KindBands RuleKind = "bands"
	// KindLossEstimate pays the loss estimated from records with Factors;
	// without records, or above the cap, the claim needs individual review.
	KindLossEstimate RuleKind = "loss_estimate"
	// KindAvailabilityTiers pays the monthly fee x the CreditBP of the lowest
	// of Tiers whose BelowBP exceeds the availability in the outage's start
	// month, rounded up to RoundUpToKRW.
	KindAvailabilityTiers RuleKind = "availability_tiers"
	// KindDayBands pays the AmountKRW of the last of DayBands whose FromDays
	// is at most the outage days counted by DayRounding (ceil or
	// calendar_days); below the first band it pays nothing (KT Ahyeon 2018:
	// 1-2 days ₩400,000 ... 7+ ₩1,200,000).
	KindDayBands RuleKind = "day_bands"
	// KindExtension pays no cash: it extends the paid service by the outage
	// days counted by DayRounding (ceil or calendar_days) x Multiplier
	// (Kakao 2022: 3x the outage days).
	KindExtension RuleKind = "extension"
)

// DayRounding says how a rule counts outage days.
type DayRounding string

// The day roundings. "" means DayCeil.
const (
	// DayCeil counts every started 24 hours as a whole day.
	DayCeil DayRounding = "ceil"
	// DayExact counts the duration in seconds / 86,400, a fraction; with
	// KindFeeDays it is a multiple of the fee for the outage period (the
	// carriers' terms, KT 2021: 10x).
	DayExact DayRounding = "exact"
	// DayCalendar counts the calendar days in Korean time that the outage
	// touched: 15 Oct 15:30 to 16 Oct 14:00 is 2 days (Kakao 2022). The end
	// is exclusive, so an outage ending at midnight does not touch the next
	// day.
	DayCalendar DayRounding = "calendar_days"
)

// Rule computes a category's amount; Kind says which fields it uses.
// RoundUpToKRW is the unit the amount is rounded up to (0 = whole won);
// Multiplier multiplies the outage days (fee_days, extension).
type Rule struct {
	Kind         RuleKind    `json:"kind"`
	AmountKRW    int64       `json:"amount_krw,omitempty"`
	Multiplier   int64       `json:"multiplier,omitempty"`
	RoundUpToKRW int64       `json:"round_up_to_krw,omitempty"`
	DayRounding  DayRounding `json:"day_rounding,omitempty"`
	Bands        []Band      `json:"bands,omitempty"`
	Factors      Factors     `json:"factors,omitzero"`
	Tiers        []Tier      `json:"tiers,omitempty"`
	DayBands     []DayBand   `json:"day_bands,omitempty"`
}

// DayBand pays AmountKRW for an outage of at least FromDays days (and fewer
// than the next band's FromDays). Day bands are listed in ascending FromDays.
type DayBand struct {
	FromDays  int64 `json:"from_days"`
	AmountKRW int64 `json:"amount_krw"`
}

// Band pays AmountKRW for a loss basis of at most UpToKRW (and above the
// previous band's UpToKRW). Bands are listed in ascending UpToKRW.
type Band struct {
	UpToKRW   int64 `json:"up_to_krw"`
	AmountKRW int64 `json:"amount_krw"`
}

// Tier credits CreditBP basis points (10000 = 100%) of the monthly fee when
// the month's availability is below BelowBP basis points. Tiers are listed
// in descending BelowBP with non-decreasing CreditBP.
type Tier struct {
	BelowBP  int64 `json:"below_bp"`
	CreditBP int64 `json:"credit_bp"`
}

// Factors weigh a loss estimated from records, in basis points in (0, 10000]:
// operating margin, availability of a substitute channel and the platform's
// market share, applied in that order (see package estimate).
type Factors struct {
	MarginBP     int64 `json:"margin_bp"`
	SubstituteBP int64 `json:"substitute_bp"`
	ShareBP      int64 `json:"share_bp"`
}

// kst is Korea Standard Time; Korea has not observed daylight saving since
// 1988, so a fixed zone is exact and needs no tzdata.
var kst = time.FixedZone("KST", 9*60*60)

// Default returns the seeded policy, version 1, which reproduces Kakao's
// voluntary compensation of 2022 (DOMAIN.md section 3) and applies to
// outages of any date: merchant bands on the loss (<= ₩300,000 -> ₩30,000,
// <= ₩500,000 -> ₩50,000, above -> individual review), judged on the loss
// the sales records show when they are given; paid subscribers and drivers 3x
// the calendar days in Korean time the outage touched of their monthly fee,
// rounded up to ₩10 (a Pro driver for 15 Oct 15:30 to 16 Oct 14:00: ₩7,550),
// drivers with trip records the earnings lost with that amount as a floor;
// free users ₩0 with emoticons and coupons; partners SLA credit tiers.
// Each call returns a fresh value the caller may modify.
func Default() Policy {
	feeDays := Rule{Kind: KindFeeDays, Multiplier: 3, RoundUpToKRW: 10, DayRounding: DayCalendar}
	gross := Factors{MarginBP: 10000, SubstituteBP: 10000, ShareBP: 10000}
	return Policy{
		Version:          1,
		Name:             "2022 카카오 기준 (기본)",
		EffectiveFrom:    time.Date(2000, 1, 1, 0, 0, 0, 0, kst),
		FilingWindowDays: DefaultFilingWindowDays,
		Categories: map[models.ClaimCategory]CategoryRule{
			models.CategoryFreeUser: {
				Rule:     Rule{Kind: KindFlat},
				Evidence: []string{EvidenceAccount}, AutoApprove: true,
				InKindItems: []InKindItem{{Name: "이모티콘", NameEN: "emoticons", Quantity: 3}, {Name: "쿠폰", NameEN: "coupons", Quantity: 2}},
			},
			models.CategoryPaidSubscriber: {Rule: feeDays, Evidence: []string{EvidenceBilling}, AutoApprove: true},
			models.CategoryMerchant: {
				Rule: Rule{
					Kind:  KindBands,
					Bands: []Band{{UpToKRW: 300_000, AmountKRW: 30_000}, {UpToKRW: 500_000, AmountKRW: 50_000}},
					// The bands were set on the claimed (gross) loss, so a loss
					// estimated from records is compared unweighted.
					Factors: gross,
				},
				Evidence:    []string{EvidenceBusinessCertificate, EvidenceSalesRecords, EvidenceAccount},
				AutoApprove: true,
			},
			models.CategoryDriver: {
				Rule:         feeDays,
				RecordsRule:  &Rule{Kind: KindLossEstimate, Factors: gross},
				RecordsFloor: true,
				Evidence:     []string{EvidenceDriverID, EvidenceTripRecords}, AutoApprove: true,
			},
			models.CategoryPartnerBusiness: {
				Rule: Rule{Kind: KindAvailabilityTiers, RoundUpToKRW: 10, Tiers: []Tier{
					{BelowBP: 9990, CreditBP: 1000}, {BelowBP: 9900, CreditBP: 2500}, {BelowBP: 9500, CreditBP: 10000},
				}},
				// A partner's impact is shown by its own logs, which staff read.
				Evidence: []string{EvidenceLogs},
			},
		},
	}
}

// Select returns the policy that governs an outage that started at
// outageStart: the one with the latest EffectiveFrom at or before it, ties
// broken by the highest Version. With none in effect it returns an error
// wrapping apperr.ErrNotFound. It does not validate the policies.
func Select(policies []Policy, outageStart time.Time) (Policy, error) {
	best := -1
	for i, p := range policies {
		if p.EffectiveFrom.After(outageStart) {
			continue
		}
		if best < 0 || p.EffectiveFrom.After(policies[best].EffectiveFrom) ||
			(p.EffectiveFrom.Equal(policies[best].EffectiveFrom) && p.Version > policies[best].Version) {
			best = i
		}
	}
	if best < 0 {
		return Policy{}, fmt.Errorf("no compensation policy in effect at %s: %w", outageStart.In(kst).Format(time.DateTime), apperr.ErrNotFound)
	}
	return policies[best], nil
}

// FilingWindow returns when claims for an outage may be filed under p: from
// the outage's start (opens) to FilingWindowDays x 24 hours after its end
// (closes), both inclusive. For an ongoing outage (outageEnd nil) the window
// is openEnded and closes is the zero time.
func FilingWindow(p Policy, outageStart time.Time, outageEnd *time.Time) (opens, closes time.Time, openEnded bool) {
	if outageEnd == nil {
		return outageStart, time.Time{}, true
	}
	days := p.FilingWindowDays
	if days == 0 {
		days = DefaultFilingWindowDays
	}
	return outageStart, outageEnd.Add(time.Duration(days) * 24 * time.Hour), false
}

// Late reports whether a claim filed at at comes after the filing window of
// an outage under p closed. A claim for an ongoing outage (outageEnd nil) is
// never late; one filed at the closing instant is not late.
func Late(p Policy, outageStart time.Time, outageEnd *time.Time, at time.Time) bool {
	_, closes, open := FilingWindow(p, outageStart, outageEnd)
	return !open && at.After(closes)
}
