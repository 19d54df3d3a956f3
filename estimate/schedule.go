package estimate

import (
	"fmt"
	"time"
)

// MinutesPerDay is the number of minutes in a wall-clock day; Span.Close may
// equal it to mean "until midnight".
const MinutesPerDay = 24 * 60

// Span is one opening period (merchant) or declared shift (driver) in local
// wall-clock minutes since midnight. Open must lie in [0, 1440) and Close in
// [0, 1440].
//
// When Close > Open the span runs from Open to Close on the same day. When
// Close <= Open the span runs past midnight: it starts at Open on its weekday
// and ends at Close on the following day, so {Open: 18*60, Close: 2*60} on a
// Friday covers Friday 18:00 to Saturday 02:00, and Close == Open means a
// full 24 hours starting at Open.
type Span struct {
	Open, Close int
}

// Schedule maps each weekday to its spans in local time. A weekday with no
// spans is closed. A span that runs past midnight belongs to the weekday on
// which it opens.
type Schedule map[time.Weekday][]Span

// EveryDay returns a Schedule with the same spans on all seven weekdays.
func EveryDay(spans ...Span) Schedule {
	s := make(Schedule, 7)
	for d := time.Sunday; d <= time.Saturday; d++ {
		s[d] = append([]Span(nil), spans...)
	}
	return s
}

// Validate reports whether s is usable. It returns an error wrapping
// ErrInvalid when s has no spans at all, names a weekday outside Sunday to
// Saturday, or has a span with Open outside [0, 1440) or Close outside
// [0, 1440].
func (s Schedule) Validate() error {
	n := 0
	for d, spans := range s {
		if d < time.Sunday || d > time.Saturday {
			return fmt.Errorf("schedule: weekday %d: %w", int(d), ErrInvalid)
		}
		for _, sp := range spans {
			if sp.Open < 0 || sp.Open >= MinutesPerDay || sp.Close < 0 || sp.Close > MinutesPerDay {
				return fmt.Errorf("schedule: %s span %d-%d out of range: %w", d, sp.Open, sp.Close, ErrInvalid)
			}
			n++
		}
	}
	if n == 0 {
		return fmt.Errorf("schedule: no opening hours: %w", ErrInvalid)
	}
	return nil
}

// Contains reports whether the wall-clock minute m (0-1439) of weekday d lies
// inside an open span, including a span that opened on the previous day and
// runs past midnight.
func (s Schedule) Contains(d time.Weekday, m int) bool {
	for _, sp := range s[d] {
		if sp.Close > sp.Open {
			if m >= sp.Open && m < sp.Close {
				return true
			}
		} else if m >= sp.Open {
			return true
		}
	}
	for _, sp := range s[(d+6)%7] {
		if sp.Close <= sp.Open && m < sp.Close {
			return true
		}
	}
	return false
}
