package policy

import (
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/estimate"
)

const secondsPerDay = 24 * 60 * 60

func (pr *pricer) feeDays() error {
	r, fee := pr.rule, pr.in.MonthlyFeeKRW
	start := pr.in.OutageStart.In(pr.loc)
	dim := int64(time.Date(start.Year(), start.Month()+1, 0, 0, 0, 0, 0, pr.loc).Day())
	pr.add(say(apperr.M("policy.step.monthly_fee")), estimate.FormatKRW(fee))
	num := new(big.Int).Mul(big.NewInt(fee), big.NewInt(r.Multiplier))
	den := big.NewInt(dim)
	var n Text // the outage days
	if r.DayRounding == DayExact {
		secs := ceilDiv(int64(pr.duration), int64(time.Second))
		d, exact := ratio(big.NewInt(secs), big.NewInt(secondsPerDay), 4, true)
		eq := "="
		n = sprintf("(%s ÷ %s)", seconds(group(secs)), seconds(group(secondsPerDay))) // keeps the formula exact
		if exact {
			n = days(d)
		} else {
			eq = "≈"
		}
		pr.addUnits(say(apperr.M("policy.step.days_exact")), sprintf("%s ÷ %s %s %s", seconds(group(secs)), seconds(group(secondsPerDay)), eq, days(d)))
		num.Mul(num, big.NewInt(secs))
		den.Mul(den, big.NewInt(secondsPerDay))
	} else {
		whole := pr.wholeDays(r.DayRounding)
		n = dayCount(whole)
		num.Mul(num, big.NewInt(whole))
	}
	pr.addUnits(say(apperr.M("policy.step.days_in_month")), sprintf("%s (%s)", dayCount(dim), monthOf(start)))
	exact := krwRatio(num, den)
	pr.addUnits(say(apperr.M("policy.step.fee_days_formula")),
		sprintf("%s × %s × %d ÷ %s = %s", estimate.FormatKRW(fee), n, r.Multiplier, dayCount(dim), exact))
	return pr.roundUp(num, den, r.RoundUpToKRW, exact)
}

// wholeDays counts the outage days under a whole-day rounding (ceil or
// calendar_days) and explains the count.
func (pr *pricer) wholeDays(d DayRounding) int64 {
	if d == DayCalendar {
		n, first, last := CalendarDays(pr.in.OutageStart, pr.in.OutageEnd, pr.loc)
		span := first.Format("2006-01-02")
		if n > 1 {
			span += " ~ " + last.Format("2006-01-02")
		}
		pr.addUnits(say(apperr.M("policy.step.days_calendar")), sprintf("%s → %s", span, dayCount(n)))
		return n
	}
	n := ceilDiv(int64(pr.duration), int64(24*time.Hour))
	pr.addUnits(say(apperr.M("policy.step.days_ceil")), sprintf("%s → %s", formatDuration(pr.duration), dayCount(n)))
	return n
}

// CalendarDays counts the calendar days in loc that the outage [start, end)
// touched, and returns the first and last of them (midnight in loc). The end
// is exclusive: an outage ending at 00:00 does not touch that day. It needs
// end after start and returns 0 otherwise.
func CalendarDays(start, end time.Time, loc *time.Location) (n int64, first, last time.Time) {
	if !end.After(start) {
		return 0, time.Time{}, time.Time{}
	}
	a, b := start.In(loc), end.Add(-time.Nanosecond).In(loc)
	first = time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, loc)
	last = time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, loc)
	// Civil dates compared in UTC, where every day has 24 hours.
	da := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int64(db.Sub(da)/(24*time.Hour)) + 1, first, last
}

// dayBands pays the amount of the last day band the outage reaches.
func (pr *pricer) dayBands() {
	r := pr.rule
	n := pr.wholeDays(r.DayRounding)
	for i := len(r.DayBands) - 1; i >= 0; i-- {
		if b := r.DayBands[i]; n >= b.FromDays {
			pr.amount = b.AmountKRW
			pr.addUnits(say(apperr.M("policy.step.day_band")), sprintf("%s ≥ %s → %s",
				dayCount(n), dayCount(b.FromDays), estimate.FormatKRW(b.AmountKRW)))
			return
		}
	}
	pr.addUnits(say(apperr.M("policy.step.day_band")), sprintf("%s < %s: %s → %s",
		dayCount(n), dayCount(r.DayBands[0].FromDays), say(apperr.M("policy.value.no_band")), estimate.FormatKRW(0)))
}

