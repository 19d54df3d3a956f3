package records

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

func FuzzParseSales(f *testing.F) {
	for _, tc := range salesGolden(f) {
		if len(tc.in) <= 4<<10 { // big seeds make every mutation and minimisation slow
			f.Add([]byte(tc.in))
		}
	}
	for _, s := range []string{"", "일시,금액\n", "일시,금액\n2022-10-08 15:05,12x\n", "PK\x03\x04", "\xff\xfe", "날짜,시간,금액\n2022-10-08,15:05,1\n"} {
		f.Add([]byte(s))
	}
	f.Add(buildXLSX(f, map[int][]any{1: {"일시", "금액"}, 2: {time.Date(2022, 10, 8, 16, 30, 0, 0, time.UTC), 1000}}))
	loc := seoul(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		sales, err := ParseSalesLimits(bytes.NewReader(data), loc, Limits{MaxRows: 10_000})
		if err != nil {
			if sales != nil {
				t.Fatalf("got %d rows with error %v, want nil rows", len(sales), err)
			}
			if err.Error() == "" {
				t.Fatalf("got an empty error message")
			}
			return
		}
		if len(sales) == 0 {
			t.Fatalf("got no rows and no error, want ErrNoRows")
		}
		for _, s := range sales {
			if s.At.IsZero() || s.Line < 2 || s.AmountKRW > MaxAmountKRW || s.AmountKRW < -MaxAmountKRW {
				t.Fatalf("got row %+v, want non-zero time, line >= 2 and a bounded amount", s)
			}
		}
	})
}

func FuzzParseTrips(f *testing.F) {
	for _, tc := range tripsGolden {
		f.Add([]byte(tc.in))
	}
	f.Add([]byte("시작,종료,요금\n2022-10-08 15:05,2022-10-08 15:04,-1\n"))
	loc := seoul(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		trips, err := ParseTripsLimits(bytes.NewReader(data), loc, Limits{MaxRows: 10_000})
		if err != nil {
			if trips != nil {
				t.Fatalf("got %d rows with error %v, want nil rows", len(trips), err)
			}
			return
		}
		for _, tr := range trips {
			if tr.Start.IsZero() || tr.End.Before(tr.Start) || tr.FareKRW < 0 || tr.Line < 2 {
				t.Fatalf("got trip %+v, want non-zero start, end >= start, fare >= 0, line >= 2", tr)
			}
		}
	})
}

func salesCSV(rows int) []byte {
	var b strings.Builder
	b.WriteString("거래일시,결제금액,메모\r\n")
	start := time.Date(2022, 9, 1, 9, 0, 0, 0, time.UTC)
	for i := range rows {
		at := start.Add(time.Duration(i) * 17 * time.Second)
		fmt.Fprintf(&b, "%s,\"%s\",카드\r\n", at.Format("2006-01-02 15:04:05"), grouped(int64(1000+i%50_000)))
	}
	return []byte(b.String())
}

func grouped(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func BenchmarkParseSales100k(b *testing.B) {
	data := salesCSV(100_000)
	loc := seoul(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		sales, err := ParseSales(bytes.NewReader(data), loc)
		if err != nil || len(sales) != 100_000 {
			b.Fatalf("got %d rows, %v; want 100000, nil", len(sales), err)
		}
	}
}
