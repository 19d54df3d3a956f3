package policy

import (
	"github.com/bosang/bosang/models"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/estimate"
)

func TestCalendarDays(t *testing.T) {
	for _, tc := range []struct {
		name        string
		start, end  time.Time
		want        int64
		first, last string
	}{
		{"within one day is 1", kstAt(t, "2022-10-15 15:30:00"), kstAt(t, "2022-10-15 16:00:00"), 1, "2022-10-15", "2022-10-15"},
		{"ending exactly at midnight KST is 1", kstAt(t, "2022-10-15 15:30:00"), kstAt(t, "2022-10-16 00:00:00"), 1, "2022-10-15", "2022-10-15"},
		{"ending one nanosecond past midnight KST is 2", kstAt(t, "2022-10-15 15:30:00"), kstAt(t, "2022-10-16 00:00:00").Add(time.Nanosecond), 2, "2022-10-15", "2022-10-16"},
		{"starting exactly at midnight KST is that day", kstAt(t, "2022-10-16 00:00:00"), kstAt(t, "2022-10-16 01:00:00"), 1, "2022-10-16", "2022-10-16"},
		{"Kakao T 15 Oct 15:30 to 16 Oct 14:00 is 2", kstAt(t, "2022-10-15 15:30:00"), kstAt(t, "2022-10-16 14:00:00"), 2, "2022-10-15", "2022-10-16"},
		{"across a month end is 2", kstAt(t, "2022-10-31 23:00:00"), kstAt(t, "2022-11-01 01:00:00"), 2, "2022-10-31", "2022-11-01"},
		{"across a year end is 2", kstAt(t, "2022-12-31 23:59:00"), kstAt(t, "2023-01-01 00:01:00"), 2, "2022-12-31", "2023-01-01"},
		{"across 29 February is 3", kstAt(t, "2024-02-28 12:00:00"), kstAt(t, "2024-03-01 12:00:00"), 3, "2024-02-28", "2024-03-01"},
		// 15:00 UTC on 15 Oct is 00:00 KST on 16 Oct: days are read in Korea.
		{"UTC times are read in Korean time", time.Date(2022, 10, 15, 15, 0, 0, 0, time.UTC), time.Date(2022, 10, 15, 16, 0, 0, 0, time.UTC), 1, "2022-10-16", "2022-10-16"},
		{"end not after start is 0", kstAt(t, "2022-10-15 15:30:00"), kstAt(t, "2022-10-15 15:30:00"), 0, "0001-01-01", "0001-01-01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, first, last := CalendarDays(tc.start, tc.end, kst)
			if n != tc.want || first.Format(time.DateOnly) != tc.first || last.Format(time.DateOnly) != tc.last {
				t.Errorf("got %d (%s ~ %s), want %d (%s ~ %s)", n, first.Format(time.DateOnly), last.Format(time.DateOnly), tc.want, tc.first, tc.last)
			}
		})
	}
}

// ahyeon is the KT Ahyeon fire's merchant rule of 2018: 1-2 days ₩400,000,
// 3-4 ₩800,000, 5-6 ₩1,000,000, 7 or more ₩1,200,000.
func ahyeon() Policy {
	return withRule(models.CategoryMerchant, func(cr *CategoryRule) {
		cr.Rule = Rule{Kind: KindDayBands, DayRounding: DayCalendar, DayBands: []DayBand{
			{FromDays: 1, AmountKRW: 400_000}, {FromDays: 3, AmountKRW: 800_000}, {FromDays: 5, AmountKRW: 1_000_000}, {FromDays: 7, AmountKRW: 1_200_000},
		}}
	})
}

