package estimate

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bosang/bosang/apperr"
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

// step is a step keyed key and labelled with the catalog message m, in
// Korean and English. InCached keeps the labels cheap: Estimate runs on
// every filing with records, with a step per hour.
func step(key string, m apperr.Message, value string) Step {
	return Step{Key: key, LabelKO: m.InCached("ko"), LabelEN: m.InCached("en"), Value: value}
}

func finish(in Input, hours []Hour, raw int64) Result {
	steps := []Step{
		step("window", apperr.M("estimate.step.window"), formatRange(in.Start.In(in.Loc), in.End.In(in.Loc), "2006-01-02 15:04")),
		weeksStep(hours),
	}
	steps = append(steps, hourSteps(hours)...)
	s := step("raw", apperr.M("estimate.step.raw"), FormatKRW(raw))
	s.AmountKRW = ptr(raw)
	steps = append(steps, s)
	amt := raw
	for _, f := range []struct {
		key   string
		label apperr.Message
		bp    int64
	}{
		{"margin", apperr.M("estimate.step.margin"), in.Factors.MarginBP},
		{"substitute", apperr.M("estimate.step.substitute"), in.Factors.SubstituteBP},
		{"share", apperr.M("estimate.step.share"), in.Factors.ShareBP},
	} {
		amt = mulBP(amt, f.bp)
		s := step(f.key, f.label, FormatBP(f.bp))
		s.AmountKRW = ptr(amt)
		steps = append(steps, s)
	}
	steps = append(steps, capStep(&amt, in.Factors.CapKRW))
	s = step("final", apperr.M("estimate.step.final"), FormatKRW(amt))
	s.AmountKRW = ptr(amt)
	steps = append(steps, s)
	return Result{AmountKRW: amt, Hours: hours, Steps: steps}
}

func weeksStep(hours []Hour) Step {
	value := apperr.M("estimate.step.weeks_value")
	s := step("weeks", apperr.M("estimate.step.weeks"), value.InCached("ko"))
	s.ValueEN = value.InCached("en")
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
		s := step("hours.summary", apperr.M("estimate.step.hours_summary", map[string]any{"hours": len(hours), "counted": counted, "skipped": skipped}),
			formatRange(hours[0].Start, hours[len(hours)-1].Start.Add(time.Hour), "2006-01-02 15:04"))
		s.AmountKRW = ptr(sum)
		return []Step{s}
	}
	steps := make([]Step, 0, len(hours))
	for _, h := range hours {
		v := formatRange(h.Start, h.Start.Add(time.Hour), "2006-01-02 15:04")
		if h.Skipped {
			steps = append(steps, step("hour.skipped", apperr.M("estimate.step.hour_skipped"), v))
			continue
		}
		w := h.Weeks
		s := step("hour", apperr.M("estimate.step.hour", map[string]any{"w4": FormatKRW(w[3]), "w3": FormatKRW(w[2]), "w2": FormatKRW(w[1]), "w1": FormatKRW(w[0]),
			"baseline": FormatKRW(h.Baseline), "actual": FormatKRW(h.Actual), "loss": FormatKRW(h.Loss)}), v)
		s.AmountKRW = ptr(h.Loss)
		steps = append(steps, s)
	}
	return steps
}

func capStep(amt *int64, capKRW int64) Step {
	var s Step
	switch {
	case capKRW == 0:
		s = step("cap", apperr.M("estimate.step.no_cap"), "-")
	case *amt > capKRW:
		*amt = capKRW
		s = step("cap", apperr.M("estimate.step.cap_applied"), FormatKRW(capKRW))
	default:
		s = step("cap", apperr.M("estimate.step.cap_not_applied"), FormatKRW(capKRW))
	}
	s.AmountKRW = ptr(*amt)
	return s
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
