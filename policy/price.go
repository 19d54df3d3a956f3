package policy

import (
	"fmt"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/estimate"
)

// Input is a claim to price. OutageStart and OutageEnd bound the outage
// [start, end); for an ongoing outage the caller passes now as the end.
// ClaimedKRW is the loss the claimant states and MonthlyFeeKRW the fee of
// the paid service or membership (0 = not given). Points are the uploaded
// sales or trip records (nil if none), read against Schedule, the opening
// hours or declared shift. Loc is the zone in which months, hours and the
// window are read; nil means Korea Standard Time.
type Input struct {
	Category      Category
	OutageStart   time.Time
	OutageEnd     time.Time
	ClaimedKRW    int64
	MonthlyFeeKRW int64
	Points        []estimate.Point
	Schedule      estimate.Schedule
	Loc           *time.Location
}

// Estimate is a priced claim: AmountKRW in won under policy PolicyVersion,
// the Steps that explain it in order, whether it needs individual review
// (ReviewRequired; AmountKRW is then provisional) and whether it may be
// approved automatically (Auto = the rule's AutoApprove and no review).
// InKind describes in-kind compensation given besides AmountKRW.
type Estimate struct {
	AmountKRW      int64  `json:"amount_krw"`
	PolicyVersion  int    `json:"policy_version"`
	Steps          []Step `json:"steps"`
	Auto           bool   `json:"auto"`
	ReviewRequired bool   `json:"review_required"`
	InKind         string `json:"in_kind,omitempty"`
}

// Step is one line of the explanation: Label in Korean, LabelEN in English
// and a Value with the numbers ("₩39,000 × 2일 × 3 ÷ 31일 = ₩7,548.39").
type Step struct {
	Label   string `json:"label"`
	LabelEN string `json:"label_en"`
	Value   string `json:"value"`
}

// Price prices in under p and explains every step. It returns an error
// wrapping apperr.ErrInvalid when p fails Validate or the outage window is
// missing or not positive, or the loss estimate rejects the records (see
// estimate.Estimate), and a *apperr.ValidationError naming the field when
// the claimant's input is unusable: "category" not in p, "claimed_amount_krw"
// or "details.monthly_fee_krw" negative, above MaxKRW or missing where the
// rule needs it, "details.opening_hours" (merchants) or "details.shift"
// invalid while records are given.
func Price(p Policy, in Input) (Estimate, error) {
	if err := p.Validate(); err != nil {
		// Flattened: a broken policy is not the claimant's field error.
		return Estimate{}, fmt.Errorf("policy v%d: %v: %w", p.Version, err, apperr.ErrInvalid)
	}
	cr, ok := p.Categories[in.Category]
	if !ok {
		return Estimate{}, apperr.Invalid("category", "알 수 없는 청구 유형입니다.", "Unknown claimant category.")
	}
	if err := checkInput(cr.Rule, in); err != nil {
		return Estimate{}, err
	}
	pr := &pricer{p: p, cr: cr, in: in, loc: in.Loc}
	if pr.loc == nil {
		pr.loc = kst
	}
	pr.intro()
	var err error
	switch cr.Rule.Kind {
	case KindFlat:
		pr.amount = cr.Rule.AmountKRW
		pr.add("정액 보상", "Flat amount", estimate.FormatKRW(pr.amount))
	case KindFeeDays:
		err = pr.feeDays()
	case KindBands:
		err = pr.bands()
	case KindLossEstimate:
		err = pr.lossEstimate()
	case KindAvailabilityTiers:
		err = pr.tiers()
	}
	if err != nil {
		return Estimate{}, err
	}
	pr.applyCap()
	return pr.finish(), nil
}

