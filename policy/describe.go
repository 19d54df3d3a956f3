package policy

import (
	"fmt"
	"strings"

	"github.com/bosang/bosang/estimate"
)

// Text is one piece of user-facing text in Korean and English.
type Text struct {
	KO string `json:"ko"`
	EN string `json:"en"`
}

// In returns the text in lang ("en" gives English, anything else Korean).
func (t Text) In(lang string) string {
	if lang == "en" {
		return t.EN
	}
	return t.KO
}

// join joins texts with a separator per language.
func join(parts []Text, ko, en string) Text {
	var k, e []string
	for _, p := range parts {
		if p.KO != "" || p.EN != "" {
			k, e = append(k, p.KO), append(e, p.EN)
		}
	}
	return Text{KO: strings.Join(k, ko), EN: strings.Join(e, en)}
}

// Describe states how cr compensates, with its numbers, in one line per
// language: the rule, the rule used with records, the cap and the in-kind
// items. Notices, the eligibility checker and the claim form show it, so a
// claimant reads the criteria of the policy that governs their outage.
func Describe(cr CategoryRule) Text {
	parts := []Text{DescribeRule(cr.Rule)}
	if cr.RecordsRule != nil {
		r := DescribeRule(*cr.RecordsRule)
		t := Text{KO: "기록을 올리면: " + r.KO, EN: "with records: " + r.EN}
		if cr.RecordsFloor {
			t.KO += " (위 금액 이상 보장)"
			t.EN += " (never less than the amount above)"
		}
		parts = append(parts, t)
	}
	if cr.CapKRW > 0 {
		c := estimate.FormatKRW(cr.CapKRW)
		parts = append(parts, Text{KO: "상한 " + c, EN: "capped at " + c})
	}
	if it := InKindText(cr); it.KO != "" {
		parts = append(parts, Text{KO: "현물: " + it.KO, EN: "in kind: " + it.EN})
	}
	return join(parts, "; ", "; ")
}

// InKindText lists cr's in-kind items ("이모티콘 3개, 쿠폰 2개"), or its
// older free-text description (given in Korean only, so shown as is in both
// languages), or empty text when there are none.
func InKindText(cr CategoryRule) Text {
	if len(cr.InKindItems) == 0 {
		return Text{KO: cr.InKind, EN: cr.InKind}
	}
	parts := make([]Text, 0, len(cr.InKindItems))
	for _, it := range cr.InKindItems {
		parts = append(parts, Text{KO: fmt.Sprintf("%s %d개", it.Name, it.Quantity), EN: fmt.Sprintf("%d %s", it.Quantity, it.NameEN)})
	}
	return join(parts, ", ", ", ")
}

// DescribeRule states one rule with its numbers in Korean and English.
func DescribeRule(r Rule) Text {
	switch r.Kind {
	case KindFlat:
		a := estimate.FormatKRW(r.AmountKRW)
		return Text{KO: "정액 " + a, EN: "a flat " + a}
	case KindFeeDays:
		d := dayText(r.DayRounding)
		ro := roundText(r.RoundUpToKRW)
		return Text{
			KO: fmt.Sprintf("월 요금 × 장애 일수(%s) × %d ÷ 해당 월 일수, %s", d.KO, r.Multiplier, ro.KO),
			EN: fmt.Sprintf("monthly fee × outage days (%s) × %d ÷ days in the month, %s", d.EN, r.Multiplier, ro.EN),
		}
	case KindBands:
		parts := make([]Text, 0, len(r.Bands)+1)
		for _, b := range r.Bands {
			up, a := estimate.FormatKRW(b.UpToKRW), estimate.FormatKRW(b.AmountKRW)
			parts = append(parts, Text{KO: fmt.Sprintf("손실 %s 이하 → %s", up, a), EN: fmt.Sprintf("loss up to %s → %s", up, a)})
		}
		parts = append(parts, Text{KO: "초과 → 증빙으로 개별 심사", EN: "above → individual review with proof"})
		return join(parts, " · ", " · ")
	case KindLossEstimate:
		m, s, sh := estimate.FormatBP(r.Factors.MarginBP), estimate.FormatBP(r.Factors.SubstituteBP), estimate.FormatBP(r.Factors.ShareBP)
		return Text{
			KO: fmt.Sprintf("직전 4주 기록으로 추정한 손실 × 영업이익률 %s × 대체 수단 %s × 점유율 %s", m, s, sh),
			EN: fmt.Sprintf("loss estimated from the previous 4 weeks of records × margin %s × substitute %s × share %s", m, s, sh),
		}
	case KindAvailabilityTiers:
		parts := make([]Text, 0, len(r.Tiers)+1)
		for _, t := range r.Tiers {
			b, c := estimate.FormatBP(t.BelowBP), estimate.FormatBP(t.CreditBP)
			parts = append(parts, Text{KO: fmt.Sprintf("월 가용률 %s 미만 → 월 요금의 %s", b, c), EN: fmt.Sprintf("monthly availability below %s → %s of the fee", b, c)})
		}
		t := join(parts, " · ", " · ")
		ro := roundText(r.RoundUpToKRW)
		return Text{KO: t.KO + ", " + ro.KO, EN: t.EN + ", " + ro.EN}
	case KindDayBands:
		parts := make([]Text, 0, len(r.DayBands))
		for i, b := range r.DayBands {
			a := estimate.FormatKRW(b.AmountKRW)
			switch {
			case i+1 == len(r.DayBands):
				parts = append(parts, Text{KO: fmt.Sprintf("%d일 이상 → %s", b.FromDays, a), EN: fmt.Sprintf("%d days or more → %s", b.FromDays, a)})
			case r.DayBands[i+1].FromDays-1 == b.FromDays:
				parts = append(parts, Text{KO: fmt.Sprintf("%d일 → %s", b.FromDays, a), EN: fmt.Sprintf("%d days → %s", b.FromDays, a)})
			default:
				to := r.DayBands[i+1].FromDays - 1
				parts = append(parts, Text{KO: fmt.Sprintf("%d~%d일 → %s", b.FromDays, to, a), EN: fmt.Sprintf("%d-%d days → %s", b.FromDays, to, a)})
			}
		}
		t, d := join(parts, " · ", " · "), dayText(r.DayRounding)
		return Text{KO: "장애 일수(" + d.KO + ")별 정액: " + t.KO, EN: "a fixed amount by outage days (" + d.EN + "): " + t.EN}
	case KindExtension:
		d := dayText(r.DayRounding)
		return Text{
			KO: fmt.Sprintf("이용 기간 연장: 장애 일수(%s) × %d일", d.KO, r.Multiplier),
			EN: fmt.Sprintf("service period extended by outage days (%s) × %d", d.EN, r.Multiplier),
		}
	}
	return Text{KO: string(r.Kind), EN: string(r.Kind)}
}

// dayText names a day counting.
func dayText(d DayRounding) Text {
	switch d {
	case DayExact:
		return Text{KO: "초 단위로 정확히", EN: "exact, by the second"}
	case DayCalendar:
		return Text{KO: "장애가 걸친 날짜 수, 한국 시간", EN: "calendar days touched, Korean time"}
	}
	return Text{KO: "24시간 단위 올림", EN: "each started 24 hours"}
}

func roundText(unit int64) Text {
	if unit <= 1 {
		return Text{KO: "원 미만 올림", EN: "rounded up to whole won"}
	}
	u := estimate.FormatKRW(unit)
	return Text{KO: u + " 단위 올림", EN: "rounded up to " + u}
}
