package statute

import (
	"testing"
	"time"
)

const (
	r2019 = "decree-2019-06-25"
	r2025 = "decree-2025-03-28"
)

func TestEvaluate(t *testing.T) {
	s := kst(2022, 10, 15, 15, 30, 0) // a 2022 start, judged under the 2019 text
	s24 := kst(2024, 6, 1, 9, 0, 0)
	s25 := kst(2025, 4, 1, 9, 0, 0)
	now := kst(2026, 1, 10, 12, 0, 0)
	end := func(start time.Time, d time.Duration) *time.Time { return at(start.Add(d)) }
	comp := func(start time.Time, d time.Duration) *time.Time { return at(start.Add(d + 30*day)) }
	free := func(c Case) Case { c.Free = true; return c }
	sized := func(rev, users int64, c Case) Case {
		c.Provider.PriorYearRevenueWon, c.Provider.AvgDailyUsers = rev, users
		return c
	}
	critical := vas(CauseEquipmentFault, closed(s, time.Hour))
	critical.CriticalFacility = true
	carrier := func(cause Cause, d time.Duration) Case {
		return Case{Provider: bigCarrier, Cause: cause, Windows: []Window{closed(s, d)}}
	}
	maintFree := sized(1, 1, free(vas(CauseAnnouncedMaintenance, closed(s, 10*time.Hour))))
	h4, h4s := 4*time.Hour, 4*time.Hour+time.Second
	h5, h230 := 5*time.Hour, 2*time.Hour+30*time.Minute

	tests := []struct {
		name string
		c    Case
		now  time.Time
		want expect
	}{
		{"VAS unforeseen exactly 4h00m00s is exempt", vas(CauseEquipmentFault, closed(s, h4)), now,
			expect{regime: r2019, exemption: ExemptShortUnforeseen, compExempt: ExemptShortUnforeseen}},
		{"VAS unforeseen 4h00m01s needs notice, due start+4h+60m", vas(CauseOverload, closed(s, h4s)), now,
			expect{regime: r2019, interruption: true, comp: true,
				crosses: end(s, h4), intDue: end(s, h4+time.Hour), cmpDue: comp(s, h4s)}},
		{"2h30m starting 2024-06-01 is exempt under 2019 text", vas(CauseError, closed(s24, h230)), now,
			expect{regime: r2019, exemption: ExemptShortUnforeseen, compExempt: ExemptShortUnforeseen}},
		{"2h30m starting 2025-04-01 needs notice under 2025 text", vas(CauseError, closed(s25, h230)), now,
			expect{regime: r2025, interruption: true, comp: true,
				crosses: end(s25, 2*time.Hour), intDue: end(s25, 3*time.Hour), cmpDue: comp(s25, h230)}},
		{"2022 outage evaluated in 2026 keeps the 2019 4h threshold", vas(CauseError, closed(s, 3*time.Hour)), now,
			expect{regime: r2019, exemption: ExemptShortUnforeseen, compExempt: ExemptShortUnforeseen}},
		{"free service 2022 is exempt from both notices", free(vas(CauseError, closed(s, h5))), now,
			expect{regime: r2019, exemption: ExemptFreeService, compExempt: ExemptFreeService, crosses: end(s, h4)}},
		{"free service 2025-04 owes both notices (default reading: owed)", free(vas(CauseError, closed(s25, h5))), now,
			expect{regime: r2025, interruption: true, comp: true,
				crosses: end(s25, 2*time.Hour), intDue: end(s25, 3*time.Hour), cmpDue: comp(s25, h5)}},
		{"revenue ₩1 below size bar is exempt", sized(9_999_999_999, 5_000_000, vas(CauseError, closed(s, h5))), now,
			expect{regime: r2019, exemption: ExemptBelowSizeBar, compExempt: ExemptBelowSizeBar, crosses: end(s, h4)}},
		{"users 1 below size bar is exempt", sized(20_000_000_000, 999_999, vas(CauseError, closed(s, h5))), now,
			expect{regime: r2019, exemption: ExemptBelowSizeBar, compExempt: ExemptBelowSizeBar, crosses: end(s, h4)}},
		{"exactly ₩10bn and 1M users is not below the bar", sized(10_000_000_000, 1_000_000, vas(CauseError, closed(s, h5))), now,
			expect{regime: r2019, interruption: true, comp: true,
				crosses: end(s, h4), intDue: end(s, h5), cmpDue: comp(s, h5)}},
		{"size bar does not exempt a carrier", Case{Provider: Provider{Kind: ProviderCarrier}, Cause: CauseError,
			Windows: []Window{closed(s, 3*time.Hour)}}, now,
			expect{regime: r2019, interruption: true, comp: true,
				crosses: end(s, 2*time.Hour), intDue: end(s, 3*time.Hour), cmpDue: comp(s, 3*time.Hour)}},
		{"announced maintenance is exempt at any length", carrier(CauseAnnouncedMaintenance, 10*time.Hour), now,
			expect{regime: r2019, exemption: ExemptAnnouncedMaintenance, compExempt: ExemptAnnouncedMaintenance,
				crosses: end(s, 2*time.Hour)}},
		{"announced maintenance outranks size bar and free service", maintFree, now,
			expect{regime: r2019, exemption: ExemptAnnouncedMaintenance, compExempt: ExemptAnnouncedMaintenance,
				crosses: end(s, h4)}},
		{"carrier line cut of a VAS is exempt", vas(CauseCarrierLine, closed(s, 10*time.Hour)), now,
			expect{regime: r2019, exemption: ExemptCarrierLine, compExempt: ExemptCarrierLine, crosses: end(s, h4)}},
		{"carrier_line cause at a carrier needs notice at 1h", carrier(CauseCarrierLine, time.Hour), now,
			expect{regime: r2019, interruption: true, comp: true,
				intDue: end(s, time.Hour), cmpDue: comp(s, time.Hour)}},
		{"critical facility failure needs notice at 1h, due start+60m", critical, now,
			expect{regime: r2019, interruption: true, comp: true,
				intDue: end(s, time.Hour), cmpDue: comp(s, time.Hour)}},
		{"fire needs notice at 1h", vas(CauseFire, closed(s, time.Hour)), now,
			expect{regime: r2019, interruption: true, comp: true,
				intDue: end(s, time.Hour), cmpDue: comp(s, time.Hour)}},
		{"carrier unforeseen 89m is exempt", carrier(CauseOverload, 89*time.Minute), now,
			expect{regime: r2019, exemption: ExemptShortUnforeseen, compExempt: ExemptShortUnforeseen}},
		{"carrier unforeseen 2h01m needs notice", carrier(CauseOverload, 121*time.Minute), now,
			expect{regime: r2019, interruption: true, comp: true,
				crosses: end(s, 2*time.Hour), intDue: end(s, 3*time.Hour), cmpDue: comp(s, 121*time.Minute)}},
		{"outage still open after 5h needs notice, compensation due unknown", vas(CauseError, open(s)), s.Add(h5),
			expect{regime: r2019, interruption: true, comp: true, crosses: end(s, h4), intDue: end(s, h5)}},
		{"outage open at 1h is not yet required, crosses at start+4h", vas(CauseError, open(s)), s.Add(time.Hour),
			expect{regime: r2019, exemption: ExemptShortUnforeseen, compExempt: ExemptShortUnforeseen,
				crosses: end(s, h4)}},
		{"outage open at exactly 4h is not yet required", vas(CauseError, open(s)), s.Add(h4),
			expect{regime: r2019, exemption: ExemptShortUnforeseen, compExempt: ExemptShortUnforeseen,
				crosses: end(s, h4)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Evaluate(tt.c, DefaultSettings(), tt.now)
			if err != nil {
				t.Fatalf("Evaluate: got error %v, want nil", err)
			}
			checkVerdict(t, got, tt.want)
		})
	}
}

