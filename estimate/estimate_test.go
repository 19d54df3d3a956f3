package estimate

import (
	"errors"
	"math"
	"testing"
	"time"
	_ "time/tzdata" // tests must not depend on the host's zoneinfo
)

func seoul(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatalf("load Asia/Seoul: %v", err)
	}
	return loc
}

func at(t *testing.T, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04:05", s, loc)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}

func pts(t *testing.T, loc *time.Location, kv ...any) []Point {
	t.Helper()
	var out []Point
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, Point{At: at(t, loc, kv[i].(string)), AmountKRW: int64(kv[i+1].(int))})
	}
	return out
}

// cafe is the hand-worked fixture. A café open 09:00-21:00 every day; the
// outage runs Saturday 2022-10-15 15:30 to 18:10 KST, so hours 15, 16, 17 and
// 18 overlap it. Comparison Saturdays: w1 10-08, w2 10-01, w3 09-24, w4 09-17.
// The café has no records at all on 10-01 (w2 = ₩0 in every hour).
//
//	hour  w1       w2  w3       w4       sorted middle two   median   actual   loss
//	15    120,000  0   100,000  130,000  100,000+120,000     110,000  40,001   69,999
//	16    151,001  0   140,000  160,000  140,000+151,001     145,500  0        145,500 (145,500.5 rounded down)
//	17    95,001   0   90,000   110,000  90,000+95,001       92,500   0        92,500  (92,500.5 rounded down)
//	18    60,000   0   50,000   70,000   50,000+60,000       55,000   80,000   0       (actual above baseline)
//
// raw = 69,999 + 145,500 + 92,500 + 0 = 307,999
// margin 30%:     307,999 x 0.30 = 92,399.7 -> 92,399
// substitute 80%:  92,399 x 0.80 = 73,919.2 -> 73,919
// share 50%:       73,919 x 0.50 = 36,959.5 -> 36,959
// cap ₩30,000 -> ₩30,000 (applied); cap ₩50,000 -> ₩36,959 (not applied).
func cafe(t *testing.T, capKRW int64) Input {
	t.Helper()
	loc := seoul(t)
	return Input{
		Points: pts(t, loc,
			// w4 2022-09-17
			"2022-09-17 15:10:00", 130000, "2022-09-17 16:20:00", 160000,
			"2022-09-17 17:30:00", 110000, "2022-09-17 18:40:00", 70000,
			// w3 2022-09-24
			"2022-09-24 15:00:00", 100000, "2022-09-24 16:00:00", 140000,
			"2022-09-24 17:00:00", 90000, "2022-09-24 18:00:00", 50000,
			// w2 2022-10-01: no records
			// w1 2022-10-08, hour 16 split across its two boundaries
			"2022-10-08 15:05:00", 70000, "2022-10-08 15:45:00", 50000,
			"2022-10-08 16:00:00", 100000, "2022-10-08 16:59:59", 51001,
			"2022-10-08 17:15:00", 95001, "2022-10-08 18:50:00", 60000,
			"2022-10-08 19:00:00", 500000, // not an outage hour
			// outage day: 15:00-15:30 traded normally, recovered after 18:10
			"2022-10-15 14:59:59", 777777, // previous hour
			"2022-10-15 15:10:00", 25000, "2022-10-15 15:20:00", 15001,
			"2022-10-15 18:30:00", 80000,
			// five weeks back: ignored
			"2022-09-10 15:10:00", 999999,
		),
		Start:    at(t, loc, "2022-10-15 15:30:00"),
		End:      at(t, loc, "2022-10-15 18:10:00"),
		Schedule: EveryDay(Span{Open: 9 * 60, Close: 21 * 60}),
		Loc:      loc,
		Factors:  Factors{MarginBP: 3000, SubstituteBP: 8000, ShareBP: 5000, CapKRW: capKRW},
	}
}

