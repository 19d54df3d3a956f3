package policy

import (
	"fmt"
	"math/big"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/estimate"
)

const secondsPerDay = 24 * 60 * 60

func (pr *pricer) feeDays() error {
	r, fee := pr.rule, pr.in.MonthlyFeeKRW
	start := pr.in.OutageStart.In(pr.loc)
	dim := int64(time.Date(start.Year(), start.Month()+1, 0, 0, 0, 0, 0, pr.loc).Day())
	pr.add("월 요금", "Monthly fee", estimate.FormatKRW(fee))
	num := new(big.Int).Mul(big.NewInt(fee), big.NewInt(r.Multiplier))
	den := big.NewInt(dim)
	var days string
	if r.DayRounding == DayExact {
		secs := ceilDiv(int64(pr.duration), int64(time.Second))
		d, exact := ratio(big.NewInt(secs), big.NewInt(secondsPerDay), 4, true)
		eq := "="
		days = fmt.Sprintf("(%s초 ÷ 86,400초)", group(secs)) // keeps the formula exact
		if exact {
			days = d + "일"
		} else {
			eq = "≈"
		}
		pr.add("장애 일수 (초 단위로 정확히)", "Outage days (exact, by the second)", fmt.Sprintf("%s초 ÷ 86,400초 %s %s일", group(secs), eq, d))
		num.Mul(num, big.NewInt(secs))
		den.Mul(den, big.NewInt(secondsPerDay))
	} else {
		n := pr.wholeDays(r.DayRounding)
		days = fmt.Sprintf("%d일", n)
		num.Mul(num, big.NewInt(n))
	}
	pr.add("해당 월 일수", "Days in the outage's month", fmt.Sprintf("%d일 (%d년 %d월)", dim, start.Year(), start.Month()))
	exact := krwRatio(num, den)
	pr.add("계산: 월 요금 × 장애 일수 × 배수 ÷ 해당 월 일수", "Fee × outage days × multiplier ÷ days in the month",
		fmt.Sprintf("%s × %s × %d ÷ %d일 = %s", estimate.FormatKRW(fee), days, r.Multiplier, dim, exact))
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
		pr.add("장애 일수 (장애가 걸친 날짜 수, 한국 시간)", "Outage days (calendar days touched, Korean time)", fmt.Sprintf("%s → %d일", span, n))
		return n
	}
	n := ceilDiv(int64(pr.duration), int64(24*time.Hour))
	pr.add("장애 일수 (24시간 단위 올림)", "Outage days (each started 24 hours counts as a day)", fmt.Sprintf("%s → %d일", formatDuration(pr.duration), n))
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
			pr.add("적용 일수 구간", "Day band", fmt.Sprintf("%d일 ≥ %d일 → %s", n, b.FromDays, estimate.FormatKRW(b.AmountKRW)))
			return
		}
	}
	pr.add("적용 일수 구간", "Day band", fmt.Sprintf("%d일 < %d일: 해당 구간 없음 → %s", n, r.DayBands[0].FromDays, estimate.FormatKRW(0)))
}

// extension extends the paid service by the outage days x the multiplier.
func (pr *pricer) extension() {
	r := pr.rule
	n := pr.wholeDays(r.DayRounding)
	pr.extDays = n * r.Multiplier
	pr.add("계산: 장애 일수 × 배수", "Outage days × multiplier", fmt.Sprintf("%d일 × %d = %d일 연장", n, r.Multiplier, pr.extDays))
	pr.add("현금 보상 없음 (기간 연장)", "No cash (the period is extended)", estimate.FormatKRW(0))
}

