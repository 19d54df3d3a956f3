package statute

import (
	"testing"
	"time"
)

func kst(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, seoul)
}

// closed is a window of length d starting at start.
func closed(start time.Time, d time.Duration) Window {
	end := start.Add(d)
	return Window{Start: start, End: &end}
}

func open(start time.Time) Window { return Window{Start: start} }

// big is a provider well above the size bar.
var big = Provider{Kind: ProviderValueAdded, PriorYearRevenueWon: 20_000_000_000, AvgDailyUsers: 5_000_000}

var bigCarrier = Provider{Kind: ProviderCarrier, PriorYearRevenueWon: 20_000_000_000, AvgDailyUsers: 5_000_000}

func vas(cause Cause, ws ...Window) Case { return Case{Provider: big, Cause: cause, Windows: ws} }

func at(t time.Time) *time.Time { return &t }

const day = 24 * time.Hour

// expect is the legal part of a Verdict that a row pins. Exemption fields use
// "" for null; time fields use nil for null.
type expect struct {
	regime                  string
	interruption, comp      bool
	exemption, compExempt   Exemption
	crosses, intDue, cmpDue *time.Time
}

func checkVerdict(t *testing.T, got Verdict, want expect) {
	t.Helper()
	if got.Regime != want.regime {
		t.Errorf("regime: got %q, want %q", got.Regime, want.regime)
	}
	if got.InterruptionRequired != want.interruption || got.Required != want.interruption {
		t.Errorf("interruption required: got %v (required %v), want %v",
			got.InterruptionRequired, got.Required, want.interruption)
	}
	if got.CompensationRequired != want.comp {
		t.Errorf("compensation required: got %v, want %v", got.CompensationRequired, want.comp)
	}
	checkExemption(t, "exemption", got.Exemption, want.exemption)
	checkExemption(t, "compensation exemption", got.CompensationExemption, want.compExempt)
	checkTime(t, "crosses threshold at", got.CrossesThresholdAt, want.crosses)
	checkTime(t, "interruption due", got.InterruptionNoticeDueAt, want.intDue)
	checkTime(t, "compensation due", got.CompensationNoticeDueAt, want.cmpDue)
}

func checkExemption(t *testing.T, what string, got *Exemption, want Exemption) {
	t.Helper()
	switch {
	case got == nil && want != "":
		t.Errorf("%s: got null, want %s", what, want)
	case got != nil && *got != want:
		t.Errorf("%s: got %s, want %q", what, *got, want)
	}
}

func checkTime(t *testing.T, what string, got, want *time.Time) {
	t.Helper()
	switch {
	case got == nil && want != nil:
		t.Errorf("%s: got null, want %s", what, want.In(seoul))
	case got != nil && want == nil:
		t.Errorf("%s: got %s, want null", what, got.In(seoul))
	case got != nil && !got.Equal(*want):
		t.Errorf("%s: got %s, want %s", what, got.In(seoul), want.In(seoul))
	}
}
