package policy

import (
	"errors"
	"github.com/bosang/bosang/models"
	"testing"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/estimate"
)

// The 2022 Kakao outage window.
const kakaoStart, kakaoEnd = "2022-10-15 15:30:00", "2022-10-20 23:00:00"

// kakaoTEnd is when Kakao T's main functions were reported back.
const kakaoTEnd = "2022-10-16 14:00:00"

func TestPriceMerchantBandsOnClaimedLoss(t *testing.T) {
	for _, tc := range []struct {
		name    string
		claimed int64
		want    int64
		review  bool
	}{
		{"claimed ₩1 is in the first band", 1, 30_000, false},
		{"claimed exactly ₩300,000 is in the first band", 300_000, 30_000, false},
		{"claimed ₩300,001 is in the second band", 300_001, 50_000, false},
		{"claimed exactly ₩500,000 is in the second band", 500_000, 50_000, false},
		{"claimed ₩500,001 needs review at the claimed amount", 500_001, 500_001, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := mustPrice(t, Default(), Input{
				Category: models.CategoryMerchant, ClaimedKRW: tc.claimed,
				OutageStart: kstAt(t, kakaoStart), OutageEnd: kstAt(t, kakaoEnd),
			})
			if e.AmountKRW != tc.want || e.ReviewRequired != tc.review || e.Auto == tc.review || e.PolicyVersion != 1 {
				t.Errorf("got %s review=%v auto=%v v%d, want %s review=%v auto=%v v1", estimate.FormatKRW(e.AmountKRW), e.ReviewRequired, e.Auto,
					e.PolicyVersion, estimate.FormatKRW(tc.want), tc.review, !tc.review)
			}
		})
	}
	t.Run("cap below the band amount applies", func(t *testing.T) {
		p := withRule(models.CategoryMerchant, func(cr *CategoryRule) { cr.CapKRW = 40_000 })
		e := mustPrice(t, p, Input{Category: models.CategoryMerchant, ClaimedKRW: 400_000, OutageStart: kstAt(t, kakaoStart), OutageEnd: kstAt(t, kakaoEnd)})
		if e.AmountKRW != 40_000 {
			t.Errorf("got %s, want ₩40,000", estimate.FormatKRW(e.AmountKRW))
		}
		hasStep(t, e, "₩50,000 → ₩40,000")
	})
}

// saturday builds sales of perHour at 15:10, 16:10 and 17:10 KST on the four
// Saturdays before 2022-10-15 and nothing on the outage Saturday itself.
func saturday(t *testing.T, perHour int64) (Input, estimate.Input) {
	t.Helper()
	var pts []estimate.Point
	for _, d := range []string{"2022-09-17", "2022-09-24", "2022-10-01", "2022-10-08"} {
		for _, h := range []string{"15", "16", "17"} {
			pts = append(pts, estimate.Point{At: kstAt(t, d+" "+h+":10:00"), AmountKRW: perHour})
		}
	}
	in := Input{
		Category: models.CategoryMerchant, ClaimedKRW: 100_000, // the claim alone would give ₩30,000
		OutageStart: kstAt(t, "2022-10-15 15:00:00"), OutageEnd: kstAt(t, "2022-10-15 18:00:00"),
		Points: pts, Schedule: estimate.EveryDay(estimate.Span{Open: 9 * 60, Close: 21 * 60}), Loc: kst,
	}
	return in, estimate.Input{Points: pts, Start: in.OutageStart, End: in.OutageEnd, Schedule: in.Schedule, Loc: kst,
		Factors: estimate.Factors{MarginBP: 10000, SubstituteBP: 10000, ShareBP: 10000}}
}

func TestPriceMerchantBandsOnRecords(t *testing.T) {
	for _, tc := range []struct {
		name    string
		perHour int64
		want    int64 // 0: the estimated loss itself
		review  bool
	}{
		{"estimated loss in the second band beats the claimed amount", 150_000, 50_000, false},
		{"estimated loss above the bands needs review at the estimate", 200_000, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, ein := saturday(t, tc.perHour)
			res, err := estimate.Estimate(ein)
			if err != nil {
				t.Fatalf("estimate.Estimate: %v", err)
			}
			want := tc.want
			if want == 0 {
				want = res.AmountKRW
			}
			e := mustPrice(t, Default(), in)
			if e.AmountKRW != want || e.ReviewRequired != tc.review {
				t.Errorf("got %s review=%v, want %s review=%v", estimate.FormatKRW(e.AmountKRW), e.ReviewRequired, estimate.FormatKRW(want), tc.review)
			}
			hasStep(t, e, estimate.FormatKRW(res.AmountKRW)) // the basis, from the estimator
			// Every step of the estimator is shown, except its window, which repeats ours.
			for _, s := range res.Steps[1:] {
				hasStep(t, e, s.Value)
			}
		})
	}
}