func TestPriceDayBands(t *testing.T) {
	start := kstAt(t, "2018-11-24 11:00:00")
	for _, tc := range []struct {
		name string
		days int // calendar days touched
		want int64
	}{
		{"1 day is the first band", 1, 400_000},
		{"2 days is still the first band", 2, 400_000},
		{"3 days starts the second band", 3, 800_000},
		{"4 days is the second band", 4, 800_000},
		{"5 days starts the third band", 5, 1_000_000},
		{"6 days is the third band", 6, 1_000_000},
		{"7 days starts the top band", 7, 1_200_000},
		{"30 days stays in the top band", 30, 1_200_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			end := start.AddDate(0, 0, tc.days-1).Add(time.Hour) // touches exactly tc.days dates
			e := mustPrice(t, ahyeon(), Input{Category: models.CategoryMerchant, OutageStart: start, OutageEnd: end})
			if e.AmountKRW != tc.want || e.ReviewRequired {
				t.Errorf("got %s review=%v, want %s", estimate.FormatKRW(e.AmountKRW), e.ReviewRequired, estimate.FormatKRW(tc.want))
			}
			hasStep(t, e, estimate.FormatKRW(tc.want))
		})
	}
	t.Run("below the first band pays nothing", func(t *testing.T) {
		p := withRule(models.CategoryMerchant, func(cr *CategoryRule) {
			cr.Rule = Rule{Kind: KindDayBands, DayBands: []DayBand{{FromDays: 2, AmountKRW: 100_000}}}
		})
		e := mustPrice(t, p, Input{Category: models.CategoryMerchant, OutageStart: start, OutageEnd: start.Add(3 * time.Hour)})
		if e.AmountKRW != 0 {
			t.Errorf("got %s, want ₩0", estimate.FormatKRW(e.AmountKRW))
		}
		hasStep(t, e, "1일 < 2일")
	})
}

func TestPriceExtension(t *testing.T) {
	p := withRule(models.CategoryPaidSubscriber, func(cr *CategoryRule) {
		cr.Rule = Rule{Kind: KindExtension, Multiplier: 3, DayRounding: DayCalendar}
	})
	for _, tc := range []struct {
		name       string
		start, end string
		want       int64
	}{
		{"two calendar days extend six days", kakaoStart, kakaoTEnd, 6},
		{"ending at midnight extends three days", kakaoStart, "2022-10-16 00:00:00", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := mustPrice(t, p, Input{Category: models.CategoryPaidSubscriber, OutageStart: kstAt(t, tc.start), OutageEnd: kstAt(t, tc.end)})
			if e.ExtensionDays != tc.want || e.AmountKRW != 0 {
				t.Errorf("got %d days and %s, want %d days and ₩0", e.ExtensionDays, estimate.FormatKRW(e.AmountKRW), tc.want)
			}
		})
	}
}

// KT's nationwide outage of 25 Oct 2021 lasted 89 minutes; its terms paid
// 10x the fee for the outage period.
func TestPriceMultipleOfTheOutagePeriodFee(t *testing.T) {
	p := withRule(models.CategoryPaidSubscriber, func(cr *CategoryRule) {
		cr.Rule = Rule{Kind: KindFeeDays, Multiplier: 10, DayRounding: DayExact, RoundUpToKRW: 1}
	})
	start := kstAt(t, "2021-10-25 11:16:00")
	e := mustPrice(t, p, Input{Category: models.CategoryPaidSubscriber, MonthlyFeeKRW: 33_000, OutageStart: start, OutageEnd: start.Add(89 * time.Minute)})
	// 33,000 × 5,340 s × 10 ÷ (31 × 86,400 s) = 657.93
	if e.AmountKRW != 658 {
		t.Errorf("got %s, want ₩658", estimate.FormatKRW(e.AmountKRW))
	}
	hasStep(t, e, "₩657.93 → ₩658")
}

// merchantAt builds a merchant's four comparison Saturdays of perHour sales
// at 15:10-17:10 and the outage Saturday's own sales (actual per hour), with
// opening hours from open to close.
func merchantAt(t *testing.T, perHour, actual int64, claimed int64, open, close int) Input {
	t.Helper()
	in, _ := saturday(t, perHour)
	for _, h := range []string{"15", "16", "17"} {
		if actual > 0 {
			in.Points = append(in.Points, estimate.Point{At: kstAt(t, "2022-10-15 "+h+":20:00"), AmountKRW: actual})
		}
	}
	in.ClaimedKRW = claimed
	in.Schedule = estimate.EveryDay(estimate.Span{Open: open, Close: close})
	return in
}