// extension extends the paid service by the outage days x the multiplier.
func (pr *pricer) extension() {
	r := pr.rule
	n := pr.wholeDays(r.DayRounding)
	pr.extDays = n * r.Multiplier
	pr.addUnits(say(apperr.M("policy.step.extension_formula")), sprintf("%s × %d = %s", dayCount(n), r.Multiplier,
		say(apperr.M("policy.unit.extension_days", map[string]any{"n": strconv.FormatInt(pr.extDays, 10)}))))
	pr.add(say(apperr.M("policy.step.extension_no_cash")), estimate.FormatKRW(0))
}

func (pr *pricer) tiers() error {
	r, fee := pr.rule, pr.in.MonthlyFeeKRW
	start := pr.in.OutageStart.In(pr.loc)
	first := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, pr.loc)
	month := int64(first.AddDate(0, 1, 0).Sub(first) / time.Second)
	down := ceilDiv(int64(pr.duration), int64(time.Second))
	pr.add(say(apperr.M("policy.step.monthly_fee")), estimate.FormatKRW(fee))
	pr.addUnits(say(apperr.M("policy.step.month_length")), sprintf("%s: %s", monthOf(start), seconds(group(month))))
	up := max(month-down, 0)
	avail := formatMillionths(up * 1_000_000 / month) // rounded down, so "below" never shows as equal
	pr.addUnits(say(apperr.M("policy.step.availability")), sprintf("1 − %s ÷ %s = %s", seconds(group(down)), seconds(group(month)), avail))
	var tier *Tier
	for i, t := range r.Tiers { // strictly descending, so the last match is the lowest
		if up*estimate.BasisPoints < t.BelowBP*month {
			tier = &r.Tiers[i]
		}
	}
	if tier == nil {
		pr.addUnits(say(apperr.M("policy.step.credit_tier")), sprintf("%s: %s → 0%%", avail, say(apperr.M("policy.value.no_band"))))
		return nil
	}
	pr.add(say(apperr.M("policy.step.credit_tier")), fmt.Sprintf("%s < %s → %s", avail, estimate.FormatBP(tier.BelowBP), estimate.FormatBP(tier.CreditBP)))
	num := new(big.Int).Mul(big.NewInt(fee), big.NewInt(tier.CreditBP))
	den := big.NewInt(estimate.BasisPoints)
	exact := krwRatio(num, den)
	pr.add(say(apperr.M("policy.step.credit_formula")), fmt.Sprintf("%s × %s = %s", estimate.FormatKRW(fee), estimate.FormatBP(tier.CreditBP), exact))
	return pr.roundUp(num, den, r.RoundUpToKRW, exact)
}

func (pr *pricer) bands() error {
	r, claimed := pr.rule, pr.in.ClaimedKRW
	top := r.Bands[len(r.Bands)-1].UpToKRW
	var res estimate.Result
	records := len(pr.in.Points) > 0
	basis := claimed
	if records {
		var err error
		if res, basis, err = pr.estimateLoss(r.Factors); err != nil {
			return err
		}
		if pr.noLoss(res, basis) {
			return nil
		}
		pr.add(say(apperr.M("policy.step.band_basis_records")), estimate.FormatKRW(basis))
	} else {
		pr.add(say(apperr.M("policy.step.band_basis_claimed")), estimate.FormatKRW(basis))
	}
	if records && claimed > top && basis <= top {
		// The records do not set a larger claim aside on their own: a person
		// weighs the claim against the records and any other proof.
		pr.review, pr.reason = true, ReasonAboveTopBand
		pr.addEN(say(apperr.M("policy.step.claimed_above_top")), say(apperr.M("policy.value.claimed_above_top",
			map[string]any{"claimed": estimate.FormatKRW(claimed), "top": estimate.FormatKRW(top)})))
	}
	for i, b := range r.Bands {
		if basis <= b.UpToKRW {
			pr.amount = b.AmountKRW
			pr.addUnits(say(apperr.M("policy.step.band")), sprintf("%s → %s", bandText(r.Bands, i), estimate.FormatKRW(b.AmountKRW)))
			return nil
		}
	}
	pr.review, pr.reason = true, ReasonAboveTopBand
	above := fmt.Sprintf("%s > %s", estimate.FormatKRW(basis), estimate.FormatKRW(top))
	if records {
		pr.amount = res.AmountKRW
		pr.add(say(apperr.M("policy.step.above_bands_records")), fmt.Sprintf("%s → %s", above, estimate.FormatKRW(pr.amount)))
	} else {
		pr.amount = claimed
		pr.add(say(apperr.M("policy.step.above_bands_claimed")), fmt.Sprintf("%s → %s", above, estimate.FormatKRW(pr.amount)))
	}
	pr.addEN(say(apperr.M("policy.step.review_how")), say(apperr.M("policy.value.review_how")))
	return nil
}

