package policy

import (
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/estimate"
)

const secondsPerDay = 24 * 60 * 60

func (pr *pricer) feeDays() error {
	r, fee := pr.cr.Rule, pr.in.MonthlyFeeKRW
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
		n := ceilDiv(int64(pr.duration), int64(24*time.Hour))
		days = fmt.Sprintf("%d일", n)
		pr.add("장애 일수 (24시간 단위 올림)", "Outage days (each started 24 hours counts as a day)", fmt.Sprintf("%s → %s", formatDuration(pr.duration), days))
		num.Mul(num, big.NewInt(n))
	}
	pr.add("해당 월 일수", "Days in the outage's month", fmt.Sprintf("%d일 (%d년 %d월)", dim, start.Year(), start.Month()))
	exact := krwRatio(num, den)
	pr.add("계산: 월 요금 × 장애 일수 × 배수 ÷ 해당 월 일수", "Fee × outage days × multiplier ÷ days in the month",
		fmt.Sprintf("%s × %s × %d ÷ %d일 = %s", estimate.FormatKRW(fee), days, r.Multiplier, dim, exact))
	return pr.roundUp(num, den, r.RoundUpToKRW, exact)
}

func (pr *pricer) tiers() error {
	r, fee := pr.cr.Rule, pr.in.MonthlyFeeKRW
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
	r, claimed := pr.cr.Rule, pr.in.ClaimedKRW
	var res estimate.Result
	records := len(pr.in.Points) > 0
	basis := claimed
	if records {
		var err error
		if res, basis, err = pr.estimateLoss(r.Factors); err != nil {
			return err
		}
		pr.add("구간 판정 기준: 기록으로 추정한 손실 (상한 적용 전)", "Band basis: loss estimated from records (before the cap)", estimate.FormatKRW(basis))
	} else {
		pr.add("구간 판정 기준: 청구 손실액", "Band basis: claimed loss", estimate.FormatKRW(basis))
	}
	for i, b := range r.Bands {
		if basis <= b.UpToKRW {
			pr.amount = b.AmountKRW
			pr.add("적용 구간", "Band", fmt.Sprintf("%s → %s", bandText(r.Bands, i), estimate.FormatKRW(b.AmountKRW)))
			return nil
		}
	}
	pr.review = true
	above := fmt.Sprintf("%s > %s", estimate.FormatKRW(basis), estimate.FormatKRW(r.Bands[len(r.Bands)-1].UpToKRW))
	if records {
		pr.amount = res.AmountKRW
		pr.add("구간 초과 — 개별 심사, 잠정 금액은 추정 손실 (상한 적용 후)", "Above the bands — individual review; provisional amount is the estimated loss (after the cap)",
			fmt.Sprintf("%s → %s", above, estimate.FormatKRW(pr.amount)))
		return nil
	}
	pr.amount = claimed
	pr.add("구간 초과 — 개별 심사, 잠정 금액은 청구액", "Above the bands — individual review; provisional amount is the claimed loss",
		fmt.Sprintf("%s → %s", above, estimate.FormatKRW(pr.amount)))
	return nil
}

func (pr *pricer) lossEstimate() error {
	if len(pr.in.Points) == 0 {
		pr.review = true
		pr.amount = pr.in.ClaimedKRW
		pr.add("판매·운행 기록 없음 — 개별 심사, 잠정 금액은 청구액", "No records — individual review; provisional amount is the claimed loss", estimate.FormatKRW(pr.amount))
		return nil
	}
	res, preCap, err := pr.estimateLoss(pr.cr.Rule.Factors)
	if err != nil {
		return err
	}
	pr.amount, pr.capped = res.AmountKRW, true
	if c := pr.cr.CapKRW; c > 0 && preCap > c {
		pr.review = true
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
		pr.add(s.LabelKO, s.LabelEN, v)
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

// describe states the rule in one line of Korean, with its numbers.
func describe(r Rule) string {
	switch r.Kind {
	case KindFlat:
		return "정액 " + estimate.FormatKRW(r.AmountKRW)
	case KindFeeDays:
		days := "24시간 단위 올림"
		if r.DayRounding == DayExact {
			days = "초 단위"
		}
		return fmt.Sprintf("월 요금 × 장애 일수(%s) × %d ÷ 해당 월 일수, %s", days, r.Multiplier, roundText(r.RoundUpToKRW))
	case KindBands:
		parts := make([]string, 0, len(r.Bands)+1)
		for _, b := range r.Bands {
			parts = append(parts, fmt.Sprintf("손실 %s 이하 → %s", estimate.FormatKRW(b.UpToKRW), estimate.FormatKRW(b.AmountKRW)))
		}
		return strings.Join(append(parts, "초과 → 개별 심사"), " · ")
	case KindLossEstimate:
		return fmt.Sprintf("직전 4주 기록으로 추정한 손실 × 영업이익률 %s × 대체 수단 %s × 점유율 %s",
			estimate.FormatBP(r.Factors.MarginBP), estimate.FormatBP(r.Factors.SubstituteBP), estimate.FormatBP(r.Factors.ShareBP))
	case KindAvailabilityTiers:
		parts := make([]string, 0, len(r.Tiers))
		for _, t := range r.Tiers {
			parts = append(parts, fmt.Sprintf("월 가용률 %s 미만 → 월 요금의 %s", estimate.FormatBP(t.BelowBP), estimate.FormatBP(t.CreditBP)))
		}
		return strings.Join(parts, " · ") + ", " + roundText(r.RoundUpToKRW)
	}
	return string(r.Kind)
}

func roundText(unit int64) string {
	if unit <= 1 {
		return "원 미만 올림"
	}
	return estimate.FormatKRW(unit) + " 단위 올림"
}