func TestPriceRecordsDecide(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     Input
		want   int64
		review bool
		reason string
		step   string
	}{
		{"outage wholly outside opening hours is ₩0 for a person", merchantAt(t, 150_000, 0, 100_000, 19*60, 23*60),
			0, true, ReasonOutsideOpeningHours, "0 outage hours in opening hours"},
		{"records at the baseline show no loss: ₩0 for a person", merchantAt(t, 150_000, 150_000, 100_000, 9*60, 21*60),
			0, true, ReasonNoLossShown, "₩0"},
		{"records one won short of the baseline are in the first band", merchantAt(t, 150_000, 149_999, 100_000, 9*60, 21*60),
			30_000, false, "", "₩3"},
		{"claimed loss above the top band goes to a person with the records' band", merchantAt(t, 150_000, 0, 2_000_000, 9*60, 21*60),
			50_000, true, ReasonAboveTopBand, "claimed ₩2,000,000 > ₩500,000"},
		{"claimed loss exactly the top band with records in a band is automatic", merchantAt(t, 150_000, 0, 500_000, 9*60, 21*60),
			50_000, false, "", "₩450,000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := mustPrice(t, Default(), tc.in)
			if e.AmountKRW != tc.want || e.ReviewRequired != tc.review || e.Auto == tc.review || e.ReviewReason != tc.reason {
				t.Errorf("got %s review=%v auto=%v reason=%q, want %s review=%v reason=%q\n%s", estimate.FormatKRW(e.AmountKRW), e.ReviewRequired, e.Auto,
					e.ReviewReason, estimate.FormatKRW(tc.want), tc.review, tc.reason, dump(e.Steps))
			}
			hasStepEN(t, e, tc.step)
		})
	}
	t.Run("claimed loss above the top band without records says how review works", func(t *testing.T) {
		e := mustPrice(t, Default(), Input{Category: models.CategoryMerchant, ClaimedKRW: 1_200_000, OutageStart: kstAt(t, kakaoStart), OutageEnd: kstAt(t, kakaoEnd)})
		if !e.ReviewRequired || e.ReviewReason != ReasonAboveTopBand {
			t.Errorf("got review=%v reason=%q, want review for %q", e.ReviewRequired, e.ReviewReason, ReasonAboveTopBand)
		}
		hasStepEN(t, e, "A reviewer sets the amount")
	})
}

// trips builds a driver's fares of perHour at 15:10-17:10 on the four
// Saturdays before 2022-10-15 and actual per hour on the outage Saturday.
func trips(t *testing.T, perHour, actual int64) Input {
	t.Helper()
	in := merchantAt(t, perHour, actual, 0, 0, 0)
	in.Category, in.MonthlyFeeKRW = models.CategoryDriver, 39_000
	in.OutageStart, in.OutageEnd = kstAt(t, kakaoStart), kstAt(t, kakaoTEnd)
	return in
}

