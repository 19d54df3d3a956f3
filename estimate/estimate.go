package estimate

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrInvalid is the category of every error Estimate returns: the input
// cannot be estimated as given. Errors wrap it with the reason.
var ErrInvalid = errors.New("estimate: invalid input")

// BasisPoints is 100% expressed in basis points.
const BasisPoints = 10000

// MaxWindow is the longest outage window Estimate accepts. It bounds the work
// per claim; the 2022 Kakao outage lasted about 127.5 hours.
const MaxWindow = 31 * 24 * time.Hour

// ComparisonWeeks is how many previous weeks form the baseline.
const ComparisonWeeks = 4

// ReasonOutsideSchedule is Hour.Reason for an hour whose start lies outside
// the claimant's opening hours or declared shift.
const ReasonOutsideSchedule = "outside_opening_hours"

// Point is one amount at one instant: a sale (refunds negative) or a trip fare
// attributed to the trip's start.
type Point struct {
	At        time.Time
	AmountKRW int64
}

// Factors are the multipliers applied to the raw loss, in basis points
// (10000 = 100%), in the order margin, substitute, share; each must lie in
// [0, 10000]. CapKRW is the per-claim ceiling in won; 0 means no cap and a
// negative cap is invalid.
type Factors struct {
	MarginBP, SubstituteBP, ShareBP int64
	CapKRW                          int64
}

// Input is everything Estimate needs. Start and End bound the outage window
// [Start, End); both are required. Loc is the claimant's local time zone
// (Asia/Seoul) in which hours and the Schedule are read.
type Input struct {
	Points     []Point
	Start, End time.Time
	Schedule   Schedule
	Loc        *time.Location
	Factors    Factors
}

// Hour is one local clock hour that overlaps the outage window. Weeks holds
// the sums of the same wall-clock hour 7, 14, 21 and 28 days earlier, in that
// order (0 for a week without records). Baseline is their median, Actual the
// sum of the whole hour, Loss max(0, Baseline-Actual). A Skipped hour has
// Reason set and contributes nothing; its Baseline, Actual and Loss are 0.
type Hour struct {
	Start                  time.Time
	Baseline, Actual, Loss int64
	Weeks                  [ComparisonWeeks]int64
	Skipped                bool
	Reason                 string
}

// Result is the estimate: AmountKRW is the final amount in won, Hours every
// hour considered, Steps the arithmetic to show the claimant, in order.
type Result struct {
	AmountKRW int64
	Hours     []Hour
	Steps     []Step
}

// Estimate computes the hourly baseline loss for in. It returns an error
// wrapping ErrInvalid when Loc is nil, Start or End is zero, End is not after
// Start, the window exceeds MaxWindow, the Schedule fails Validate, a factor
// lies outside [0, 10000], CapKRW is negative, or the sums overflow int64.
// It runs in O(len(Points) + hours in the window).
func Estimate(in Input) (Result, error) {
	if err := in.validate(); err != nil {
		return Result{}, err
	}
	first, last := keyOf(in.Start, in.Loc), keyOf(in.End.Add(-time.Nanosecond), in.Loc)
	sums, err := bucket(in.Points, in.Loc, first-ComparisonWeeks*hoursPerWeek, last)
	if err != nil {
		return Result{}, err
	}
	var hours []Hour
	var raw int64
	for k := first; k <= last; k++ {
		start, end := k.start(in.Loc), (k + 1).start(in.Loc)
		if !end.After(start) || !start.Before(in.End) || !end.After(in.Start) {
			continue // a wall-clock hour skipped by a DST jump, or outside the window
		}
		h := Hour{Start: start}
		if !in.Schedule.Contains(k.weekday(), k.hour()*60) {
			h.Skipped, h.Reason = true, ReasonOutsideSchedule
			hours = append(hours, h)
			continue
		}
		for w := range ComparisonWeeks {
			h.Weeks[w] = sums[k-hourKey((w+1)*hoursPerWeek)]
		}
		if h.Baseline, err = median4(h.Weeks); err != nil {
			return Result{}, err
		}
		h.Actual = sums[k]
		if h.Baseline > h.Actual {
			var ok bool
			if h.Loss, ok = sub(h.Baseline, h.Actual); !ok {
				return Result{}, fmt.Errorf("loss at %s overflows: %w", start.Format(time.DateTime), ErrInvalid)
			}
		}
		var ok bool
		if raw, ok = add(raw, h.Loss); !ok {
			return Result{}, fmt.Errorf("raw loss overflows: %w", ErrInvalid)
		}
		hours = append(hours, h)
	}
	return finish(in, hours, raw), nil
}