// noLoss handles records that show no loss: an outage wholly outside the
// opening hours (or shift), or a loss of ₩0. The estimate is then ₩0 and a
// person confirms it; a band is never paid on records that prove no loss.
func (pr *pricer) noLoss(res estimate.Result, loss int64) bool {
	inside := 0
	for _, h := range res.Hours {
		if !h.Skipped {
			inside++
		}
	}
	switch {
	case inside == 0:
		pr.reason = ReasonOutsideOpeningHours
		pr.addEN(say(apperr.M("policy.step.outside_hours")), say(apperr.M("policy.value.outside_hours")))
	case loss == 0:
		pr.reason = ReasonNoLossShown
		pr.addEN(say(apperr.M("policy.step.no_loss")), say(apperr.M("policy.value.no_loss")))
	default:
		return false
	}
	pr.amount, pr.review, pr.capped = 0, true, true
	return true
}

func (pr *pricer) lossEstimate() error {
	if len(pr.in.Points) == 0 {
		pr.review, pr.reason = true, ReasonNoRecords
		pr.amount = pr.in.ClaimedKRW
		pr.add(say(apperr.M("policy.step.no_records")), estimate.FormatKRW(pr.amount))
		return nil
	}
	res, preCap, err := pr.estimateLoss(pr.rule.Factors)
	if err != nil {
		return err
	}
	if pr.noLoss(res, preCap) {
		return nil
	}
	pr.amount, pr.capped = res.AmountKRW, true
	if c := pr.cr.CapKRW; c > 0 && preCap > c {
		pr.review, pr.reason = true, ReasonAboveCap
		pr.add(say(apperr.M("policy.step.above_cap")), fmt.Sprintf("%s > %s", estimate.FormatKRW(preCap), estimate.FormatKRW(c)))
	}
	return nil
}

// estimateLoss runs the hourly baseline estimate with the category's cap and
// appends its steps. It returns the result and the amount before the cap.
func (pr *pricer) estimateLoss(f Factors) (estimate.Result, int64, error) {
	res, err := estimate.Estimate(estimate.Input{
		Points: pr.in.Points, Start: pr.in.OutageStart, End: pr.in.OutageEnd,
		Schedule: pr.in.Schedule, Loc: pr.loc,
		Factors: estimate.Factors{MarginBP: f.MarginBP, SubstituteBP: f.SubstituteBP, ShareBP: f.ShareBP, CapKRW: pr.cr.CapKRW},
	})
	if err != nil {
		return estimate.Result{}, 0, fmt.Errorf("estimate loss from records: %v: %w", err, apperr.ErrInvalid)
	}
	pr.addUnits(say(apperr.M("policy.step.loss_from_records")), say(apperr.M("policy.value.records", map[string]any{"n": group(int64(len(pr.in.Points)))})))
	preCap := res.AmountKRW
	for _, s := range res.Steps {
		if s.Key == "window" {
			continue // already shown at the top
		}
		v := s.Value
		if s.AmountKRW != nil && v != estimate.FormatKRW(*s.AmountKRW) {
			v += " → " + estimate.FormatKRW(*s.AmountKRW)
		}
		if label := (Text{KO: s.LabelKO, EN: s.LabelEN}); s.ValueEN != "" {
			pr.addEN(label, Text{KO: v, EN: s.ValueEN})
		} else {
			pr.add(label, v) // numbers, dates and percentages
		}
		if s.Key == "share" && s.AmountKRW != nil { // the last step before the cap (estimate's documented keys)
			preCap = *s.AmountKRW
		}
	}
	return res, preCap, nil
}

// roundUp sets the amount to num/den rounded up to unit (0 = whole won).
func (pr *pricer) roundUp(num, den *big.Int, unit int64, exact string) error {
	unit = max(unit, 1)
	q, m := new(big.Int).QuoRem(num, new(big.Int).Mul(den, big.NewInt(unit)), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	q.Mul(q, big.NewInt(unit))
	if !q.IsInt64() || q.Int64() > MaxKRW {
		return fmt.Errorf("amount %s won exceeds %d: %w", q, MaxKRW, apperr.ErrInvalid)
	}
	pr.amount = q.Int64()
	label := say(apperr.M("policy.step.round_unit", map[string]any{"unit": estimate.FormatKRW(unit)}))
	if unit == 1 {
		label = say(apperr.M("policy.step.round_won"))
	}
	pr.add(label, fmt.Sprintf("%s → %s", exact, estimate.FormatKRW(pr.amount)))
	return nil
}

func bandText(bands []Band, i int) Text {
	up := estimate.FormatKRW(bands[i].UpToKRW)
	if i == 0 {
		return say(apperr.M("policy.value.band_up_to", map[string]any{"up_to": up}))
	}
	return say(apperr.M("policy.value.band_range", map[string]any{"over": estimate.FormatKRW(bands[i-1].UpToKRW), "up_to": up}))
}
