package records

import (
	"strings"
	"testing"
	"time"
)

var tripsGolden = []struct{ name, in string }{
	{"korean headers quoted fare", "출발시각,도착시각,요금\n2022-10-08 15:05,2022-10-08 15:35,\"15,800\"\n"},
	{"english headers rfc3339 zero fare", "started_at,ended_at,fare,driver\r\n2022-10-08T15:05:00+09:00,2022-10-08T15:35:00+09:00,₩0,a\r\n"},
	{"trip across midnight with extra first column", "운행번호,시작,종료,운임\n1,2022/10/08 23:50,2022/10/09 00:20,\"32,000원\"\n"},
}

func TestParseTripsGolden(t *testing.T) {
	loc := seoul(t)
	want := []Trip{
		{Start: kst(t, "2022-10-08 15:05:00"), End: kst(t, "2022-10-08 15:35:00"), FareKRW: 15800, Line: 2},
		{Start: kst(t, "2022-10-08 15:05:00"), End: kst(t, "2022-10-08 15:35:00"), FareKRW: 0, Line: 2},
		{Start: kst(t, "2022-10-08 23:50:00"), End: kst(t, "2022-10-09 00:20:00"), FareKRW: 32000, Line: 2},
	}
	for i, tc := range tripsGolden {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTrips(strings.NewReader(tc.in), loc)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if len(got) != 1 || !got[0].Start.Equal(want[i].Start) || !got[0].End.Equal(want[i].End) || got[0].FareKRW != want[i].FareKRW || got[0].Line != 2 {
				t.Errorf("got %+v, want [%+v]", got, want[i])
			}
		})
	}
}

func TestParseTripsErrors(t *testing.T) {
	loc := seoul(t)
	for _, tc := range []struct {
		name             string
		in               string
		line, col        int
		field, msgSubstr string
	}{
		{"negative fare", "시작,종료,요금\n2022-10-08 15:05,2022-10-08 15:35,-100\n", 2, 3, "요금", "fare cannot be negative"},
		{"end one second before start", "시작,종료,요금\n2022-10-08 15:05:00,2022-10-08 15:04:59,100\n", 2, 2, "종료", "end is before start"},
		{"bad start", "start,end,fare\nsoon,2022-10-08 15:35,100\n", 2, 1, "start", "not a date and time"},
		{"missing end column", "start,fare\n2022-10-08 15:05,100\n", 1, 0, "end", "required column"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseTrips(strings.NewReader(tc.in), loc)
			assertLineError(t, err, tc.line, tc.col, tc.field, tc.msgSubstr)
		})
	}
	t.Run("end equal to start is accepted", func(t *testing.T) {
		if _, err := ParseTrips(strings.NewReader("시작,종료,요금\n2022-10-08 15:05,2022-10-08 15:05,0\n"), loc); err != nil {
			t.Errorf("got %v, want nil", err)
		}
	})
}

func TestPoints(t *testing.T) {
	s := kst(t, "2022-10-08 15:50:00")
	sp := SalesPoints([]Sale{{At: s, AmountKRW: -500, Line: 2}})
	if len(sp) != 1 || !sp[0].At.Equal(s) || sp[0].AmountKRW != -500 {
		t.Errorf("got %+v, want one point at %s of -500", sp, s)
	}
	tp := TripPoints([]Trip{{Start: s, End: s.Add(30 * time.Minute), FareKRW: 9000, Line: 2}})
	if len(tp) != 1 || !tp[0].At.Equal(s) || tp[0].AmountKRW != 9000 {
		t.Errorf("got %+v, want one point at the trip start %s of 9000", tp, s)
	}
}
