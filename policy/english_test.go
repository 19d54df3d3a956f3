package policy

import (
	"github.com/bosang/bosang/models"
	"regexp"
	"testing"
)

func TestValueEN(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"₩39,000 × 2일 × 3 ÷ 31일 = ₩7,548.39", "₩39,000 × 2 days × 3 ÷ 31 days = ₩7,548.39"},
		{"31일 (2022년 10월)", "31 days (October 2022)"},
		{"22시간 30분 → 1일", "22 h 30 min → 1 day"},
		{"459,000초 ÷ 86,400초 = 5.3125일", "459,000 s ÷ 86,400 s = 5.3125 days"},
		{"2022-10-15 ~ 2022-10-16 → 2일", "2022-10-15 ~ 2022-10-16 → 2 days"},
		{"₩300,000 초과 ₩500,000 이하 → ₩50,000", "over ₩300,000, up to ₩500,000 → ₩50,000"},
		{"₩300,000 이하 → ₩30,000", "up to ₩300,000 → ₩30,000"},
		{"99.9%: 해당 구간 없음 → 0%", "99.9%: no band → 0%"},
		{"2일 × 3 = 6일 연장", "2 days × 3 = 6 days' extension"},
		{"기록 1,234건", "1,234 records"},
		{"상한 ₩40,000", "cap ₩40,000"},
		{"개별 심사", "individual review"},
		{"₩7,548.39 → ₩7,550", ""},    // no Korean: the same in both languages
		{"2022 카카오 기준 (기본) (v1)", ""}, // a name: shown as it is
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := valueEN(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
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