// TestFreeServiceCompensationSetting pins the configurable reading of the
// 2025 text across the regime switch: a free service's 5-hour outage starting
// one second before 2025-03-28 00:00 KST is exempt from both notices whatever
// the setting; one starting at that instant owes the interruption notice, and
// the compensation notice only when the setting says owed.
func TestFreeServiceCompensationSetting(t *testing.T) {
	boundary := kst(2025, 3, 28, 0, 0, 0)
	before := boundary.Add(-time.Second) // 2025-03-27 23:59:59 KST
	free := func(start time.Time) Case {
		c := vas(CauseError, closed(start, 5*time.Hour))
		c.Free = true
		return c
	}
	exemptBoth := func(start time.Time) expect {
		return expect{regime: r2019, exemption: ExemptFreeService, compExempt: ExemptFreeService, crosses: at(start.Add(4 * time.Hour))}
	}
	tests := []struct {
		name  string
		start time.Time
		owed  bool
		want  expect
	}{
		{"start 2025-03-27 23:59:59 KST, setting owed: 2019 text exempts both", before, true, exemptBoth(before)},
		{"start 2025-03-27 23:59:59 KST, setting exempt: 2019 text exempts both", before, false, exemptBoth(before)},
		{"start 2025-03-28 00:00 KST, setting owed: owes both notices", boundary, true,
			expect{regime: r2025, interruption: true, comp: true, crosses: at(boundary.Add(2 * time.Hour)),
				intDue: at(boundary.Add(3 * time.Hour)), cmpDue: at(boundary.Add(5*time.Hour + 30*day))}},
		{"start 2025-03-28 00:00 KST, setting exempt: owes the interruption notice only", boundary, false,
			expect{regime: r2025, interruption: true, compExempt: ExemptFreeService, crosses: at(boundary.Add(2 * time.Hour)),
				intDue: at(boundary.Add(3 * time.Hour))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Evaluate(free(tt.start), NewSettings(tt.owed), kst(2026, 1, 1, 0, 0, 0))
			if err != nil {
				t.Fatalf("Evaluate: got error %v, want nil", err)
			}
			checkVerdict(t, got, tt.want)
		})
	}
}

