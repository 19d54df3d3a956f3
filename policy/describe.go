package policy

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/bosang/bosang/apperr"
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

// say is m in Korean and English, the two texts an estimate or a notice
// records. The wording is the catalog's (web/locales); InCached keeps it
// cheap enough for the steps built on every filing.
func say(m apperr.Message) Text { return Text{KO: m.InCached("ko"), EN: m.InCached("en")} }

// msg is t as a message value, so a text composes into another (the data
// of apperr.M): each language shows its own.
func (t Text) msg() apperr.Message { return apperr.Message{KO: t.KO, EN: t.EN} }

// sprintf formats each language with format, an arg that is a Text in
// that language; format holds numbers and symbols, never words.
func sprintf(format string, args ...any) Text {
	ko, en := make([]any, len(args)), make([]any, len(args))
	for i, a := range args {
		ko[i], en[i] = a, a
		if t, ok := a.(Text); ok {
			ko[i], en[i] = t.KO, t.EN
		}
	}
	return Text{KO: fmt.Sprintf(format, ko...), EN: fmt.Sprintf(format, en...)}
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
		r := DescribeRule(*cr.RecordsRule).msg()
		if cr.RecordsFloor {
			parts = append(parts, say(apperr.M("policy.describe.with_records_floor", map[string]any{"rule": r})))
		} else {
			parts = append(parts, say(apperr.M("policy.describe.with_records", map[string]any{"rule": r})))
		}
	}
	if cr.CapKRW > 0 {
		parts = append(parts, say(apperr.M("policy.describe.cap", map[string]any{"amount": estimate.FormatKRW(cr.CapKRW)})))
	}
	if it := InKindText(cr); it.KO != "" {
		parts = append(parts, say(apperr.M("policy.describe.in_kind", map[string]any{"items": it.msg()})))
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
		parts = append(parts, say(apperr.M("policy.describe.item", map[string]any{
			"name": Text{KO: it.Name, EN: it.NameEN}.msg(), "quantity": strconv.FormatInt(it.Quantity, 10)})))
	}
	return join(parts, ", ", ", ")
}

// DescribeRule states one rule with its numbers in Korean and English.
func DescribeRule(r Rule) Text {
	switch r.Kind {
	case KindFlat:
		return say(apperr.M("policy.describe.flat", map[string]any{"amount": estimate.FormatKRW(r.AmountKRW)}))
	case KindFeeDays:
		return say(apperr.M("policy.describe.fee_days", map[string]any{
			"days": dayText(r.DayRounding).msg(), "multiplier": strconv.FormatInt(r.Multiplier, 10), "rounding": roundText(r.RoundUpToKRW).msg()}))
	case KindBands:
		parts := make([]Text, 0, len(r.Bands)+1)
		for _, b := range r.Bands {
			parts = append(parts, say(apperr.M("policy.describe.band", map[string]any{
				"up_to": estimate.FormatKRW(b.UpToKRW), "amount": estimate.FormatKRW(b.AmountKRW)})))
		}
		parts = append(parts, say(apperr.M("policy.describe.above_bands")))
		return join(parts, " · ", " · ")
	case KindLossEstimate:
		return say(apperr.M("policy.describe.loss_estimate", map[string]any{"margin": estimate.FormatBP(r.Factors.MarginBP),
			"substitute": estimate.FormatBP(r.Factors.SubstituteBP), "share": estimate.FormatBP(r.Factors.ShareBP)}))
	case KindAvailabilityTiers:
		parts := make([]Text, 0, len(r.Tiers)+1)
		for _, t := range r.Tiers {
			parts = append(parts, say(apperr.M("policy.describe.tier", map[string]any{
				"below": estimate.FormatBP(t.BelowBP), "credit": estimate.FormatBP(t.CreditBP)})))
		}
		return sprintf("%s, %s", join(parts, " · ", " · "), roundText(r.RoundUpToKRW))
	case KindDayBands:
		return say(apperr.M("policy.describe.day_bands", map[string]any{"days": dayText(r.DayRounding).msg(), "bands": dayBandsText(r.DayBands).msg()}))
	case KindExtension:
		return say(apperr.M("policy.describe.extension", map[string]any{
			"days": dayText(r.DayRounding).msg(), "multiplier": strconv.FormatInt(r.Multiplier, 10)}))
	}
	return Text{KO: string(r.Kind), EN: string(r.Kind)}
}

// dayBandsText lists day bands with the days each one covers.
func dayBandsText(bands []DayBand) Text {
	parts := make([]Text, 0, len(bands))
	for i, b := range bands {
		data := map[string]any{"from": strconv.FormatInt(b.FromDays, 10), "amount": estimate.FormatKRW(b.AmountKRW)}
		switch {
		case i+1 == len(bands):
			parts = append(parts, say(apperr.M("policy.describe.day_band_last", data)))
		case bands[i+1].FromDays-1 == b.FromDays:
			parts = append(parts, say(apperr.M("policy.describe.day_band_one", data)))
		default:
			data["to"] = strconv.FormatInt(bands[i+1].FromDays-1, 10)
			parts = append(parts, say(apperr.M("policy.describe.day_band_range", data)))
		}
	}
	return join(parts, " · ", " · ")
}

// dayText names a day counting.
func dayText(d DayRounding) Text {
	switch d {
	case DayExact:
		return say(apperr.M("policy.describe.day_exact"))
	case DayCalendar:
		return say(apperr.M("policy.describe.day_calendar"))
	}
	return say(apperr.M("policy.describe.day_ceil"))
}

func roundText(unit int64) Text {
	if unit <= 1 {
		return say(apperr.M("policy.describe.round_won"))
	}
	return say(apperr.M("policy.describe.round_unit", map[string]any{"unit": estimate.FormatKRW(unit)}))
}