func TestEstimateCafeByHand(t *testing.T) {
	res, err := Estimate(cafe(t, 30000))
	if err != nil {
		t.Fatalf("Estimate: %v", err)
	}
	want := []Hour{
		{Weeks: [4]int64{120000, 0, 100000, 130000}, Baseline: 110000, Actual: 40001, Loss: 69999},
		{Weeks: [4]int64{151001, 0, 140000, 160000}, Baseline: 145500, Actual: 0, Loss: 145500},
		{Weeks: [4]int64{95001, 0, 90000, 110000}, Baseline: 92500, Actual: 0, Loss: 92500},
		{Weeks: [4]int64{60000, 0, 50000, 70000}, Baseline: 55000, Actual: 80000, Loss: 0},
	}
	if len(res.Hours) != len(want) {
		t.Fatalf("got %d hours, want %d", len(res.Hours), len(want))
	}
	for i, w := range want {
		g := res.Hours[i]
		if wantStart := 15 + i; g.Start.Hour() != wantStart || g.Skipped {
			t.Errorf("hour %d: got start %s skipped %v, want %02d:00 counted", i, g.Start, g.Skipped, wantStart)
		}
		if g.Weeks != w.Weeks || g.Baseline != w.Baseline || g.Actual != w.Actual || g.Loss != w.Loss {
			t.Errorf("hour %02d: got weeks %v baseline %d actual %d loss %d, want weeks %v baseline %d actual %d loss %d",
				15+i, g.Weeks, g.Baseline, g.Actual, g.Loss, w.Weeks, w.Baseline, w.Actual, w.Loss)
		}
	}
	wantSteps := []struct {
		key    string
		amount int64
		value  string
	}{
		{"window", -1, "2022-10-15 15:30–18:10 KST"},
		{"weeks", -1, "2022-09-17, 2022-09-24, 2022-10-01, 2022-10-08"},
		{"hour", 69999, "2022-10-15 15:00–16:00 KST"},
		{"hour", 145500, "2022-10-15 16:00–17:00 KST"},
		{"hour", 92500, "2022-10-15 17:00–18:00 KST"},
		{"hour", 0, "2022-10-15 18:00–19:00 KST"},
		{"raw", 307999, "₩307,999"},
		{"margin", 92399, "30%"},
		{"substitute", 73919, "80%"},
		{"share", 36959, "50%"},
		{"cap", 30000, "₩30,000"},
		{"final", 30000, "₩30,000"},
	}
	assertSteps(t, res.Steps, wantSteps)
	if res.AmountKRW != 30000 {
		t.Errorf("got amount %d, want 30000", res.AmountKRW)
	}
}

func assertSteps(t *testing.T, got []Step, want []struct {
	key    string
	amount int64
	value  string
}) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d steps %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		g := got[i]
		gotAmt := int64(-1)
		if g.AmountKRW != nil {
			gotAmt = *g.AmountKRW
		}
		if g.Key != w.key || gotAmt != w.amount || g.Value != w.value {
			t.Errorf("step %d: got %s %d %q, want %s %d %q", i, g.Key, gotAmt, g.Value, w.key, w.amount, w.value)
		}
		if g.LabelKO == "" || g.LabelEN == "" {
			t.Errorf("step %d (%s): got empty label, want both languages", i, g.Key)
		}
	}
}

func TestEstimateCap(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cap      int64
		want     int64
		wantStep string
	}{
		{"no cap keeps 36,959", 0, 36959, "No cap"},
		{"cap above amount is not applied", 50000, 36959, "Below the cap — not applied"},
		{"cap equal to amount is not applied", 36959, 36959, "Below the cap — not applied"},
		{"cap one won below amount is applied", 36958, 36958, "Cap applied"},
		{"cap 30,000 is applied", 30000, 30000, "Cap applied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Estimate(cafe(t, tc.cap))
			if err != nil {
				t.Fatalf("Estimate: %v", err)
			}
			if res.AmountKRW != tc.want {
				t.Errorf("got %d, want %d", res.AmountKRW, tc.want)
			}
			capStep := res.Steps[len(res.Steps)-2]
			if capStep.Key != "cap" || capStep.LabelEN != tc.wantStep {
				t.Errorf("got step %s %q, want cap %q", capStep.Key, capStep.LabelEN, tc.wantStep)
			}
		})
	}
}