func TestPriceLossEstimate(t *testing.T) {
	f := Factors{MarginBP: 3000, SubstituteBP: 8000, ShareBP: 5000}
	policy := func(capKRW int64) Policy {
		return withRule(models.CategoryMerchant, func(cr *CategoryRule) {
			cr.Rule, cr.CapKRW = Rule{Kind: KindLossEstimate, Factors: f}, capKRW
		})
	}
	in, ein := saturday(t, 150_000)
	ein.Factors = estimate.Factors{MarginBP: f.MarginBP, SubstituteBP: f.SubstituteBP, ShareBP: f.ShareBP}
	res, err := estimate.Estimate(ein)
	if err != nil {
		t.Fatalf("estimate.Estimate: %v", err)
	}
	for _, tc := range []struct {
		name   string
		cap    int64
		want   int64
		review bool
	}{
		{"no cap", 0, res.AmountKRW, false},
		{"cap exactly the estimate is not exceeded", res.AmountKRW, res.AmountKRW, false},
		{"cap one won below the estimate needs review", res.AmountKRW - 1, res.AmountKRW - 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := mustPrice(t, policy(tc.cap), in)
			if e.AmountKRW != tc.want || e.ReviewRequired != tc.review || e.Auto == tc.review {
				t.Errorf("got %s review=%v auto=%v, want %s review=%v", estimate.FormatKRW(e.AmountKRW), e.ReviewRequired, e.Auto, estimate.FormatKRW(tc.want), tc.review)
			}
		})
	}
	t.Run("no records needs review at the claimed amount capped", func(t *testing.T) {
		noRecords := in
		noRecords.Points = nil
		e := mustPrice(t, policy(60_000), noRecords)
		if e.AmountKRW != 60_000 || !e.ReviewRequired || e.Auto {
			t.Errorf("got %s review=%v auto=%v, want ₩60,000 review=true auto=false", estimate.FormatKRW(e.AmountKRW), e.ReviewRequired, e.Auto)
		}
	})
}