func (in Input) validate() error {
	switch {
	case in.Loc == nil:
		return fmt.Errorf("location required: %w", ErrInvalid)
	case in.Start.IsZero() || in.End.IsZero():
		return fmt.Errorf("outage start and end required: %w", ErrInvalid)
	case !in.End.After(in.Start):
		return fmt.Errorf("outage end %s not after start %s: %w", in.End, in.Start, ErrInvalid)
	case in.End.Sub(in.Start) > MaxWindow:
		return fmt.Errorf("outage window %s exceeds %s: %w", in.End.Sub(in.Start), MaxWindow, ErrInvalid)
	}
	if err := in.Schedule.Validate(); err != nil {
		return err
	}
	f := in.Factors
	for _, bp := range []int64{f.MarginBP, f.SubstituteBP, f.ShareBP} {
		if bp < 0 || bp > BasisPoints {
			return fmt.Errorf("factor %d bp outside [0, %d]: %w", bp, BasisPoints, ErrInvalid)
		}
	}
	if f.CapKRW < 0 {
		return fmt.Errorf("cap %d negative: %w", f.CapKRW, ErrInvalid)
	}
	return nil
}

// bucket sums the points per local wall-clock hour, keeping only hours in
// [lo, hi] so memory stays proportional to the window, not the upload.
func bucket(points []Point, loc *time.Location, lo, hi hourKey) (map[hourKey]int64, error) {
	sums := make(map[hourKey]int64, (hi-lo+1)/4)
	for _, p := range points {
		k := keyOf(p.At, loc)
		if k < lo || k > hi {
			continue
		}
		s, ok := add(sums[k], p.AmountKRW)
		if !ok {
			return nil, fmt.Errorf("hourly sum at %s overflows: %w", p.At.In(loc).Format(time.DateTime), ErrInvalid)
		}
		sums[k] = s
	}
	return sums, nil
}

// median4 is the mean of the middle two of four sums, rounded down (toward
// minus infinity) to whole won.
func median4(weeks [ComparisonWeeks]int64) (int64, error) {
	v := weeks
	slices.Sort(v[:])
	s, ok := add(v[1], v[2])
	if !ok {
		return 0, fmt.Errorf("median overflows: %w", ErrInvalid)
	}
	q := s / 2
	if s%2 != 0 && s < 0 {
		q--
	}
	return q, nil
}

// mulBP returns floor(a * bp / 10000) for a >= 0 and 0 <= bp <= 10000
// without overflowing.
func mulBP(a, bp int64) int64 {
	return a/BasisPoints*bp + a%BasisPoints*bp/BasisPoints
}

func add(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

func sub(a, b int64) (int64, bool) {
	s := a - b
	if (b < 0 && s < a) || (b > 0 && s > a) {
		return 0, false
	}
	return s, true
}

const hoursPerWeek = 7 * 24

// hourKey numbers local wall-clock hours: civil days since 1970-01-01 times
// 24 plus the hour. Subtracting 168 is "same wall-clock hour a week earlier".
type hourKey int64

func keyOf(t time.Time, loc *time.Location) hourKey {
	t = t.In(loc)
	y, m, d := t.Date()
	days := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	return hourKey(days*24 + int64(t.Hour()))
}

func (k hourKey) days() int64 {
	d := int64(k) / 24
	if int64(k)%24 < 0 {
		d--
	}
	return d
}

func (k hourKey) hour() int { return int(int64(k) - k.days()*24) }

// weekday uses 1970-01-01 being a Thursday.
func (k hourKey) weekday() time.Weekday {
	return time.Weekday(((k.days()+4)%7 + 7) % 7)
}

func (k hourKey) start(loc *time.Location) time.Time {
	y, m, d := time.Unix(k.days()*86400, 0).UTC().Date()
	return time.Date(y, m, d, k.hour(), 0, 0, 0, loc)
}