func TestDefaultSettingsReadFreeServicesAsOwingTheCompensationNotice(t *testing.T) {
	if !DefaultFreeServiceOwesCompensationNotice {
		t.Fatal("DefaultFreeServiceOwesCompensationNotice is false, want the conservative reading (owed)")
	}
	def, owed := DefaultSettings(), NewSettings(true)
	for i := range def.Regimes {
		if def.Regimes[i].FreeOwesCompensationNotice != owed.Regimes[i].FreeOwesCompensationNotice {
			t.Errorf("regime %s: default reads free services' compensation notice as %v, want %v (owed)",
				def.Regimes[i].Name, def.Regimes[i].FreeOwesCompensationNotice, owed.Regimes[i].FreeOwesCompensationNotice)
		}
	}
	if def.InterruptionTarget != time.Hour || NewSettings(false).InterruptionTarget != time.Hour {
		t.Errorf("interruption target: got %v / %v, want 1h for both readings", def.InterruptionTarget, NewSettings(false).InterruptionTarget)
	}
}

func TestEvaluateRegimeBoundary(t *testing.T) {
	boundary := kst(2025, 3, 28, 0, 0, 0)
	tests := []struct {
		name     string
		start    time.Time
		regime   string
		required bool
	}{
		{"3h starting 1s before 2025-03-28 00:00 KST is judged under 2019 text", boundary.Add(-time.Second), r2019, false},
		{"3h starting at 2025-03-28 00:00 KST is judged under 2025 text", boundary, r2025, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Evaluate(vas(CauseError, closed(tt.start, 3*time.Hour)), DefaultSettings(), kst(2026, 1, 1, 0, 0, 0))
			if err != nil {
				t.Fatalf("Evaluate: got error %v, want nil", err)
			}
			if got.Regime != tt.regime || got.Required != tt.required {
				t.Errorf("got regime %s required %v, want %s required %v", got.Regime, got.Required, tt.regime, tt.required)
			}
		})
	}
}

func TestEvaluateReportedFacts(t *testing.T) {
	s := kst(2022, 10, 15, 15, 30, 0)
	got, err := Evaluate(vas(CauseError, open(s)), DefaultSettings(), s.Add(5*time.Hour+500*time.Millisecond))
	if err != nil {
		t.Fatalf("Evaluate: got error %v, want nil", err)
	}
	if !got.Ongoing || got.RestoredAt != nil {
		t.Errorf("ongoing: got %v restored %v, want true and null", got.Ongoing, got.RestoredAt)
	}
	if got.DurationSeconds != 18000 || got.ThresholdSeconds != 14400 {
		t.Errorf("got duration %ds threshold %ds, want 18000s 14400s", got.DurationSeconds, got.ThresholdSeconds)
	}
	if !got.StartedAt.Equal(s) {
		t.Errorf("started at: got %s, want %s", got.StartedAt, s)
	}
}
