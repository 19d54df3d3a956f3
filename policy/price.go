package policy

import (
	"fmt"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/estimate"
	"github.com/bosang/bosang/models"
)

// Input is a claim to price. OutageStart and OutageEnd bound the outage
// [start, end); for an ongoing outage the caller passes now as the end.
// ClaimedKRW is the loss the claimant states and MonthlyFeeKRW the fee of
// the paid service or membership (0 = not given). Points are the uploaded
// sales or trip records (nil if none), read against Schedule, the opening
// hours or declared shift. Loc is the zone in which months, hours and the
// window are read; nil means Korea Standard Time.
type Input struct {
	Category      models.ClaimCategory
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
// ReviewReason says why a person must look (one of the Reason* constants) or
// is empty. ExtensionDays is how long the paid service is extended (rule
// kind extension); InKind lists in-kind compensation given besides
// AmountKRW (Korean; InKindEN in English).
type Estimate struct {
	AmountKRW      int64  `json:"amount_krw"`
	PolicyVersion  int    `json:"policy_version"`
	Steps          []Step `json:"steps"`
	Auto           bool   `json:"auto"`
	ReviewRequired bool   `json:"review_required"`
	ReviewReason   string `json:"review_reason,omitempty"`
	ExtensionDays  int64  `json:"extension_days,omitempty"`
	InKind         string `json:"in_kind,omitempty"`
	InKindEN       string `json:"in_kind_en,omitempty"`
}

// The reasons an Estimate goes to a person instead of paying a band or an
// amount automatically.
const (
	// ReasonOutsideOpeningHours: the records show the outage fell wholly
	// outside the opening hours (or shift); the estimate is ₩0.
	ReasonOutsideOpeningHours = "outside_opening_hours"
	// ReasonNoLossShown: the records show no loss during the outage; the
	// estimate is ₩0.
	ReasonNoLossShown = "no_loss_shown"
	// ReasonAboveTopBand: the claimed or estimated loss is above the top band.
	ReasonAboveTopBand = "above_top_band"
	// ReasonAboveCap: the loss estimated from records is above the cap.
	ReasonAboveCap = "above_cap"
	// ReasonNoRecords: the rule needs records and none were given.
	ReasonNoRecords = "no_records"
)

// Step is one line of the explanation: Label in Korean, LabelEN in English
// and a Value with the numbers ("₩39,000 × 2일 × 3 ÷ 31일 = ₩7,548.39").
// ValueEN is set where the value is words rather than numbers.
type Step struct {
	Label   string `json:"label"`
	LabelEN string `json:"label_en"`
	Value   string `json:"value"`
	ValueEN string `json:"value_en,omitempty"`
}

// Price prices in under p and explains every step. p is trusted to have
// passed Validate when it was published, so a policy that lacks a category
// added later still prices its other categories; only the rule in
// in.Category is checked again. It returns an error wrapping
// apperr.ErrInvalid when that rule is broken, the outage window is missing
// or not positive, or the loss estimate rejects the records (see
// estimate.Estimate), and a *apperr.ValidationError naming the field when
// the claimant's input is unusable: "category" when p has no rule for it,
// "claimed_amount_krw" or "details.monthly_fee_krw" negative, above MaxKRW or
// missing where the rule needs it, "details.opening_hours" (merchants) or
// "details.shift" invalid while records are given.
//
// With records and a RecordsRule, the records rule prices the claim; with
// RecordsFloor the category's Rule, priced without records, is a floor.
func Price(p Policy, in Input) (Estimate, error) {
	cr, ok := p.Categories[in.Category]
	if !ok {
		return Estimate{}, apperr.InvalidMsg("category", apperr.M("policy.category_not_covered", map[string]any{"version": p.Version}))
	}
	var f apperr.Fields
	cr.validate(&f, "categories."+string(in.Category))
	if err := f.Err(); err != nil {
		// Flattened: a broken policy is not the claimant's field error.
		return Estimate{}, fmt.Errorf("policy v%d: %v: %w", p.Version, err, apperr.ErrInvalid)
	}
	records := len(in.Points) > 0
	rule := cr.Rule
	if records && cr.RecordsRule != nil {
		rule = *cr.RecordsRule
	}
	if err := checkInput(rule, in); err != nil {
		return Estimate{}, err
	}
	floor := records && cr.RecordsRule != nil && cr.RecordsFloor
	if floor {
		if err := checkInput(cr.Rule, Input{Category: in.Category, OutageStart: in.OutageStart, OutageEnd: in.OutageEnd,
			ClaimedKRW: in.ClaimedKRW, MonthlyFeeKRW: in.MonthlyFeeKRW}); err != nil {
			return Estimate{}, err
		}
	}
	pr := &pricer{p: p, cr: cr, in: in, loc: in.Loc}
	if pr.loc == nil {
		pr.loc = kst
	}
	pr.intro()
	if !floor {
		if err := pr.run(rule); err != nil {
			return Estimate{}, err
		}
		pr.applyCap()
		return pr.finish(), nil
	}
	return pr.withFloor(rule)
}

// withFloor prices the base rule without records, then the records rule,
// and pays the larger: the base amount is owed whatever the records show.
func (pr *pricer) withFloor(records Rule) (Estimate, error) {
	floor := DescribeRule(pr.cr.Rule)
	pr.addEN(say(apperr.M("policy.step.floor_rule")), floor)
	points := pr.in.Points
	pr.in.Points = nil
	if err := pr.run(pr.cr.Rule); err != nil {
		return Estimate{}, err
	}
	pr.in.Points = points
	pr.applyCap()
	base, baseCapped := pr.amount, pr.capped
	pr.amount, pr.review, pr.reason, pr.capped = 0, false, "", false
	rec := DescribeRule(records)
	pr.addEN(say(apperr.M("policy.step.records_rule")), rec)
	if err := pr.run(records); err != nil {
		return Estimate{}, err
	}
	pr.applyCap()
	if pr.amount < base {
		pr.add(say(apperr.M("policy.step.floor_applies")),
			fmt.Sprintf("%s < %s → %s", estimate.FormatKRW(pr.amount), estimate.FormatKRW(base), estimate.FormatKRW(base)))
		// The floor is owed without anyone's judgement, whatever the records show.
		pr.amount, pr.review, pr.reason, pr.capped = base, false, "", baseCapped
		return pr.finish(), nil
	}
	pr.add(say(apperr.M("policy.step.records_apply")),
		fmt.Sprintf("%s ≥ %s → %s", estimate.FormatKRW(pr.amount), estimate.FormatKRW(base), estimate.FormatKRW(pr.amount)))
	return pr.finish(), nil
}

// run prices one rule into pr.
func (pr *pricer) run(r Rule) error {
	pr.rule = r
	switch r.Kind {
	case KindFlat:
		pr.amount = r.AmountKRW
		pr.add(say(apperr.M("policy.step.flat")), estimate.FormatKRW(pr.amount))
	case KindFeeDays:
		return pr.feeDays()
	case KindBands:
		return pr.bands()
	case KindLossEstimate:
		return pr.lossEstimate()
	case KindAvailabilityTiers:
		return pr.tiers()
	case KindDayBands:
		pr.dayBands()
	case KindExtension:
		pr.extension()
	}
	return nil
}

func checkInput(r Rule, in Input) error {
	switch {
	case in.OutageStart.IsZero() || in.OutageEnd.IsZero():
		return fmt.Errorf("outage start and end required: %w", apperr.ErrInvalid)
	case !in.OutageEnd.After(in.OutageStart):
		return fmt.Errorf("outage end %s not after start %s: %w", in.OutageEnd, in.OutageStart, apperr.ErrInvalid)
	}
	var f apperr.Fields
	if in.ClaimedKRW < 0 || in.ClaimedKRW > MaxKRW {
		f.AddMsg("claimed_amount_krw", apperr.M("policy.amount_range"))
	}
	if in.MonthlyFeeKRW < 0 || in.MonthlyFeeKRW > MaxKRW {
		f.AddMsg("details.monthly_fee_krw", apperr.M("policy.amount_range"))
	}
	records := len(in.Points) > 0
	switch r.Kind {
	case KindFeeDays, KindAvailabilityTiers, KindExtension:
		if in.MonthlyFeeKRW == 0 && r.Kind != KindExtension {
			f.AddMsg("details.monthly_fee_krw", apperr.M("policy.monthly_fee_required"))
		}
	case KindBands:
		if !records && in.ClaimedKRW == 0 {
			f.AddMsg("claimed_amount_krw", apperr.M("policy.claimed_or_records"))
		}
	}
	if records && (r.Kind == KindBands || r.Kind == KindLossEstimate) && in.Schedule.Validate() != nil {
		field := "details.shift"
		if in.Category == models.CategoryMerchant {
			field = "details.opening_hours"
		}
		f.AddMsg(field, apperr.M("policy.schedule_check"))
	}
	return f.Err()
}

// pricer accumulates the steps and the running amount of one Price call.
type pricer struct {
	p        Policy
	cr       CategoryRule
	rule     Rule // the rule being priced: cr.Rule or cr.RecordsRule
	in       Input
	reason   string
	extDays  int64
	loc      *time.Location
	steps    []Step
	amount   int64
	review   bool
	capped   bool // the loss estimate already applied (and explained) the cap
	duration time.Duration
}

// add adds a step whose value is numbers and symbols, the same in both
// languages.
func (pr *pricer) add(label Text, value string) {
	pr.steps = append(pr.steps, Step{Label: label.KO, LabelEN: label.EN, Value: value})
}

// addUnits adds a step whose value is numbers with units or a few words:
// ValueEN is set only where the English differs.
func (pr *pricer) addUnits(label Text, value Text) {
	en := value.EN
	if en == value.KO {
		en = ""
	}
	pr.steps = append(pr.steps, Step{Label: label.KO, LabelEN: label.EN, Value: value.KO, ValueEN: en})
}

// addEN adds a step whose value is words, not numbers, so it has one per language.
func (pr *pricer) addEN(label Text, value Text) {
	pr.steps = append(pr.steps, Step{Label: label.KO, LabelEN: label.EN, Value: value.KO, ValueEN: value.EN})
}

func (pr *pricer) intro() {
	start, end := pr.in.OutageStart.In(pr.loc), pr.in.OutageEnd.In(pr.loc)
	pr.duration = end.Sub(start)
	// The policy's name reads as published, in both languages.
	pr.add(say(apperr.M("policy.step.policy")), fmt.Sprintf("%s (v%d)", pr.p.Name, pr.p.Version))
	pr.add(say(apperr.M("policy.step.window")), formatRange(start, end))
	pr.addUnits(say(apperr.M("policy.step.duration")), formatDuration(pr.duration))
	pr.addEN(say(apperr.M("policy.step.rule")), Describe(pr.cr))
}

func (pr *pricer) applyCap() {
	c := pr.cr.CapKRW
	if c == 0 || pr.capped {
		return
	}
	if pr.amount > c {
		pr.add(say(apperr.M("policy.step.cap_applied")), fmt.Sprintf("%s → %s", estimate.FormatKRW(pr.amount), estimate.FormatKRW(c)))
		pr.amount = c
		return
	}
	pr.addUnits(say(apperr.M("policy.step.cap_not_applied")), say(apperr.M("policy.value.cap", map[string]any{"amount": estimate.FormatKRW(c)})))
}

func (pr *pricer) finish() Estimate {
	e := Estimate{
		AmountKRW:      pr.amount,
		PolicyVersion:  pr.p.Version,
		ReviewRequired: pr.review,
		ReviewReason:   pr.reason,
		Auto:           pr.cr.AutoApprove && !pr.review,
		ExtensionDays:  pr.extDays,
	}
	if it := InKindText(pr.cr); it.KO != "" {
		e.InKind, e.InKindEN = it.KO, it.EN
		pr.addEN(say(apperr.M("policy.step.in_kind")), it)
	}
	if e.ExtensionDays > 0 {
		pr.addUnits(say(apperr.M("policy.step.extension")), dayCount(e.ExtensionDays))
	}
	switch {
	case e.ReviewRequired:
		pr.addUnits(say(apperr.M("policy.step.handling")), say(apperr.M("policy.value.review")))
		pr.add(say(apperr.M("policy.step.provisional")), estimate.FormatKRW(e.AmountKRW))
	case e.Auto:
		pr.addUnits(say(apperr.M("policy.step.handling")), say(apperr.M("policy.value.auto")))
		pr.add(say(apperr.M("policy.step.amount")), estimate.FormatKRW(e.AmountKRW))
	default:
		pr.addUnits(say(apperr.M("policy.step.handling")), say(apperr.M("policy.value.evidence")))
		pr.add(say(apperr.M("policy.step.amount")), estimate.FormatKRW(e.AmountKRW))
	}
	e.Steps = pr.steps
	return e
}
