package policy

import (
	"github.com/bosang/bosang/models"
	"slices"
	"testing"
	"time"
)

func TestFeeShareOf(t *testing.T) {
	calendar := Rule{Kind: KindFeeDays, Multiplier: 3, DayRounding: DayCalendar}
	ceil := Rule{Kind: KindFeeDays, Multiplier: 3, DayRounding: DayCeil}
	exact := Rule{Kind: KindFeeDays, Multiplier: 10, DayRounding: DayExact}
	tests := []struct {
		name       string
		r          Rule
		start, end string
		want       FeeShare
	}{
		{"Kakao 2022, calendar days: 15 and 16 Oct touched, 2 × 3 ÷ 31", calendar, "2022-10-15 15:30:00", "2022-10-16 14:00:00",
			FeeShare{Days: "2", MonthDays: 31, Multiplier: 3, Percent: "19.4"}},
		{"same outage counted in 24-hour periods: 22h30m is 1 day", ceil, "2022-10-15 15:30:00", "2022-10-16 14:00:00",
			FeeShare{Days: "1", MonthDays: 31, Multiplier: 3, Percent: "9.7"}},
		{"24h00m01s in 24-hour periods is 2 days", ceil, "2022-10-15 15:30:00", "2022-10-16 15:30:01",
			FeeShare{Days: "2", MonthDays: 31, Multiplier: 3, Percent: "19.4"}},
		{"calendar: ending at midnight KST does not touch the next day", calendar, "2022-10-15 22:00:00", "2022-10-16 00:00:00",
			FeeShare{Days: "1", MonthDays: 31, Multiplier: 3, Percent: "9.7"}},
		{"calendar across a month end counts both days, month of the start", calendar, "2022-10-31 23:00:00", "2022-11-01 01:00:00",
			FeeShare{Days: "2", MonthDays: 31, Multiplier: 3, Percent: "19.4"}},
		{"exact: 6 hours is 0.25 days, × 10 ÷ 31", exact, "2021-10-25 11:00:00", "2021-10-25 17:00:00",
			FeeShare{Days: "0.25", MonthDays: 31, Multiplier: 10, Percent: "8.1"}},
		{"whole percentage shows no decimals: 7 days × 1 ÷ 28 in February", Rule{Kind: KindFeeDays, Multiplier: 1, DayRounding: DayCalendar},
			"2023-02-01 00:00:00", "2023-02-07 12:00:00", FeeShare{Days: "7", MonthDays: 28, Multiplier: 1, Percent: "25"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := FeeShareOf(tt.r, kstAt(t, tt.start), kstAt(t, tt.end))
			if !ok || got != tt.want {
				t.Errorf("got %+v (ok %v), want %+v", got, ok, tt.want)
			}
		})
	}
	t.Run("not a fee_days rule", func(t *testing.T) {
		if _, ok := FeeShareOf(Rule{Kind: KindFlat}, kstAt(t, "2022-10-15 15:30:00"), kstAt(t, "2022-10-16 14:00:00")); ok {
			t.Error("flat rule: got ok, want no share")
		}
	})
	t.Run("end not after start", func(t *testing.T) {
		s := kstAt(t, "2022-10-15 15:30:00")
		if _, ok := FeeShareOf(calendar, s, s); ok {
			t.Error("zero-length outage: got ok, want no share")
		}
	})
}

func TestWindowDays(t *testing.T) {
	end := kstAt(t, "2024-05-01 15:00:00")
	for _, tt := range []struct {
		name string
		days int
		want int
	}{
		{"unset window is the default 90 days", 0, DefaultFilingWindowDays},
		{"a set window is used as is", 30, 30},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := Policy{FilingWindowDays: tt.days}
			if got := p.WindowDays(); got != tt.want {
				t.Fatalf("got %d, want %d", got, tt.want)
			}
			if _, closes, _ := FilingWindow(p, end.Add(-time.Hour), &end); !closes.Equal(end.AddDate(0, 0, tt.want)) {
				t.Errorf("FilingWindow closes %s, want %d days after the end as WindowDays says", closes, tt.want)
			}
		})
	}
}

func TestCoveredAndEvidenceKinds(t *testing.T) {
	p := Default()
	delete(p.Categories, models.CategoryDriver)
	if got, want := p.Covered(), []models.ClaimCategory{models.CategoryFreeUser, models.CategoryPaidSubscriber, models.CategoryMerchant, models.CategoryPartnerBusiness}; !slices.Equal(got, want) {
		t.Errorf("Covered: got %v, want %v", got, want)
	}
	if got := Default().Covered(); !slices.Equal(got, models.ClaimCategories()) {
		t.Errorf("Covered of the default: got %v, want every category", got)
	}
	k := EvidenceKinds()
	if len(k) != 7 || k[0] != EvidenceAccount {
		t.Fatalf("EvidenceKinds: got %v", k)
	}
	k[0] = "x"
	if EvidenceKinds()[0] != EvidenceAccount {
		t.Error("EvidenceKinds returned the package's own slice")
	}
}
