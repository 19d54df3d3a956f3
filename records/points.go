package records

import "github.com/bosang/bosang/estimate"

// SalesPoints turns sales into estimator points, refunds included as
// negative amounts. It returns an empty slice for no sales.
func SalesPoints(sales []Sale) []estimate.Point {
	out := make([]estimate.Point, len(sales))
	for i, s := range sales {
		out[i] = estimate.Point{At: s.At, AmountKRW: s.AmountKRW}
	}
	return out
}

// TripPoints turns trips into estimator points, attributing each whole fare
// to the hour in which the trip started.
func TripPoints(trips []Trip) []estimate.Point {
	out := make([]estimate.Point, len(trips))
	for i, t := range trips {
		out[i] = estimate.Point{At: t.Start, AmountKRW: t.FareKRW}
	}
	return out
}
