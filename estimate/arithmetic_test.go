package estimate

import (
	"math"
	"testing"
	"time"
)

func TestScheduleContains(t *testing.T) {
	s := Schedule{
		time.Monday:   {{Open: 9 * 60, Close: 21 * 60}},
		time.Friday:   {{Open: 20 * 60, Close: 3 * 60}},
		time.Saturday: {{Open: 12 * 60, Close: 12 * 60}}, // 24 hours from noon
		time.Sunday:   {{Open: 22 * 60, Close: MinutesPerDay}},
	}
	for _, tc := range []struct {
		name string
		d    time.Weekday
		m    int
		want bool
	}{
		{"opening minute is inside", time.Monday, 9 * 60, true},
		{"minute before opening is outside", time.Monday, 9*60 - 1, false},
		{"closing minute is outside", time.Monday, 21 * 60, false},
		{"minute before closing is inside", time.Monday, 21*60 - 1, true},
		{"overnight: evening of opening day", time.Friday, 23 * 60, true},
		{"overnight: after midnight on next day", time.Saturday, 2 * 60, true},
		{"overnight: closing minute on next day is outside", time.Saturday, 3 * 60, false},
		{"overnight: morning of opening day is outside", time.Friday, 2 * 60, false},
		{"24h span: opening minute", time.Saturday, 12 * 60, true},
		{"24h span: next day just before reopening time", time.Sunday, 12*60 - 1, true},
		{"24h span: next day at the reopening time is outside", time.Sunday, 12 * 60, false},
		{"close 24:00 ends at midnight", time.Sunday, 23*60 + 59, true},
		{"close 24:00 does not spill into Monday", time.Monday, 0, false},
		{"closed weekday", time.Tuesday, 12 * 60, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.Contains(tc.d, tc.m); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMedian4(t *testing.T) {
	for _, tc := range []struct {
		name  string
		weeks [4]int64
		want  int64
	}{
		{"even middle sum", [4]int64{100, 300, 200, 400}, 250},
		{"odd middle sum rounds down", [4]int64{0, 1, 2, 3}, 1},
		{"week with no data counts as zero", [4]int64{0, 100, 100, 100}, 100},
		{"two empty weeks give half of the lower", [4]int64{0, 0, 101, 500}, 50},
		{"negative odd sum rounds toward minus infinity", [4]int64{-5, -2, -1, 0}, -2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := median4(tc.weeks)
			if err != nil {
				t.Fatalf("median4: %v", err)
			}
			if got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
	if _, err := median4([4]int64{math.MaxInt64, math.MaxInt64, math.MaxInt64, 0}); err == nil {
		t.Errorf("got nil error for overflowing middle sum, want ErrInvalid")
	}
}

func TestMulBP(t *testing.T) {
	for _, tc := range []struct {
		name  string
		a, bp int64
		want  int64
	}{
		{"30% rounds down", 307999, 3000, 92399},
		{"100% is identity", 12345, 10000, 12345},
		{"0% is zero", 12345, 0, 0},
		{"max int64 at 100% does not overflow", math.MaxInt64, 10000, math.MaxInt64},
		{"max int64 at 50%", math.MaxInt64, 5000, math.MaxInt64 / 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mulBP(tc.a, tc.bp); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestFormatKRW(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "₩0"}, {999, "₩999"}, {1000, "₩1,000"}, {1234000, "₩1,234,000"},
		{-1234, "-₩1,234"}, {math.MaxInt64, "₩9,223,372,036,854,775,807"},
		{math.MinInt64, "-₩9,223,372,036,854,775,808"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if got := FormatKRW(tc.n); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFormatBP(t *testing.T) {
	for _, tc := range []struct {
		bp   int64
		want string
	}{{0, "0%"}, {3000, "30%"}, {3050, "30.5%"}, {3333, "33.33%"}, {5, "0.05%"}, {10000, "100%"}} {
		t.Run(tc.want, func(t *testing.T) {
			if got := FormatBP(tc.bp); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFormatRangeMidnight(t *testing.T) {
	loc := time.FixedZone("KST", 9*3600)
	a := time.Date(2022, 10, 15, 23, 0, 0, 0, loc)
	if got, want := formatRange(a, a.Add(time.Hour), "2006-01-02 15:04"), "2022-10-15 23:00–24:00 KST"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := formatRange(a, a.Add(3*time.Hour), "2006-01-02 15:04"), "2022-10-15 23:00–2022-10-16 02:00 KST"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