func TestPriceDriverTripRecords(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    Input
		want  int64
		steps []string
	}{
		// Zero trips in the outage against ₩20,000 an hour at 16:00 and
		// 17:00 (15:00-15:30 was before the outage began, but the hour
		// overlaps, so it counts): 3 hours x ₩20,000 lost.
		{"zero trips during the outage: lost earnings above the membership floor", trips(t, 20_000, 0), 60_000,
			[]string{"₩60,000 ≥ ₩7,550 → ₩60,000"}},
		{"trips as usual: the membership amount is the floor", trips(t, 20_000, 20_000), 7_550,
			[]string{"₩0 < ₩7,550 → ₩7,550"}},
		{"small loss below the floor: the floor", trips(t, 20_000, 19_000), 7_550,
			[]string{"₩3,000 < ₩7,550 → ₩7,550"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := mustPrice(t, Default(), tc.in)
			if e.AmountKRW != tc.want || e.ReviewRequired || !e.Auto {
				t.Errorf("got %s review=%v auto=%v, want %s automatic\n%s", estimate.FormatKRW(e.AmountKRW), e.ReviewRequired, e.Auto, estimate.FormatKRW(tc.want), dump(e.Steps))
			}
			hasStep(t, e, "₩39,000 × 2일 × 3 ÷ 31일 = ₩7,548.39") // the floor is shown
			for _, s := range tc.steps {
				hasStep(t, e, s)
			}
		})
	}
	t.Run("without a floor, trips as usual are ₩0 for a person", func(t *testing.T) {
		p := withRule(models.CategoryDriver, func(cr *CategoryRule) { cr.RecordsFloor = false })
		e := mustPrice(t, p, trips(t, 20_000, 20_000))
		if e.AmountKRW != 0 || !e.ReviewRequired || e.ReviewReason != ReasonNoLossShown {
			t.Errorf("got %s review=%v reason=%q, want ₩0 review %q", estimate.FormatKRW(e.AmountKRW), e.ReviewRequired, e.ReviewReason, ReasonNoLossShown)
		}
	})
	t.Run("without records the membership rule alone", func(t *testing.T) {
		in := trips(t, 20_000, 0)
		in.Points = nil
		e := mustPrice(t, Default(), in)
		if e.AmountKRW != 7_550 {
			t.Errorf("got %s, want ₩7,550", estimate.FormatKRW(e.AmountKRW))
		}
	})
}

func TestPricePolicyMissingACategory(t *testing.T) {
	p := Default()
	delete(p.Categories, models.CategoryPaidSubscriber) // an old policy from before the category existed
	start, end := kstAt(t, kakaoStart), kstAt(t, kakaoEnd)
	t.Run("the other categories still price", func(t *testing.T) {
		e := mustPrice(t, p, Input{Category: models.CategoryMerchant, ClaimedKRW: 100_000, OutageStart: start, OutageEnd: end})
		if e.AmountKRW != 30_000 {
			t.Errorf("got %s, want ₩30,000", estimate.FormatKRW(e.AmountKRW))
		}
	})
	t.Run("the missing category is a field error", func(t *testing.T) {
		_, err := Price(p, Input{Category: models.CategoryPaidSubscriber, MonthlyFeeKRW: 9_900, OutageStart: start, OutageEnd: end})
		fieldErr(t, err, "category")
	})
	t.Run("publishing it is refused", func(t *testing.T) {
		fieldErr(t, p.Validate(), "categories.paid_subscriber")
	})
}

