package policy

import (
	"testing"
	"time"

	"github.com/bosang/bosang/estimate"
	"github.com/bosang/bosang/models"
)

// BenchmarkPrice prices one claim as filing does: a paid subscriber by the
// fee rule, and a driver whose trip records over the four weeks before
// the 2022 outage are weighed against the fee rule as a floor (estimate
// steps with one line per hour included).
func BenchmarkPrice(b *testing.B) {
	start := time.Date(2022, 10, 15, 15, 30, 0, 0, kst)
	end := time.Date(2022, 10, 16, 14, 0, 0, 0, kst)
	var trips []estimate.Point
	for at := start.AddDate(0, 0, -28); at.Before(end); at = at.Add(20 * time.Minute) {
		if !at.Before(start) {
			at = at.Add(time.Hour) // fewer trips during the outage
		}
		trips = append(trips, estimate.Point{At: at, AmountKRW: 12_300})
	}
	for _, bc := range []struct {
		name string
		in   Input
	}{
		{"fee days", Input{Category: models.CategoryPaidSubscriber, OutageStart: start, OutageEnd: end, MonthlyFeeKRW: 39_000}},
		{"trip records", Input{Category: models.CategoryDriver, OutageStart: start, OutageEnd: end, MonthlyFeeKRW: 39_000,
			Points: trips, Schedule: estimate.EveryDay(estimate.Span{Open: 6 * 60, Close: 2 * 60})}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p := Default()
			if _, err := Price(p, bc.in); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Price(p, bc.in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