func TestPriceFeeDays(t *testing.T) {
	rounding := func(c models.ClaimCategory, d DayRounding) Policy {
		return withRule(c, func(cr *CategoryRule) { cr.Rule.DayRounding = d })
	}
	ceil := func(c models.ClaimCategory) Policy { return rounding(c, DayCeil) }
	exact := func(c models.ClaimCategory) Policy { return rounding(c, DayExact) }
	for _, tc := range []struct {
		name       string
		p          Policy
		c          models.ClaimCategory
		fee        int64
		start, end string
		want       int64
		steps      []string
	}{
		// The golden case: Kakao paid Pro drivers ₩7,550 for Kakao T, down
		// 15 Oct 15:30 to about 16 Oct 14:00 (22h30m, two calendar days).
		{"Kakao T Pro driver for two calendar days touched is ₩7,550", Default(), models.CategoryDriver, 39_000, kakaoStart, kakaoTEnd, 7_550,
			[]string{"2022-10-15 ~ 2022-10-16 → 2일", "31일 (2022년 10월)", "₩39,000 × 2일 × 3 ÷ 31일 = ₩7,548.39", "₩7,548.39 → ₩7,550"}},
		{"calendar days: an outage within one day counts 1", Default(), models.CategoryDriver, 39_000, "2022-10-15 15:30:00", "2022-10-15 23:59:59", 3_780,
			[]string{"2022-10-15 → 1일"}},
		{"calendar days: ending exactly at midnight KST does not touch the next day", Default(), models.CategoryDriver, 39_000, "2022-10-15 15:30:00", "2022-10-16 00:00:00", 3_780,
			[]string{"2022-10-15 → 1일"}},
		{"calendar days: one second past midnight KST touches the next day", Default(), models.CategoryDriver, 39_000, "2022-10-15 15:30:00", "2022-10-16 00:00:01", 7_550,
			[]string{"2022-10-15 ~ 2022-10-16 → 2일"}},
		{"calendar days across a month end use the start month's length", Default(), models.CategoryPaidSubscriber, 9_000, "2022-11-30 20:00:00", "2022-12-01 04:00:00", 1_800,
			[]string{"2022-11-30 ~ 2022-12-01 → 2일", "30일 (2022년 11월)", "₩9,000 × 2일 × 3 ÷ 30일 = ₩1,800"}},
		{"paid subscriber for 127.5h touching six days is 3x six days", Default(), models.CategoryPaidSubscriber, 9_900, kakaoStart, kakaoEnd, 5_750,
			[]string{"2022-10-15 ~ 2022-10-20 → 6일", "₩9,900 × 6일 × 3 ÷ 31일 = ₩5,748.39", "₩5,748.39 → ₩5,750"}},
		{"24-hour periods: 22h30m counts 1 day", ceil(models.CategoryDriver), models.CategoryDriver, 39_000, kakaoStart, kakaoTEnd, 3_780,
			[]string{"22시간 30분 → 1일"}},
		{"24-hour periods: exactly 48h counts 2 days", ceil(models.CategoryDriver), models.CategoryDriver, 39_000, "2022-10-15 00:00:00", "2022-10-17 00:00:00", 7_550,
			[]string{"48시간 → 2일"}},
		{"24-hour periods: 48h plus 1s counts 3 days", ceil(models.CategoryDriver), models.CategoryDriver, 39_000, "2022-10-15 00:00:00", "2022-10-17 00:00:01", 11_330,
			[]string{"48시간 1초 → 3일", "₩39,000 × 3일 × 3 ÷ 31일 = ₩11,322.58"}},
		{"24-hour periods in a 30-day month", ceil(models.CategoryPaidSubscriber), models.CategoryPaidSubscriber, 9_000, "2022-11-30 20:00:00", "2022-12-01 04:00:00", 900,
			[]string{"30일 (2022년 11월)", "₩9,000 × 1일 × 3 ÷ 30일 = ₩900"}},
		{"exact days: 127.5h is 5.3125 days", exact(models.CategoryPaidSubscriber), models.CategoryPaidSubscriber, 9_900, kakaoStart, kakaoEnd, 5_090,
			[]string{"459,000초 ÷ 86,400초 = 5.3125일", "₩9,900 × 5.3125일 × 3 ÷ 31일 = ₩5,089.72", "₩5,089.72 → ₩5,090"}},
		{"exact days: 1h is a repeating fraction", exact(models.CategoryPaidSubscriber), models.CategoryPaidSubscriber, 9_900, "2022-10-15 15:00:00", "2022-10-15 16:00:00", 40,
			[]string{"3,600초 ÷ 86,400초 ≈ 0.0417일", "₩9,900 × (3,600초 ÷ 86,400초) × 3 ÷ 31일 = ₩39.92", "₩39.92 → ₩40"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := mustPrice(t, tc.p, Input{Category: tc.c, MonthlyFeeKRW: tc.fee, OutageStart: kstAt(t, tc.start), OutageEnd: kstAt(t, tc.end)})
			if e.AmountKRW != tc.want || !e.Auto || e.ReviewRequired {
				t.Errorf("got %s auto=%v review=%v, want %s auto=true review=false", estimate.FormatKRW(e.AmountKRW), e.Auto, e.ReviewRequired, estimate.FormatKRW(tc.want))
			}
			for _, s := range tc.steps {
				hasStep(t, e, s)
			}
		})
	}
}

func TestPricePartnerTiers(t *testing.T) {
	// November 2022 has 30 days = 2,592,000 s, so 0.1% is exactly 2,592 s.
	start := kstAt(t, "2022-11-10 00:00:00")
	for _, tc := range []struct {
		name   string
		down   int64 // seconds
		fee    int64
		want   int64
		credit string
	}{
		{"availability exactly 99.9% gets nothing", 2_592, 1_000_000, 0, "99.9%: 해당 구간 없음"},
		{"just below 99.9% gets 10%", 2_593, 1_000_000, 100_000, "99.8999% < 99.9% → 10%"},
		{"exactly 99% still gets 10%", 25_920, 1_000_000, 100_000, "99% < 99.9% → 10%"},
		{"just below 99% gets 25%", 25_921, 1_000_000, 250_000, "< 99% → 25%"},
		{"exactly 95% still gets 25%", 129_600, 1_000_000, 250_000, "95% < 99% → 25%"},
		{"just below 95% gets 100%", 129_601, 1_000_000, 1_000_000, "< 95% → 100%"},
		{"outage longer than the month gets 100%", 3_000_000, 1_000_000, 1_000_000, "0% < 95% → 100%"},
		{"fractional credit rounds up to ₩10", 2_593, 9_999, 1_000, "₩999.90 → ₩1,000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := mustPrice(t, Default(), Input{Category: models.CategoryPartnerBusiness, MonthlyFeeKRW: tc.fee,
				OutageStart: start, OutageEnd: start.Add(time.Duration(tc.down) * time.Second)})
			if e.AmountKRW != tc.want || e.Auto {
				t.Errorf("got %s auto=%v, want %s auto=false (partners are checked against logs)", estimate.FormatKRW(e.AmountKRW), e.Auto, estimate.FormatKRW(tc.want))
			}
			hasStep(t, e, tc.credit)
		})
	}
}