func checkInput(r Rule, in Input) error {
	switch {
	case in.OutageStart.IsZero() || in.OutageEnd.IsZero():
		return fmt.Errorf("outage start and end required: %w", apperr.ErrInvalid)
	case !in.OutageEnd.After(in.OutageStart):
		return fmt.Errorf("outage end %s not after start %s: %w", in.OutageEnd, in.OutageStart, apperr.ErrInvalid)
	}
	var f apperr.Fields
	const rangeKO, rangeEN = "금액은 ₩0 이상 ₩1조 이하여야 합니다.", "The amount must be ₩0 to ₩1,000,000,000,000."
	if in.ClaimedKRW < 0 || in.ClaimedKRW > MaxKRW {
		f.Add("claimed_amount_krw", rangeKO, rangeEN)
	}
	if in.MonthlyFeeKRW < 0 || in.MonthlyFeeKRW > MaxKRW {
		f.Add("details.monthly_fee_krw", rangeKO, rangeEN)
	}
	records := len(in.Points) > 0
	switch r.Kind {
	case KindFeeDays, KindAvailabilityTiers:
		if in.MonthlyFeeKRW == 0 {
			f.Add("details.monthly_fee_krw", "월 요금을 입력해 주세요.", "Enter the monthly fee.")
		}
	case KindBands:
		if !records && in.ClaimedKRW == 0 {
			f.Add("claimed_amount_krw", "손실 금액을 입력하거나 판매 기록을 올려 주세요.", "Enter the amount lost or upload your sales records.")
		}
	}
	if records && (r.Kind == KindBands || r.Kind == KindLossEstimate) && in.Schedule.Validate() != nil {
		field := "details.shift"
		if in.Category == Merchant {
			field = "details.opening_hours"
		}
		f.Add(field, "영업시간(근무시간)을 확인해 주세요.", "Check the opening hours (or shift).")
	}
	return f.Err()
}

// pricer accumulates the steps and the running amount of one Price call.
type pricer struct {
	p        Policy
	cr       CategoryRule
	in       Input
	loc      *time.Location
	steps    []Step
	amount   int64
	review   bool
	capped   bool // the loss estimate already applied (and explained) the cap
	duration time.Duration
}

func (pr *pricer) add(ko, en, value string) {
	pr.steps = append(pr.steps, Step{Label: ko, LabelEN: en, Value: value})
}

func (pr *pricer) intro() {
	start, end := pr.in.OutageStart.In(pr.loc), pr.in.OutageEnd.In(pr.loc)
	pr.duration = end.Sub(start)
	pr.add("적용 보상 정책", "Compensation policy", fmt.Sprintf("%s (v%d)", pr.p.Name, pr.p.Version))
	pr.add("장애 시간", "Outage window", formatRange(start, end))
	pr.add("장애 지속 시간", "Outage duration", formatDuration(pr.duration))
	pr.add("보상 기준", "Rule", describe(pr.cr.Rule))
}

func (pr *pricer) applyCap() {
	c := pr.cr.CapKRW
	if c == 0 || pr.capped {
		return
	}
	if pr.amount > c {
		pr.add("상한 적용", "Cap applied", fmt.Sprintf("%s → %s", estimate.FormatKRW(pr.amount), estimate.FormatKRW(c)))
		pr.amount = c
		return
	}
	pr.add("상한 이하 — 미적용", "Below the cap — not applied", "상한 "+estimate.FormatKRW(c))
}

func (pr *pricer) finish() Estimate {
	e := Estimate{
		AmountKRW:      pr.amount,
		PolicyVersion:  pr.p.Version,
		ReviewRequired: pr.review,
		Auto:           pr.cr.AutoApprove && !pr.review,
		InKind:         pr.cr.InKind,
	}
	if e.InKind != "" {
		pr.add("현물 보상", "In-kind compensation", e.InKind)
	}
	switch {
	case e.ReviewRequired:
		pr.add("처리 방식", "Handling", "개별 심사")
		pr.add("잠정 보상액 (심사 후 확정)", "Provisional amount (set after review)", estimate.FormatKRW(e.AmountKRW))
	case e.Auto:
		pr.add("처리 방식", "Handling", "자동 승인 대상")
		pr.add("보상액", "Compensation", estimate.FormatKRW(e.AmountKRW))
	default:
		pr.add("처리 방식", "Handling", "증빙 확인 후 결정")
		pr.add("보상액", "Compensation", estimate.FormatKRW(e.AmountKRW))
	}
	e.Steps = pr.steps
	return e
}