func (pr *pricer) tiers() error {
	r, fee := pr.rule, pr.in.MonthlyFeeKRW
	start := pr.in.OutageStart.In(pr.loc)
	first := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, pr.loc)
	month := int64(first.AddDate(0, 1, 0).Sub(first) / time.Second)
	down := ceilDiv(int64(pr.duration), int64(time.Second))
	pr.add("월 요금", "Monthly fee", estimate.FormatKRW(fee))
	pr.add("해당 월 길이", "Length of the outage's month", fmt.Sprintf("%d년 %d월: %s초", start.Year(), start.Month(), group(month)))
	up := max(month-down, 0)
	avail := formatMillionths(up * 1_000_000 / month) // rounded down, so "below" never shows as equal
	pr.add("월 가용률 = 1 − 장애 시간 ÷ 월 길이", "Availability = 1 − outage ÷ month", fmt.Sprintf("1 − %s초 ÷ %s초 = %s", group(down), group(month), avail))
	var tier *Tier
	for i, t := range r.Tiers { // strictly descending, so the last match is the lowest
		if up*estimate.BasisPoints < t.BelowBP*month {
			tier = &r.Tiers[i]
		}
	}
	if tier == nil {
		pr.add("적용 크레딧", "Credit tier", fmt.Sprintf("%s: 해당 구간 없음 → 0%%", avail))
		return nil
	}
	pr.add("적용 크레딧", "Credit tier", fmt.Sprintf("%s < %s → %s", avail, estimate.FormatBP(tier.BelowBP), estimate.FormatBP(tier.CreditBP)))
	num := new(big.Int).Mul(big.NewInt(fee), big.NewInt(tier.CreditBP))
	den := big.NewInt(estimate.BasisPoints)
	exact := krwRatio(num, den)
	pr.add("계산: 월 요금 × 크레딧", "Fee × credit", fmt.Sprintf("%s × %s = %s", estimate.FormatKRW(fee), estimate.FormatBP(tier.CreditBP), exact))
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
		pr.add("구간 판정 기준: 기록으로 추정한 손실 (상한 적용 전)", "Band basis: loss estimated from records (before the cap)", estimate.FormatKRW(basis))
	} else {
		pr.add("구간 판정 기준: 청구 손실액", "Band basis: claimed loss", estimate.FormatKRW(basis))
	}
	if records && claimed > top && basis <= top {
		// The records do not set a larger claim aside on their own: a person
		// weighs the claim against the records and any other proof.
		pr.review, pr.reason = true, ReasonAboveTopBand
		pr.addEN("청구 손실이 최고 구간 초과 — 개별 심사", "The claimed loss is above the top band — individual review",
			fmt.Sprintf("청구 %s > %s: 심사자가 기록과 증빙으로 손실을 판단합니다. 잠정 금액은 기록이 보여 주는 구간입니다.", estimate.FormatKRW(claimed), estimate.FormatKRW(top)),
			fmt.Sprintf("claimed %s > %s: a reviewer weighs the records and your proof; the provisional amount is the band your records show.", estimate.FormatKRW(claimed), estimate.FormatKRW(top)))
	}
	for i, b := range r.Bands {
		if basis <= b.UpToKRW {
			pr.amount = b.AmountKRW
			pr.add("적용 구간", "Band", fmt.Sprintf("%s → %s", bandText(r.Bands, i), estimate.FormatKRW(b.AmountKRW)))
			return nil
		}
	}
	pr.review, pr.reason = true, ReasonAboveTopBand
	above := fmt.Sprintf("%s > %s", estimate.FormatKRW(basis), estimate.FormatKRW(top))
	if records {
		pr.amount = res.AmountKRW
		pr.add("구간 초과 — 개별 심사, 잠정 금액은 추정 손실 (상한 적용 후)", "Above the bands — individual review; provisional amount is the estimated loss (after the cap)",
			fmt.Sprintf("%s → %s", above, estimate.FormatKRW(pr.amount)))
	} else {
		pr.amount = claimed
		pr.add("구간 초과 — 개별 심사, 잠정 금액은 청구액", "Above the bands — individual review; provisional amount is the claimed loss",
			fmt.Sprintf("%s → %s", above, estimate.FormatKRW(pr.amount)))
	}
	pr.addEN("개별 심사 방법", "How individual review works",
		"심사자가 매출 기록, 영업이익률, 대체 수단, 점유율과 증빙을 보고 금액을 정합니다. 추가 서류를 요청할 수 있으며 결정에는 사유가 붙습니다.",
		"A reviewer sets the amount from your sales records, margin, substitute channels, market share and proof; they may ask for more documents, and every decision states its reason.")
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
		pr.addEN("장애가 모두 영업시간(근무시간) 밖", "The outage fell wholly outside the opening hours (or shift)",
			"영업시간 중 장애 0시간 → ₩0", "0 outage hours in opening hours → ₩0")
	case loss == 0:
		pr.reason = ReasonNoLossShown
		pr.addEN("기록상 손실 없음", "The records show no loss", "장애 시간의 매출(운행)이 평소 이상 → ₩0", "takings during the outage were at or above the baseline → ₩0")
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
		pr.add("판매·운행 기록 없음 — 개별 심사, 잠정 금액은 청구액", "No records — individual review; provisional amount is the claimed loss", estimate.FormatKRW(pr.amount))
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
		pr.add("상한 초과 — 개별 심사", "Above the cap — individual review", fmt.Sprintf("%s > %s", estimate.FormatKRW(preCap), estimate.FormatKRW(c)))
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
	pr.add("기록으로 손실 추정", "Loss estimated from your records", fmt.Sprintf("기록 %s건", group(int64(len(pr.in.Points)))))
	preCap := res.AmountKRW
	for _, s := range res.Steps {
		if s.Key == "window" {
			continue // already shown at the top
		}
		v := s.Value
		if s.AmountKRW != nil && v != estimate.FormatKRW(*s.AmountKRW) {
			v += " → " + estimate.FormatKRW(*s.AmountKRW)
		}
		if s.ValueEN != "" {
			pr.addEN(s.LabelKO, s.LabelEN, v, s.ValueEN)
		} else {
			pr.add(s.LabelKO, s.LabelEN, v)
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
	ko, en := fmt.Sprintf("%s 단위 올림", estimate.FormatKRW(unit)), fmt.Sprintf("Rounded up to the next %s", estimate.FormatKRW(unit))
	if unit == 1 {
		ko, en = "원 미만 올림", "Rounded up to whole won"
	}
	pr.add(ko, en, fmt.Sprintf("%s → %s", exact, estimate.FormatKRW(pr.amount)))
	return nil
}

func bandText(bands []Band, i int) string {
	s := estimate.FormatKRW(bands[i].UpToKRW) + " 이하"
	if i > 0 {
		s = estimate.FormatKRW(bands[i-1].UpToKRW) + " 초과 " + s
	}
	return s
}