func TestValidateNewRuleKinds(t *testing.T) {
	for _, tc := range []struct {
		name, field string
		f           func(*CategoryRule)
	}{
		{"day bands not ascending", "categories.merchant.rule.day_bands[1].from_days", func(cr *CategoryRule) {
			cr.Rule = Rule{Kind: KindDayBands, DayBands: []DayBand{{FromDays: 3, AmountKRW: 1}, {FromDays: 3, AmountKRW: 2}}}
		}},
		{"day bands from day 0", "categories.merchant.rule.day_bands[0].from_days", func(cr *CategoryRule) {
			cr.Rule = Rule{Kind: KindDayBands, DayBands: []DayBand{{FromDays: 0, AmountKRW: 1}}}
		}},
		{"day bands need a band", "categories.merchant.rule.day_bands", func(cr *CategoryRule) { cr.Rule = Rule{Kind: KindDayBands} }},
		{"day bands cannot count exact fractions", "categories.merchant.rule.day_rounding", func(cr *CategoryRule) {
			cr.Rule = Rule{Kind: KindDayBands, DayRounding: DayExact, DayBands: []DayBand{{FromDays: 1, AmountKRW: 1}}}
		}},
		{"extension without multiplier", "categories.merchant.rule.multiplier", func(cr *CategoryRule) { cr.Rule = Rule{Kind: KindExtension} }},
		{"unknown day rounding", "categories.merchant.rule.day_rounding", func(cr *CategoryRule) {
			cr.Rule = Rule{Kind: KindFeeDays, Multiplier: 3, DayRounding: "weeks"}
		}},
		{"records rule of a flat kind", "categories.merchant.records_rule.kind", func(cr *CategoryRule) { cr.RecordsRule = &Rule{Kind: KindFlat} }},
		{"records rule is validated", "categories.merchant.records_rule.factors.margin_bp", func(cr *CategoryRule) {
			cr.RecordsRule = &Rule{Kind: KindLossEstimate, Factors: Factors{SubstituteBP: 1, ShareBP: 1}}
		}},
		{"records floor without records rule", "categories.merchant.records_floor", func(cr *CategoryRule) { cr.RecordsFloor = true }},
		{"in-kind item without English name", "categories.merchant.in_kind_items[0].name", func(cr *CategoryRule) {
			cr.InKindItems = []InKindItem{{Name: "쿠폰", Quantity: 1}}
		}},
		{"in-kind item of quantity 0", "categories.merchant.in_kind_items[0].quantity", func(cr *CategoryRule) {
			cr.InKindItems = []InKindItem{{Name: "쿠폰", NameEN: "coupon"}}
		}},
		{"day bands with a field of another kind", "categories.merchant.rule", func(cr *CategoryRule) {
			cr.Rule = Rule{Kind: KindDayBands, Multiplier: 2, DayBands: []DayBand{{FromDays: 1, AmountKRW: 1}}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fieldErr(t, withRule(models.CategoryMerchant, tc.f).Validate(), tc.field)
		})
	}
	if err := ahyeon().Validate(); err != nil {
		t.Errorf("KT Ahyeon day bands: got %v, want valid", err)
	}
}

func TestDescribe(t *testing.T) {
	p := Default()
	for _, tc := range []struct {
		name   string
		cr     CategoryRule
		ko, en []string
	}{
		{"merchant bands", p.Categories[models.CategoryMerchant], []string{"손실 ₩300,000 이하 → ₩30,000", "₩500,000 이하 → ₩50,000", "개별 심사"},
			[]string{"loss up to ₩300,000 → ₩30,000", "above → individual review"}},
		{"driver fee days with a records floor", p.Categories[models.CategoryDriver], []string{"× 3 ÷ 해당 월 일수", "장애가 걸친 날짜 수", "기록을 올리면", "이상 보장"},
			[]string{"× 3 ÷ days in the month", "calendar days touched", "with records", "never less"}},
		{"free user in kind", p.Categories[models.CategoryFreeUser], []string{"이모티콘 3개, 쿠폰 2개"}, []string{"3 emoticons, 2 coupons"}},
		{"day bands", ahyeon().Categories[models.CategoryMerchant], []string{"1~2일 → ₩400,000", "7일 이상 → ₩1,200,000"}, []string{"1-2 days → ₩400,000", "7 days or more → ₩1,200,000"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Describe(tc.cr)
			for _, w := range tc.ko {
				if !strings.Contains(d.KO, w) {
					t.Errorf("got %q, want it to contain %q", d.KO, w)
				}
			}
			for _, w := range tc.en {
				if !strings.Contains(d.EN, w) {
					t.Errorf("got %q, want it to contain %q", d.EN, w)
				}
			}
		})
	}
}

// hasStepEN fails the test unless some step's value (either language)
// contains want.
func hasStepEN(t *testing.T, e Estimate, want string) {
	t.Helper()
	for _, s := range e.Steps {
		if strings.Contains(s.Value, want) || strings.Contains(s.ValueEN, want) {
			return
		}
	}
	t.Errorf("got no step containing %q; steps:\n%s", want, dump(e.Steps))
}
