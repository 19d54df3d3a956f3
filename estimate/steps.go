package estimate

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MaxHourSteps is the most per-hour lines Steps lists; longer windows get one
// summary line instead (Result.Hours still holds every hour).
const MaxHourSteps = 48

// Step is one line of the arithmetic shown to the claimant. Key is stable
// ("window", "weeks", "hour", "hour.skipped", "hours.summary", "raw",
// "margin", "substitute", "share", "cap", "final") for templates and tests;
// LabelKO and LabelEN describe it; Value is human-readable ("₩1,234,000",
// "30%", "2022-10-15 15:00–16:00 KST"); AmountKRW is the running amount after
// the step, nil when the step has no amount.
type Step struct {
	Key              string
	LabelKO, LabelEN string
	Value            string
	// ValueEN is the value in English where Value has words; else "".
	ValueEN   string
	AmountKRW *int64
}

func finish(in Input, hours []Hour, raw int64) Result {
	steps := []Step{
		{Key: "window", LabelKO: "장애 시간", LabelEN: "Outage window", Value: formatRange(in.Start.In(in.Loc), in.End.In(in.Loc), "2006-01-02 15:04")},
		weeksStep(hours),
	}
	steps = append(steps, hourSteps(hours)...)
	steps = append(steps, Step{Key: "raw", LabelKO: "시간별 손실 합계", LabelEN: "Sum of hourly losses", Value: FormatKRW(raw), AmountKRW: ptr(raw)})
	amt := raw
	for _, f := range []struct {
		key, ko, en string
		bp          int64
	}{
		{"margin", "영업이익률 반영 (원 미만 버림)", "Operating margin applied (rounded down to whole won)", in.Factors.MarginBP},
		{"substitute", "대체 수단 반영 (원 미만 버림)", "Substitute availability applied (rounded down to whole won)", in.Factors.SubstituteBP},
		{"share", "플랫폼 점유율 반영 (원 미만 버림)", "Platform share applied (rounded down to whole won)", in.Factors.ShareBP},
	} {
		amt = mulBP(amt, f.bp)
		steps = append(steps, Step{Key: f.key, LabelKO: f.ko, LabelEN: f.en, Value: FormatBP(f.bp), AmountKRW: ptr(amt)})
	}
	steps = append(steps, capStep(&amt, in.Factors.CapKRW))
	steps = append(steps, Step{Key: "final", LabelKO: "추정 손실 보상액", LabelEN: "Estimated compensation", Value: FormatKRW(amt), AmountKRW: ptr(amt)})
	return Result{AmountKRW: amt, Hours: hours, Steps: steps}
}

func weeksStep(hours []Hour) Step {
	s := Step{
		Key:     "weeks",
		LabelKO: "비교 기간: 직전 4주 같은 요일·같은 시각의 중앙값 (기록 없는 주는 ₩0, 가운데 두 값의 평균은 원 미만 버림)",
		LabelEN: "Comparison: median of the same weekday and hour in the previous 4 weeks (a week without records counts as ₩0; the mean of the middle two is rounded down)",
		Value:   "각 시간의 7, 14, 21, 28일 전",
		ValueEN: "7, 14, 21, 28 days before each hour",
	}
	if len(hours) == 0 {
		return s
	}
	y1, m1, d1 := hours[0].Start.Date()
	y2, m2, d2 := hours[len(hours)-1].Start.Date()
	if y1 != y2 || m1 != m2 || d1 != d2 {
		return s // several days: the comparison dates differ per day
	}
	dates := make([]string, 0, ComparisonWeeks)
	for w := ComparisonWeeks; w >= 1; w-- {
		dates = append(dates, time.Date(y1, m1, d1-7*w, 0, 0, 0, 0, hours[0].Start.Location()).Format("2006-01-02"))
	}
	s.Value, s.ValueEN = strings.Join(dates, ", "), ""
	return s
}

