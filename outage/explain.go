package outage

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/statute"
)

// Explain states the view's notice verdict in plain language: whether the
// provider must notify users, under which text of the decree and why, and by
// when. lang is "en" for English; anything else gives Korean.
func Explain(v *View, lang string) string {
	n := v.Notice.Verdict
	date := strings.TrimPrefix(n.Regime, "decree-")
	threshold := thresholdText(n.ThresholdSeconds, lang)
	var parts []apperr.Message
	switch {
	case n.InterruptionRequired:
		parts = append(parts, requiredReason(v, n, date, threshold, lang))
		if n.InterruptionNoticeDueAt != nil {
			parts = append(parts, apperr.M("outage.explain.notice_due", map[string]any{"at": kstTime(*n.InterruptionNoticeDueAt)}))
		}
	case n.Exemption != nil:
		parts = append(parts, exemptReason(v, n, *n.Exemption, date, threshold, lang))
	}
	switch {
	case n.CompensationRequired && n.CompensationNoticeDueAt != nil:
		parts = append(parts, apperr.M("outage.explain.compensation_due", map[string]any{"at": kstTime(*n.CompensationNoticeDueAt)}))
	case n.CompensationRequired:
		parts = append(parts, apperr.M("outage.explain.compensation_within", map[string]any{"days": compensationDays(v)}))
	case n.InterruptionRequired && n.CompensationExemption != nil && *n.CompensationExemption == statute.ExemptFreeService:
		parts = append(parts, apperr.M("outage.explain.compensation_free"))
	}
	texts := make([]string, len(parts))
	for i, p := range parts {
		texts[i] = p.In(lang)
	}
	return strings.Join(texts, " ")
}

func requiredReason(v *View, n statute.Verdict, date, threshold, lang string) apperr.Message {
	data := map[string]any{"date": date, "threshold": threshold}
	switch {
	case v.CriticalFacility:
		return apperr.M("outage.explain.required_critical", data)
	case !unforeseen(v):
		data["cause"] = causeName(v.Cause, lang)
		return apperr.M("outage.explain.required_cause", data)
	case n.Ongoing:
		return apperr.M("outage.explain.required_ongoing", data)
	}
	return apperr.M("outage.explain.required", data)
}

func exemptReason(v *View, n statute.Verdict, e statute.Exemption, date, threshold, lang string) apperr.Message {
	data := map[string]any{"date": date, "threshold": threshold}
	switch e {
	case statute.ExemptAnnouncedMaintenance:
		return apperr.M("outage.explain.exempt_maintenance", data)
	case statute.ExemptCarrierLine:
		return apperr.M("outage.explain.exempt_carrier_line", data)
	case statute.ExemptBelowSizeBar:
		data["revenue"], data["users"] = sizeBar(v)
		return apperr.M("outage.explain.exempt_size_bar", data)
	case statute.ExemptFreeService:
		return apperr.M("outage.explain.exempt_free", data)
	case statute.ExemptShortUnforeseen:
		if n.Ongoing && n.CrossesThresholdAt != nil {
			data["at"] = kstTime(*n.CrossesThresholdAt)
			return apperr.M("outage.explain.exempt_short_for_now", data)
		}
		data["duration"] = FormatDuration(n.DurationSeconds, lang)
		return apperr.M("outage.explain.exempt_short", data)
	}
	data["exemption"] = string(e)
	return apperr.M("outage.explain.exempt_other", data)
}

// regimeOf is the regime the view was judged under, if the settings still
// hold it.
func regimeOf(v *View) (statute.Regime, bool) {
	r, err := statute.RegimeAt(v.settings.Regimes, v.StartedAt)
	return r, err == nil
}

func unforeseen(v *View) bool {
	r, ok := regimeOf(v)
	if !ok {
		return true
	}
	return slices.Contains(r.UnforeseenCauses, statute.Cause(v.Cause))
}

func compensationDays(v *View) int {
	if r, ok := regimeOf(v); ok && r.CompensationWindow > 0 {
		return int(r.CompensationWindow / (24 * time.Hour))
	}
	return 30
}

func sizeBar(v *View) (revenue, users string) {
	r, ok := regimeOf(v)
	if !ok {
		return "10,000,000,000", "1,000,000"
	}
	return groupDigits(r.SizeBarRevenueWon), groupDigits(r.SizeBarDailyUsers)
}

// causeName is a cause in prose: its catalog name in Korean; in English, its
// code with spaces, as it reads inside a sentence ("equipment fault").
func causeName(cause, lang string) string {
	if lang == "en" {
		return strings.ReplaceAll(cause, "_", " ")
	}
	return causeLabel(cause, lang)
}

// groupDigits writes n with thousands separators: 1000000 -> "1,000,000".
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// thresholdText is a threshold as prose: "4시간", "4 hours".
func thresholdText(seconds int64, lang string) string {
	switch {
	case seconds == 3600:
		return apperr.M("outage.explain.one_hour").In(lang)
	case seconds > 0 && seconds%3600 == 0:
		return apperr.M("outage.explain.hours", map[string]any{"n": seconds / 3600}).In(lang)
	}
	return FormatDuration(seconds, lang)
}

// FormatDuration writes whole seconds as hours, minutes and seconds:
// "10시간 1분" in Korean, "10h 1m" in English. Zero units are left out
// except minutes between hours and seconds ("4시간 0분 1초").
func FormatDuration(seconds int64, lang string) string {
	if seconds < 0 {
		seconds = 0
	}
	h, m, s := seconds/3600, seconds/60%60, seconds%60
	unit := func(id string, n int64) string { return apperr.M(id, map[string]any{"n": n}).In(lang) }
	var parts []string
	if h > 0 {
		parts = append(parts, unit("outage.duration.hours", h))
	}
	if m > 0 || (h > 0 && s > 0) {
		parts = append(parts, unit("outage.duration.minutes", m))
	}
	if s > 0 || seconds == 0 {
		parts = append(parts, unit("outage.duration.seconds", s))
	}
	return strings.Join(parts, " ")
}