func TestPriceFreeUserFlatWithInKind(t *testing.T) {
	e := mustPrice(t, Default(), Input{Category: models.CategoryFreeUser, OutageStart: kstAt(t, kakaoStart), OutageEnd: kstAt(t, kakaoEnd)})
	if e.AmountKRW != 0 || !e.Auto || e.ReviewRequired || e.InKind != "이모티콘 3개, 쿠폰 2개" || e.InKindEN != "3 emoticons, 2 coupons" {
		t.Errorf("got %+v, want ₩0, auto, in kind emoticons and coupons", e)
	}
	for _, want := range []string{"2022 카카오 기준 (기본) (v1)", "2022-10-15 15:30–2022-10-20 23:00 KST", "127시간 30분", "이모티콘 3개, 쿠폰 2개"} {
		hasStep(t, e, want)
	}
	if last := e.Steps[len(e.Steps)-1]; last.Value != "₩0" || last.LabelEN != "Compensation" {
		t.Errorf("got last step %+v, want the final amount ₩0", last)
	}
}

func TestPriceRejectsBadInput(t *testing.T) {
	start, end := kstAt(t, kakaoStart), kstAt(t, kakaoEnd)
	for _, tc := range []struct {
		name, field string
		in          Input
	}{
		{"driver without monthly fee", "details.monthly_fee_krw", Input{Category: models.CategoryDriver, OutageStart: start, OutageEnd: end}},
		{"partner without monthly fee", "details.monthly_fee_krw", Input{Category: models.CategoryPartnerBusiness, OutageStart: start, OutageEnd: end}},
		{"negative monthly fee", "details.monthly_fee_krw", Input{Category: models.CategoryDriver, MonthlyFeeKRW: -1, OutageStart: start, OutageEnd: end}},
		{"fee above ₩1 trillion", "details.monthly_fee_krw", Input{Category: models.CategoryDriver, MonthlyFeeKRW: MaxKRW + 1, OutageStart: start, OutageEnd: end}},
		{"claim above ₩1 trillion", "claimed_amount_krw", Input{Category: models.CategoryMerchant, ClaimedKRW: MaxKRW + 1, OutageStart: start, OutageEnd: end}},
		{"merchant with neither claim nor records", "claimed_amount_krw", Input{Category: models.CategoryMerchant, OutageStart: start, OutageEnd: end}},
		{"unknown category", "category", Input{Category: "taxi", OutageStart: start, OutageEnd: end}},
		{"records without opening hours", "details.opening_hours", Input{Category: models.CategoryMerchant, OutageStart: start, OutageEnd: end,
			Points: []estimate.Point{{At: start, AmountKRW: 1}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Price(Default(), tc.in)
			fieldErr(t, err, tc.field)
		})
	}
	for _, tc := range []struct {
		name string
		p    Policy
		in   Input
	}{
		{"outage end before start", Default(), Input{Category: models.CategoryFreeUser, OutageStart: end, OutageEnd: start}},
		{"outage without end", Default(), Input{Category: models.CategoryFreeUser, OutageStart: start}},
		{"broken rule of the priced category", withRule(models.CategoryDriver, func(cr *CategoryRule) { cr.Rule.Multiplier = 0 }),
			Input{Category: models.CategoryDriver, MonthlyFeeKRW: 39_000, OutageStart: start, OutageEnd: end}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Price(tc.p, tc.in)
			var ve *apperr.ValidationError
			if !errors.Is(err, apperr.ErrInvalid) || errors.As(err, &ve) {
				t.Errorf("got %v, want ErrInvalid that is not a claimant field error", err)
			}
		})
	}
}
