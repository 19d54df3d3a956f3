package policy

import (
	"regexp"
	"testing"
	"time"

	"github.com/bosang/bosang/models"
)

// TestValueTexts pins the units and words of step values in both
// languages: the Korean is what estimates have always recorded, the
// English what value_en has always said.
func TestValueTexts(t *testing.T) {
	bands := []Band{{UpToKRW: 300_000, AmountKRW: 30_000}, {UpToKRW: 500_000, AmountKRW: 50_000}}
	for _, tc := range []struct {
		name   string
		got    Text
		ko, en string
	}{
		{"one day is singular", days("1"), "1일", "1 day"},
		{"two days", days("2"), "2일", "2 days"},
		{"a fraction of days", days("5.3125"), "5.3125일", "5.3125 days"},
		{"grouped seconds", seconds("459,000"), "459,000초", "459,000 s"},
		{"hours and minutes", formatDuration(22*time.Hour + 30*time.Minute), "22시간 30분", "22 h 30 min"},
		{"minutes and a started second", formatDuration(43*time.Minute + 12*time.Second + 1), "43분 13초", "43 min 13 s"},
		{"no time at all", formatDuration(0), "0초", "0 s"},
		{"a month", monthOf(time.Date(2022, 10, 15, 0, 0, 0, 0, kst)), "2022년 10월", "October 2022"},
		{"the first band", bandText(bands, 0), "₩300,000 이하", "up to ₩300,000"},
		{"a later band", bandText(bands, 1), "₩300,000 초과 ₩500,000 이하", "over ₩300,000, up to ₩500,000"},
		{"a formula with units", sprintf("%s × %s × %d ÷ %s = %s", "₩39,000", days("2"), 3, days("31"), "₩7,548.39"),
			"₩39,000 × 2일 × 3 ÷ 31일 = ₩7,548.39", "₩39,000 × 2 days × 3 ÷ 31 days = ₩7,548.39"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got.KO != tc.ko || tc.got.EN != tc.en {
				t.Errorf("got %q / %q, want %q / %q", tc.got.KO, tc.got.EN, tc.ko, tc.en)
			}
		})
	}
}

// TestStepsReadInEnglish prices every kind of claim the tests know and
// checks that an English page shows no Korean in any step's value, except
// the policy's own name.
func TestStepsReadInEnglish(t *testing.T) {
	hangul := regexp.MustCompile(`\p{Hangul}`)
	start, end := kstAt(t, kakaoStart), kstAt(t, kakaoEnd)
	inputs := map[string]struct {
		p  Policy
		in Input
	}{
		"merchant band":          {Default(), Input{Category: models.CategoryMerchant, ClaimedKRW: 400_000, OutageStart: start, OutageEnd: end}},
		"merchant above the top": {Default(), Input{Category: models.CategoryMerchant, ClaimedKRW: 900_000, OutageStart: start, OutageEnd: end}},
		"merchant records":       {Default(), merchantAt(t, 150_000, 0, 100_000, 9*60, 21*60)},
		"merchant no loss":       {Default(), merchantAt(t, 150_000, 0, 100_000, 19*60, 23*60)},
		"driver with trips":      {Default(), trips(t, 20_000, 0)},
		"paid subscriber":        {Default(), Input{Category: models.CategoryPaidSubscriber, MonthlyFeeKRW: 9_900, OutageStart: start, OutageEnd: end}},
		"free user":              {Default(), Input{Category: models.CategoryFreeUser, OutageStart: start, OutageEnd: end}},
		"partner":                {Default(), Input{Category: models.CategoryPartnerBusiness, MonthlyFeeKRW: 100_000, OutageStart: start, OutageEnd: end}},
		"day bands":              {ahyeon(), Input{Category: models.CategoryMerchant, OutageStart: start, OutageEnd: end}},
	}
	for name, c := range inputs {
		t.Run(name, func(t *testing.T) {
			e := mustPrice(t, c.p, c.in)
			for i, s := range e.Steps {
				if i == 0 {
					continue // the policy's name, as published
				}
				shown := s.Value
				if s.ValueEN != "" {
					shown = s.ValueEN
				}
				if hangul.MatchString(shown) || hangul.MatchString(s.LabelEN) {
					t.Errorf("step %q shows Korean in English: %q", s.LabelEN, shown)
				}
			}
		})
	}
}