func TestEstimateSkipsHoursOutsideSchedule(t *testing.T) {
	loc := seoul(t)
	in := Input{
		Points: pts(t, loc, "2022-10-08 20:10:00", 50000, "2022-10-08 21:10:00", 40000, "2022-10-08 22:10:00", 30000),
		// 20:00 is open, 21:00 is the closing minute (closed), 22:00 closed.
		Start:    at(t, loc, "2022-10-15 20:30:00"),
		End:      at(t, loc, "2022-10-15 22:10:00"),
		Schedule: EveryDay(Span{Open: 9 * 60, Close: 21 * 60}),
		Loc:      loc,
		Factors:  Factors{MarginBP: 10000, SubstituteBP: 10000, ShareBP: 10000},
	}
	res, err := Estimate(in)
	if err != nil {
		t.Fatalf("Estimate: %v", err)
	}
	// Only 20:00 counts: weeks {50,000, 0, 0, 0} -> median (0+0)/2 = 0, loss 0.
	wantSkipped := []bool{false, true, true}
	if len(res.Hours) != 3 {
		t.Fatalf("got %d hours, want 3", len(res.Hours))
	}
	for i, h := range res.Hours {
		if h.Skipped != wantSkipped[i] {
			t.Errorf("hour %s: got skipped %v, want %v", h.Start.Format("15:04"), h.Skipped, wantSkipped[i])
		}
		if h.Skipped && (h.Reason != ReasonOutsideSchedule || h.Loss != 0 || h.Baseline != 0) {
			t.Errorf("hour %s: got reason %q loss %d baseline %d, want %q 0 0", h.Start.Format("15:04"), h.Reason, h.Loss, h.Baseline, ReasonOutsideSchedule)
		}
	}
	if got := res.Steps[3]; got.Key != "hour.skipped" || got.AmountKRW != nil || got.Value != "2022-10-15 21:00–22:00 KST" {
		t.Errorf("got step %+v, want hour.skipped 21:00–22:00 without amount", got)
	}
	if res.AmountKRW != 0 {
		t.Errorf("got %d, want 0: one week of data out of four gives a median of 0", res.AmountKRW)
	}
}

func TestEstimateOvernightShift(t *testing.T) {
	loc := seoul(t)
	// A designated driver works Friday 20:00 to Saturday 03:00.
	sched := Schedule{time.Friday: {{Open: 20 * 60, Close: 3 * 60}}}
	var p []Point
	for _, d := range []string{"2022-09-16", "2022-09-23", "2022-09-30", "2022-10-07"} {
		p = append(p, pts(t, loc, d+" 23:30:00", 30000)...) // Friday 23:00 hour
	}
	for _, d := range []string{"2022-09-17", "2022-09-24", "2022-10-01", "2022-10-08"} {
		p = append(p, pts(t, loc, d+" 01:30:00", 20000, d+" 03:30:00", 99000)...)
	}
	res, err := Estimate(Input{
		Points: p, Schedule: sched, Loc: loc,
		Start:   at(t, loc, "2022-10-14 23:00:00"), // Friday
		End:     at(t, loc, "2022-10-15 04:00:00"), // Saturday
		Factors: Factors{MarginBP: 10000, SubstituteBP: 10000, ShareBP: 10000},
	})
	if err != nil {
		t.Fatalf("Estimate: %v", err)
	}
	// Fri 23 counted (30,000); Sat 00 counted (0); Sat 01 counted (20,000);
	// Sat 02 counted (0); Sat 03 is the closing minute: skipped despite sales.
	want := []struct {
		skipped bool
		loss    int64
	}{{false, 30000}, {false, 0}, {false, 20000}, {false, 0}, {true, 0}}
	if len(res.Hours) != len(want) {
		t.Fatalf("got %d hours, want %d", len(res.Hours), len(want))
	}
	for i, w := range want {
		if h := res.Hours[i]; h.Skipped != w.skipped || h.Loss != w.loss {
			t.Errorf("%s: got skipped %v loss %d, want %v %d", h.Start.Format("Mon 15:04"), h.Skipped, h.Loss, w.skipped, w.loss)
		}
	}
	if res.AmountKRW != 50000 {
		t.Errorf("got %d, want 50000", res.AmountKRW)
	}
}

