package statute

import (
	"errors"
	"testing"
	"time"
)

func TestRegimeAt(t *testing.T) {
	d := DefaultRegimes()
	reversed := []Regime{d[1], d[0]}
	dup := append(DefaultRegimes(), Regime{Name: "copy", EffectiveFrom: d[1].EffectiveFrom})
	tests := []struct {
		name    string
		regimes []Regime
		start   time.Time
		want    string
		wantErr error
	}{
		{"2022 start picks 2019 text", d, kst(2022, 10, 15, 15, 30, 0), r2019, nil},
		{"unsorted regimes: 2022 start still picks 2019 text", reversed, kst(2022, 10, 15, 15, 30, 0), r2019, nil},
		{"unsorted regimes: 2025-04 start picks 2025 text", reversed, kst(2025, 4, 1, 0, 0, 0), r2025, nil},
		{"effective instant itself belongs to the new text", d, kst(2025, 3, 28, 0, 0, 0), r2025, nil},
		{"1ns before 2019-06-25 00:00 KST has no regime", d, kst(2019, 6, 25, 0, 0, 0).Add(-1), "", ErrNoRegime},
		{"no regimes at all", nil, kst(2022, 1, 1, 0, 0, 0), "", ErrNoRegime},
		{"two regimes on the same date are ambiguous", dup, kst(2025, 4, 1, 0, 0, 0), "", ErrInvalid},
		{"a later duplicate does not affect earlier starts", dup, kst(2022, 1, 1, 0, 0, 0), r2019, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RegimeAt(tt.regimes, tt.start)
			if !errors.Is(err, tt.wantErr) || (err != nil) != (tt.wantErr != nil) {
				t.Fatalf("error: got %v, want %v", err, tt.wantErr)
			}
			if got.Name != tt.want {
				t.Errorf("regime: got %q, want %q", got.Name, tt.want)
			}
		})
	}
}

func TestDefaultRegimesAreFresh(t *testing.T) {
	a := DefaultRegimes()
	a[0].UnforeseenCauses[0] = CauseFire
	a[1].FreeOwesCompensationNotice = false
	b := DefaultRegimes()
	if b[0].UnforeseenCauses[0] != CauseOverload || !b[1].FreeOwesCompensationNotice {
		t.Errorf("got %v / %v after mutating an earlier copy, want untouched defaults",
			b[0].UnforeseenCauses, b[1].FreeOwesCompensationNotice)
	}
}

func TestEvaluateErrors(t *testing.T) {
	s := kst(2022, 10, 15, 15, 30, 0)
	now := kst(2026, 1, 1, 0, 0, 0)
	h := time.Hour
	withCause := vas("flood", closed(s, h))
	withKind := vas(CauseError, closed(s, h))
	withKind.Provider.Kind = "isp"
	negative := vas(CauseError, closed(s, h))
	negative.Provider.AvgDailyUsers = -1
	backwards := Window{Start: s, End: at(s.Add(-h))}
	tests := []struct {
		name    string
		c       Case
		set     func(*Settings)
		wantErr error
	}{
		{"no windows", vas(CauseError), nil, ErrInvalid},
		{"unknown cause", withCause, nil, ErrInvalid},
		{"unknown provider kind", withKind, nil, ErrInvalid},
		{"negative users", negative, nil, ErrInvalid},
		{"end before start", vas(CauseError, backwards), nil, ErrInvalid},
		{"zero-length window", vas(CauseError, closed(s, 0)), nil, ErrInvalid},
		{"overlapping windows", vas(CauseError, closed(s, 2*h), closed(s.Add(h), h)), nil, ErrInvalid},
		{"open window followed by another", vas(CauseError, open(s), closed(s.Add(h), h)), nil, ErrInvalid},
		{"start after now", vas(CauseError, open(now.Add(time.Second))), nil, ErrInvalid},
		{"end after now", vas(CauseError, closed(now.Add(-h), 2*h)), nil, ErrInvalid},
		{"zero start", vas(CauseError, Window{}), nil, ErrInvalid},
		{"negative merge gap", vas(CauseError, closed(s, h)), func(s *Settings) { s.MergeGap = -1 }, ErrInvalid},
		{"negative target", vas(CauseError, closed(s, h)), func(s *Settings) { s.InterruptionTarget = -1 }, ErrInvalid},
		{"2018 outage predates every regime", vas(CauseError, closed(kst(2018, 1, 1, 0, 0, 0), h)), nil, ErrNoRegime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := DefaultSettings()
			if tt.set != nil {
				tt.set(&set)
			}
			_, err := Evaluate(tt.c, set, now)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("got error %v, want one wrapping %v", err, tt.wantErr)
			}
		})
	}
}
