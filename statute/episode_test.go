package statute

import (
	"testing"
	"time"
)

func TestEvaluateIntermittent(t *testing.T) {
	s := kst(2022, 10, 15, 15, 30, 0)
	m := time.Minute
	now := kst(2026, 1, 1, 0, 0, 0)
	// Three 90-minute windows with 20-minute gaps: 270m down, 310m span.
	three := vas(CauseError, closed(s, 90*m), closed(s.Add(110*m), 90*m), closed(s.Add(220*m), 90*m))
	tests := []struct {
		name     string
		c        Case
		gap      time.Duration
		want     expect
		duration int64
	}{
		{"three 90m windows, 20m gaps, unmerged: each is short", three, 0,
			expect{regime: r2019, exemption: ExemptShortUnforeseen, compExempt: ExemptShortUnforeseen}, 5400},
		{"three 90m windows, 20m gaps, merge gap 30m: one 310m episode", three, 30 * m,
			expect{regime: r2019, interruption: true, comp: true, crosses: at(s.Add(240 * m)),
				intDue: at(s.Add(300 * m)), cmpDue: at(s.Add(310*m + 30*day))}, 310 * 60},
		{"gaps longer than merge gap 15m stay apart", three, 15 * m,
			expect{regime: r2019, exemption: ExemptShortUnforeseen, compExempt: ExemptShortUnforeseen}, 5400},
		{"gap equal to merge gap merges", three, 20 * m,
			expect{regime: r2019, interruption: true, comp: true, crosses: at(s.Add(240 * m)),
				intDue: at(s.Add(300 * m)), cmpDue: at(s.Add(310*m + 30*day))}, 310 * 60},
		{"gap time counts: 3h45m down over a 4h05m span needs notice",
			vas(CauseError, closed(s, 120*m), closed(s.Add(140*m), 105*m)), 30 * m,
			expect{regime: r2019, interruption: true, comp: true, crosses: at(s.Add(240 * m)),
				intDue: at(s.Add(300 * m)), cmpDue: at(s.Add(245*m + 30*day))}, 245 * 60},
		{"threshold passed inside a gap: crossing is when service drops again",
			vas(CauseError, closed(s, 230*m), closed(s.Add(245*m), 25*m)), 30 * m,
			expect{regime: r2019, interruption: true, comp: true, crosses: at(s.Add(245 * m)),
				intDue: at(s.Add(305 * m)), cmpDue: at(s.Add(270*m + 30*day))}, 270 * 60},
		{"touching windows are judged apart when merging is off",
			vas(CauseError, closed(s, 180*m), closed(s.Add(180*m), 180*m)), 0,
			expect{regime: r2019, exemption: ExemptShortUnforeseen, compExempt: ExemptShortUnforeseen}, 180 * 60},
		{"windows given out of order are sorted before merging",
			vas(CauseError, closed(s.Add(220*m), 90*m), closed(s, 90*m), closed(s.Add(110*m), 90*m)), 30 * m,
			expect{regime: r2019, interruption: true, comp: true, crosses: at(s.Add(240 * m)),
				intDue: at(s.Add(300 * m)), cmpDue: at(s.Add(310*m + 30*day))}, 310 * 60},
		{"unmerged: the first long episode sets the due times",
			vas(CauseError, closed(s, 60*m), closed(s.Add(2*time.Hour), 300*m), closed(s.Add(8*time.Hour), 360*m)), 0,
			expect{regime: r2019, interruption: true, comp: true, crosses: at(s.Add(6 * time.Hour)),
				intDue: at(s.Add(7 * time.Hour)), cmpDue: at(s.Add(7*time.Hour + 30*day))}, 300 * 60},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := DefaultSettings()
			set.MergeGap = tt.gap
			got, err := Evaluate(tt.c, set, now)
			if err != nil {
				t.Fatalf("Evaluate: got error %v, want nil", err)
			}
			checkVerdict(t, got, tt.want)
			if got.DurationSeconds != tt.duration {
				t.Errorf("duration: got %ds, want %ds", got.DurationSeconds, tt.duration)
			}
		})
	}
}

func TestEvaluateOpenEpisodeAfterShortOnes(t *testing.T) {
	s := kst(2022, 10, 15, 15, 30, 0)
	c := vas(CauseError, closed(s, time.Hour), open(s.Add(3*time.Hour)))
	got, err := Evaluate(c, DefaultSettings(), s.Add(4*time.Hour))
	if err != nil {
		t.Fatalf("Evaluate: got error %v, want nil", err)
	}
	checkVerdict(t, got, expect{regime: r2019, exemption: ExemptShortUnforeseen,
		compExempt: ExemptShortUnforeseen, crosses: at(s.Add(7 * time.Hour))})
	if !got.Ongoing {
		t.Errorf("ongoing: got false, want true")
	}
}