func TestEstimateUsesWallClockAcrossDST(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	// DST began 2024-03-10 02:00. A week earlier 12:30 EST is 169 absolute
	// hours before 12:30 EDT, but the same wall-clock hour.
	var p []Point
	for _, d := range []string{"2024-02-11", "2024-02-18", "2024-02-25", "2024-03-03"} {
		p = append(p, pts(t, ny, d+" 12:30:00", 10000)...)
	}
	res, err := Estimate(Input{
		Points: p, Loc: ny, Schedule: EveryDay(Span{Open: 0, Close: 0}),
		Start: at(t, ny, "2024-03-10 12:00:00"), End: at(t, ny, "2024-03-10 13:00:00"),
		Factors: Factors{MarginBP: 10000, SubstituteBP: 10000, ShareBP: 10000},
	})
	if err != nil {
		t.Fatalf("Estimate: %v", err)
	}
	if len(res.Hours) != 1 || res.Hours[0].Weeks != [4]int64{10000, 10000, 10000, 10000} {
		t.Fatalf("got hours %+v, want one hour with four weeks of 10,000", res.Hours)
	}
}

func TestEstimateLongWindowSummarisesSteps(t *testing.T) {
	loc := seoul(t)
	in := cafe(t, 0)
	in.End = at(t, loc, "2022-10-20 23:00:00") // about 127.5 hours
	res, err := Estimate(in)
	if err != nil {
		t.Fatalf("Estimate: %v", err)
	}
	if got, want := len(res.Hours), 128; got != want { // 15:00 on the 15th to 22:00 on the 20th
		t.Errorf("got %d hours, want %d", got, want)
	}
	if res.Steps[2].Key != "hours.summary" || res.Steps[3].Key != "raw" {
		t.Errorf("got steps %s, %s, want hours.summary, raw", res.Steps[2].Key, res.Steps[3].Key)
	}
	if got := *res.Steps[3].AmountKRW; got != 307999 {
		t.Errorf("got raw %d, want 307999 (only the 15th has comparison data)", got)
	}
}

func TestEstimateRejectsInvalidInput(t *testing.T) {
	loc := seoul(t)
	for _, tc := range []struct {
		name   string
		modify func(*Input)
	}{
		{"nil location", func(in *Input) { in.Loc = nil }},
		{"outage still open (zero end)", func(in *Input) { in.End = time.Time{} }},
		{"zero start", func(in *Input) { in.Start = time.Time{} }},
		{"end equal to start", func(in *Input) { in.End = in.Start }},
		{"window 31 days plus 1s", func(in *Input) { in.End = in.Start.Add(MaxWindow + time.Second) }},
		{"empty schedule", func(in *Input) { in.Schedule = Schedule{} }},
		{"span opening at 24:00", func(in *Input) { in.Schedule = Schedule{time.Monday: {{Open: 1440, Close: 60}}} }},
		{"span closing after 24:00", func(in *Input) { in.Schedule = Schedule{time.Monday: {{Open: 60, Close: 1441}}} }},
		{"weekday 7", func(in *Input) { in.Schedule = Schedule{7: {{Open: 60, Close: 120}}} }},
		{"margin 100.01%", func(in *Input) { in.Factors.MarginBP = 10001 }},
		{"negative share", func(in *Input) { in.Factors.ShareBP = -1 }},
		{"negative cap", func(in *Input) { in.Factors.CapKRW = -1 }},
		{"hourly sum overflows", func(in *Input) {
			in.Points = pts(t, loc, "2022-10-08 15:01:00", 1, "2022-10-08 15:02:00", 1)
			in.Points[0].AmountKRW = math.MaxInt64
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := cafe(t, 0)
			tc.modify(&in)
			_, err := Estimate(in)
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("got %v, want ErrInvalid", err)
			}
		})
	}
	t.Run("window exactly 31 days is accepted", func(t *testing.T) {
		in := cafe(t, 0)
		in.End = in.Start.Add(MaxWindow)
		if _, err := Estimate(in); err != nil {
			t.Errorf("got %v, want nil", err)
		}
	})
}