func hourSteps(hours []Hour) []Step {
	if len(hours) > MaxHourSteps {
		var counted, skipped int
		var sum int64
		for _, h := range hours {
			if h.Skipped {
				skipped++
				continue
			}
			counted++
			sum += h.Loss // cannot overflow: Estimate already summed these
		}
		return []Step{{
			Key:       "hours.summary",
			LabelKO:   fmt.Sprintf("%d개 시간 중 %d개 시간 계산, %d개 시간 영업시간 외 제외 (시간별 내역은 별도 표)", len(hours), counted, skipped),
			LabelEN:   fmt.Sprintf("%d hours: %d counted, %d outside opening hours skipped (see the hourly table)", len(hours), counted, skipped),
			Value:     formatRange(hours[0].Start, hours[len(hours)-1].Start.Add(time.Hour), "2006-01-02 15:04"),
			AmountKRW: ptr(sum),
		}}
	}
	steps := make([]Step, 0, len(hours))
	for _, h := range hours {
		v := formatRange(h.Start, h.Start.Add(time.Hour), "2006-01-02 15:04")
		if h.Skipped {
			steps = append(steps, Step{Key: "hour.skipped", LabelKO: "영업시간 외 — 제외", LabelEN: "Outside opening hours — skipped", Value: v})
			continue
		}
		w := h.Weeks
		steps = append(steps, Step{
			Key: "hour",
			LabelKO: fmt.Sprintf("4주 전~1주 전 %s · %s · %s · %s → 기준 %s, 실제 %s, 손실 %s",
				FormatKRW(w[3]), FormatKRW(w[2]), FormatKRW(w[1]), FormatKRW(w[0]), FormatKRW(h.Baseline), FormatKRW(h.Actual), FormatKRW(h.Loss)),
			LabelEN: fmt.Sprintf("4 to 1 weeks before %s · %s · %s · %s → baseline %s, actual %s, loss %s",
				FormatKRW(w[3]), FormatKRW(w[2]), FormatKRW(w[1]), FormatKRW(w[0]), FormatKRW(h.Baseline), FormatKRW(h.Actual), FormatKRW(h.Loss)),
			Value:     v,
			AmountKRW: ptr(h.Loss),
		})
	}
	return steps
}

func capStep(amt *int64, capKRW int64) Step {
	switch {
	case capKRW == 0:
		return Step{Key: "cap", LabelKO: "상한 없음", LabelEN: "No cap", Value: "-", AmountKRW: ptr(*amt)}
	case *amt > capKRW:
		*amt = capKRW
		return Step{Key: "cap", LabelKO: "상한 적용", LabelEN: "Cap applied", Value: FormatKRW(capKRW), AmountKRW: ptr(*amt)}
	default:
		return Step{Key: "cap", LabelKO: "상한 이하 — 미적용", LabelEN: "Below the cap — not applied", Value: FormatKRW(capKRW), AmountKRW: ptr(*amt)}
	}
}

// FormatKRW renders won with a leading sign and thousands separators:
// 1234000 -> "₩1,234,000", -500 -> "-₩500". It handles the whole int64 range.
func FormatKRW(n int64) string {
	u := uint64(n)
	sign := ""
	if n < 0 {
		sign, u = "-", -u
	}
	d := strconv.FormatUint(u, 10)
	var b strings.Builder
	b.WriteString(sign + "₩")
	for i, c := range d {
		if i > 0 && (len(d)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// FormatBP renders non-negative basis points as a percentage without
// trailing zeros: 3000 -> "30%", 3050 -> "30.5%", 3333 -> "33.33%".
func FormatBP(bp int64) string {
	s := strconv.FormatInt(bp/100, 10)
	if frac := bp % 100; frac != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%02d", frac), "0")
	}
	return s + "%"
}

// formatRange renders [a, b) in a's zone, writing b's date only when it
// differs and showing midnight at the end of a's day as 24:00.
func formatRange(a, b time.Time, layout string) string {
	ya, ma, da := a.Date()
	yb, mb, db := b.Date()
	end := b.Format(layout)
	switch {
	case ya == yb && ma == mb && da == db:
		end = b.Format("15:04")
	case b.Hour() == 0 && b.Minute() == 0 && time.Date(ya, ma, da+1, 0, 0, 0, 0, a.Location()).Equal(b):
		end = "24:00"
	}
	return a.Format(layout) + "–" + end + " " + a.Format("MST")
}

func ptr(v int64) *int64 { return &v }
