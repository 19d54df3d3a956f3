package outage

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bosang/bosang/statute"
)

// Explain states the view's notice verdict in plain language: whether the
// provider must notify users, under which text of the decree and why, and by
// when. lang is "en" for English; anything else gives Korean.
func Explain(v *View, lang string) string {
	en := lang == "en"
	n := v.Notice.Verdict
	date := strings.TrimPrefix(n.Regime, "decree-")
	threshold := thresholdText(n.ThresholdSeconds, lang)
	say := func(ko, enText string, args ...any) string {
		if en {
			return fmt.Sprintf(enText, args...)
		}
		return fmt.Sprintf(ko, args...)
	}
	var parts []string
	switch {
	case n.InterruptionRequired:
		parts = append(parts, requiredReason(v, n, date, threshold, say))
		if n.InterruptionNoticeDueAt != nil {
			parts = append(parts, say("고지 기한: %s.", "Notice due by %s.", kstTime(*n.InterruptionNoticeDueAt)))
		}
	case n.Exemption != nil:
		parts = append(parts, exemptReason(v, n, *n.Exemption, date, threshold, say))
	}
	switch {
	case n.CompensationRequired && n.CompensationNoticeDueAt != nil:
		parts = append(parts, say("손해배상 기준과 절차 고지 기한: %s.", "The compensation criteria and procedure are due by %s.",
			kstTime(*n.CompensationNoticeDueAt)))
	case n.CompensationRequired:
		parts = append(parts, say("복구 후 %d일 안에 손해배상 기준과 절차도 알려야 합니다.",
			"Within %d days of restoration the provider must also publish the compensation criteria and procedure.", compensationDays(v)))
	case n.InterruptionRequired && n.CompensationExemption != nil && *n.CompensationExemption == statute.ExemptFreeService:
		parts = append(parts, say("무료 서비스여서 손해배상 기준 고지 의무는 없습니다.", "As a free service it owes no compensation notice."))
	}
	return strings.Join(parts, " ")
}

type sayFunc func(ko, en string, args ...any) string

func requiredReason(v *View, n statute.Verdict, date, threshold string, say sayFunc) string {
	switch {
	case v.CriticalFacility:
		return say("이 장애는 주요 통신설비 장애로 일어나 길이와 관계없이 %s 시행령에 따라 중단 사실 고지 의무가 있습니다.",
			"A designated critical facility failed, so whatever its length, under the decree of %s the provider must notify users.", date)
	case !unforeseen(v):
		return say("이 장애는 원인(%s)이 예측하지 못한 장애(과부하·설비 장애·오류)가 아니어서 길이와 관계없이 %s 시행령에 따라 중단 사실 고지 의무가 있습니다.",
			"Its cause (%s) is not an unforeseen outage (overload, equipment fault or error), so whatever its length, under the decree of %s the provider must notify users.",
			causeName(v.Cause, say), date)
	case n.Ongoing:
		return say("이 장애는 아직 복구되지 않았고 이미 %s을 넘어 %s 시행령에 따라 중단 사실 고지 의무가 있습니다.",
			"This outage is still ongoing and has lasted more than %s, so under the decree of %s the provider must notify users.", threshold, date)
	}
	return say("이 장애는 %s을 넘어 %s 시행령에 따라 중단 사실 고지 의무가 있습니다.",
		"This outage lasted more than %s, so under the decree of %s the provider must notify users.", threshold, date)
}

func exemptReason(v *View, n statute.Verdict, e statute.Exemption, date, threshold string, say sayFunc) string {
	switch e {
	case statute.ExemptAnnouncedMaintenance:
		return say("이 중단은 미리 알린 점검이어서 %s 시행령에 따라 고지 의무가 면제됩니다.",
			"This was pre-announced maintenance, so under the decree of %s the provider is exempt from notifying users.", date)
	case statute.ExemptCarrierLine:
		return say("이 장애는 기간통신사업자의 회선 장애로 부가통신서비스가 중단된 경우여서 %s 시행령에 따라 고지 의무가 면제됩니다.",
			"A carrier's line failure interrupted this value-added service, so under the decree of %s the provider is exempt from notifying users.", date)
	case statute.ExemptBelowSizeBar:
		rev, users := sizeBar(v)
		return say("이 사업자는 규모 기준(전년도 매출 %s원, 일평균 이용자 %s명)에 못 미쳐 %s 시행령에 따라 고지 의무가 면제됩니다.",
			"The provider is below the size bar (prior-year revenue ₩%s, %s average daily users), so under the decree of %s it is exempt from notifying users.",
			rev, users, date)
	case statute.ExemptFreeService:
		return say("이 장애는 무료 서비스의 장애여서 %s 시행령에 따라 고지 의무가 면제됩니다.",
			"This is an outage of a free service, so under the decree of %s the provider is exempt from notifying users.", date)
	case statute.ExemptShortUnforeseen:
		if n.Ongoing && n.CrossesThresholdAt != nil {
			return say("이 장애는 아직 %s 이하의 예측하지 못한 장애여서 %s 시행령에 따라 지금은 고지 의무가 면제되지만, %s 이후에도 복구되지 않으면 고지 의무가 생깁니다.",
				"This outage has so far lasted no more than %s and was unforeseen, so under the decree of %s the provider is exempt for now; if it is not restored by %s, notice becomes required.",
				threshold, date, kstTime(*n.CrossesThresholdAt))
		}
		return say("이 장애는 %s 동안 이어진 %s 이하의 예측하지 못한 장애여서 %s 시행령에 따라 고지 의무가 면제됩니다.",
			"This outage lasted %s, no more than %s, and was unforeseen, so under the decree of %s the provider is exempt from notifying users.",
			FormatDuration(n.DurationSeconds, langOf(say)), threshold, date)
	}
	return say("이 장애는 %s 시행령에 따라 고지 의무가 면제됩니다(%s).",
		"Under the decree of %s the provider is exempt from notifying users (%s).", date, string(e))
}

// langOf recovers the language a sayFunc speaks.
func langOf(say sayFunc) string { return say("ko", "en") }

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

func causeName(cause string, say sayFunc) string {
	if langOf(say) == "en" {
		return strings.ReplaceAll(cause, "_", " ")
	}
	if ko, ok := causeKO[cause]; ok {
		return ko
	}
	return cause
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
	if lang == "en" && seconds > 0 && seconds%3600 == 0 {
		if seconds == 3600 {
			return "1 hour"
		}
		return strconv.FormatInt(seconds/3600, 10) + " hours"
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
	unit := [3]string{"시간", "분", "초"}
	sep := " "
	if lang == "en" {
		unit = [3]string{"h", "m", "s"}
	}
	var parts []string
	if h > 0 {
		parts = append(parts, strconv.FormatInt(h, 10)+unit[0])
	}
	if m > 0 || (h > 0 && s > 0) {
		parts = append(parts, strconv.FormatInt(m, 10)+unit[1])
	}
	if s > 0 || seconds == 0 {
		parts = append(parts, strconv.FormatInt(s, 10)+unit[2])
	}
	return strings.Join(parts, sep)
}
