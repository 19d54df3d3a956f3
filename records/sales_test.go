package records

import (
	"errors"
	"strings"
	"testing"
)

type saleWant struct {
	at   string // KST wall clock
	amt  int64
	line int
}

// salesGolden is shared with the fuzz seed corpus.
func salesGolden(t testing.TB) []struct {
	name string
	in   string
	want []saleWant
} {
	return []struct {
		name string
		in   string
		want []saleWant
	}{
		{"utf-8 korean headers LF with extra column",
			"일시,금액,메모\n2022-10-08 15:05:00,70000,아메리카노\n2022-10-08 15:45,\"1,234,000\",\n",
			[]saleWant{{"2022-10-08 15:05:00", 70000, 2}, {"2022-10-08 15:45:00", 1234000, 3}}},
		{"utf-8 BOM and CRLF with won sign and unit header",
			"\ufeff거래일시,결제금액(원)\r\n2022/10/08 15:05:00,\"₩12,000\"\r\n2022/10/08 15:06,\"  12,500원 \"\r\n",
			[]saleWant{{"2022-10-08 15:05:00", 12000, 2}, {"2022-10-08 15:06:00", 12500, 3}}},
		{"cp949 encoded",
			cp949(t, "판매일시,매출액,비고\r\n2022.10.08 15:05,\"12,000원\",카드\r\n2022.10.08 15:07:09,\\3000,현금\r\n"),
			[]saleWant{{"2022-10-08 15:05:00", 12000, 2}, {"2022-10-08 15:07:09", 3000, 3}}},
		{"english headers any case and order with spaces",
			"Note , AMOUNT ,DateTime\nx,  1000  , 2022-10-08 15:05 \ny,\"-5,000\",2022-10-08T15:06:00\nz,(700),2022-10-08T06:07:00Z\n",
			[]saleWant{{"2022-10-08 15:05:00", 1000, 2}, {"2022-10-08 15:06:00", -5000, 3}, {"2022-10-08 15:07:00", -700, 4}}},
		{"rfc3339 offset converted to seoul",
			"timestamp,sales\n2022-10-08T15:05:00+09:00,1\n2022-10-08 07:05:00+01:00,2\n",
			[]saleWant{{"2022-10-08 15:05:00", 1, 2}, {"2022-10-08 15:05:00", 2, 3}}},
		{"korean am pm and dotted date",
			"일시,금액\n2022-10-08 오후 3:05:00,1\n2022. 10. 8. 15:06,2\n2022-10-08 오전 12:30,3\n",
			[]saleWant{{"2022-10-08 15:05:00", 1, 2}, {"2022-10-08 15:06:00", 2, 3}, {"2022-10-08 00:30:00", 3, 4}}},
		{"title lines, blank line and total row are skipped",
			"매출 내역\n기간: 2022-10-01 ~ 2022-10-08\n일시,금액\n\n2022-10-08 15:05,1000\n합계,,1000\n",
			[]saleWant{{"2022-10-08 15:05:00", 1000, 4}}},
		{"separate date and time columns",
			"날짜,시간,금액\n2022-10-08,15:05,1000\n2022/10/08,오후 3:06:30,2000\n",
			[]saleWant{{"2022-10-08 15:05:00", 1000, 2}, {"2022-10-08 15:06:30", 2000, 3}}},
		{"tab separated utf-16 from excel unicode text",
			utf16le(t, "일시\t금액\r\n2022-10-08 15:05\t1,000\r\n"),
			[]saleWant{{"2022-10-08 15:05:00", 1000, 2}}},
		{"korean first appears after 64 KiB of ascii in cp949",
			"date,amount,memo\n" + strings.Repeat("2022-10-08 15:05,1,x\n", 4000) + cp949(t, "2022-10-08 15:06,2,아메리카노\n"),
			nil},
	}
}

func TestParseSalesGolden(t *testing.T) {
	loc := seoul(t)
	for _, tc := range salesGolden(t) {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSales(strings.NewReader(tc.in), loc)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if tc.want == nil { // only the count and the last row are pinned
				if len(got) != 4001 || got[4000].AmountKRW != 2 || got[4000].Line != 4002 {
					t.Fatalf("got %d rows, last %+v, want 4001 rows ending with ₩2 at line 4002", len(got), got[len(got)-1])
				}
				return
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d rows %+v, want %d", len(got), got, len(tc.want))
			}
			for i, w := range tc.want {
				g := got[i]
				if !g.At.Equal(kst(t, w.at)) || g.AmountKRW != w.amt || g.Line != w.line {
					t.Errorf("row %d: got %s ₩%d line %d, want %s ₩%d line %d", i, g.At.In(loc).Format("2006-01-02 15:04:05"), g.AmountKRW, g.Line, w.at, w.amt, w.line)
				}
				if g.At.Location() != loc {
					t.Errorf("row %d: got location %s, want %s", i, g.At.Location(), loc)
				}
			}
		})
	}
}

func TestParseSalesErrors(t *testing.T) {
	loc := seoul(t)
	for _, tc := range []struct {
		name             string
		in               string
		line, col        int
		field, msgSubstr string
	}{
		{"malformed amount at line 3 column 2", "일시,금액\n2022-10-08 15:05,1000\n2022-10-08 16:00,12x\n", 3, 2, "금액", "not an amount"},
		{"malformed time at line 2 column 1", "일시,금액\n2022-13-08 15:05,1000\n", 2, 1, "일시", "no such date"},
		{"time that is not a time", "일시,금액\nyesterday,1000\n", 2, 1, "일시", "not a date and time"},
		{"february 30", "일시,금액\n2022-02-30 10:00,1\n", 2, 1, "일시", "no such date"},
		{"date without time of day", "일시,금액\n2022-10-08,1\n", 2, 1, "일시", "time of day missing"},
		{"year 0001 rejected", "일시,금액\n0001-01-01 09:00,1\n", 2, 1, "일시", "year out of range"},
		{"misgrouped thousands", "일시,금액\n2022-10-08 15:05,\"1,23\"\n", 2, 2, "금액", "not an amount"},
		{"non-zero fraction of a won", "일시,금액\n2022-10-08 15:05,100.5\n", 2, 2, "금액", "not an amount"},
		{"amount above one trillion", "일시,금액\n2022-10-08 15:05,1000000000001\n", 2, 2, "금액", "too large"},
		{"empty amount on a short row", "일시,금액\n2022-10-08 15:05\n", 2, 2, "금액", "not an amount"},
		{"bad time of day in a date and time pair", "날짜,시간,금액\n2022-10-08,25시,1\n", 2, 2, "시간", "not a time of day"},
		{"bad date in a date and time pair", "날짜,시간,금액\n2022-10-,15:05,1\n", 2, 1, "날짜", "not a date"},
		{"missing amount column", "일시,메모\n2022-10-08 15:05,x\n", 1, 0, "amount", "required column"},
		{"missing time column", "금액\n1000\n", 1, 0, "time", "required column"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSales(strings.NewReader(tc.in), loc)
			if got != nil {
				t.Errorf("got %d rows, want nil on error", len(got))
			}
			assertLineError(t, err, tc.line, tc.col, tc.field, tc.msgSubstr)
		})
	}
}

func TestParseSalesErrorMessageNamesLineAndColumn(t *testing.T) {
	_, err := ParseSales(strings.NewReader("일시,금액\n2022-10-08 15:05,1000\n2022-10-08 16:00,12x\n"), seoul(t))
	for _, want := range []string{"3행 2열(금액)", "line 3, column 2 (금액)", `"12x"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want it to contain %q", err, want)
		}
	}
}

func TestParseSalesCollectsErrors(t *testing.T) {
	in := "일시,금액\n" + strings.Repeat("bad,1\n", 30)
	_, err := ParseSales(strings.NewReader(in), seoul(t))
	var all LineErrors
	if !errors.As(err, &all) {
		t.Fatalf("got %v, want LineErrors", err)
	}
	if len(all) != DefaultLimits.MaxErrors || all[0].Line != 2 || all[19].Line != 21 {
		t.Errorf("got %d errors from line %d to %d, want 20 from line 2 to 21", len(all), all[0].Line, all[len(all)-1].Line)
	}
	if !strings.Contains(err.Error(), "and 19 more") {
		t.Errorf("got %q, want it to mention 19 more", err.Error())
	}
}

func TestParseSalesFileLevelErrors(t *testing.T) {
	loc := seoul(t)
	tiny := Limits{MaxRows: 2, MaxRecordBytes: 100, MaxFieldBytes: 20}
	for _, tc := range []struct {
		name string
		in   string
		lim  Limits
		want error
	}{
		{"empty file", "", Limits{}, ErrEmpty},
		{"only blank lines", "\r\n\n\r\n", Limits{}, ErrEmpty},
		{"only a BOM", "\ufeff", Limits{}, ErrEmpty},
		{"header only", "일시,금액\r\n", Limits{}, ErrNoRows},
		{"header and total row only", "일시,금액\n합계,0\n", Limits{}, ErrNoRows},
		{"three rows over a limit of two", "일시,금액\n2022-10-08 15:05,1\n2022-10-08 15:05,1\n2022-10-08 15:05,1\n", tiny, ErrTooLarge},
		{"line longer than the record limit", "일시,금액,memo\n2022-10-08 15:05,1," + strings.Repeat("x", 10000) + "\n", tiny, ErrTooLarge},
		{"unterminated quote swallowing the file", "일시,금액\n\"" + strings.Repeat("2022-10-08 15:05,1\n", 1000), tiny, ErrTooLarge},
		{"xlsx magic with junk", "PK\x03\x04 not really a zip", Limits{}, ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSalesLimits(strings.NewReader(tc.in), loc, tc.lim)
			if !errors.Is(err, tc.want) || got != nil {
				t.Errorf("got %d rows, %v; want nil, %v", len(got), err, tc.want)
			}
		})
	}
	t.Run("field longer than the field limit", func(t *testing.T) {
		_, err := ParseSalesLimits(strings.NewReader("일시,금액,memo\n2022-10-08 15:05,1,"+strings.Repeat("x", 21)+"\n"), loc, tiny)
		assertLineError(t, err, 2, 3, "memo", "longer than 20 bytes")
	})
	t.Run("nil location", func(t *testing.T) {
		if _, err := ParseSales(strings.NewReader("일시,금액\n2022-10-08 15:05,1\n"), nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("got %v, want ErrInvalid", err)
		}
	})
}

func TestParseAmount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		xlsx bool
		want int64
		ok   bool
	}{
		{"0", false, 0, true},
		{"1,234,000", false, 1234000, true},
		{"₩1,234,000", false, 1234000, true},
		{"￦ 1,000", false, 1000, true},
		{"1000원", false, 1000, true},
		{"KRW 1000", false, 1000, true},
		{"-₩1,000", false, -1000, true},
		{"₩-1,000", false, -1000, true},
		{"(1,000)", false, -1000, true},
		{"−500", false, -500, true},
		{"1000.00", false, 1000, true},
		{"1,000,000,000,000", false, 1000000000000, true},
		{"1,000,000,000,001", false, 0, false},
		{"99999999999999999999999", false, 0, false},
		{"1,00", false, 0, false},
		{",100", false, 0, false},
		{"100,", false, 0, false},
		{"1000,000", false, 0, false},
		{"", false, 0, false},
		{"-", false, 0, false},
		{"₩", false, 0, false},
		{"1.5E+6", false, 0, false},
		{"1.5E+6", true, 1500000, true},
		{"12000.0000000001", true, 12000, true},
		{"12000.5", true, 0, false},
		{"NaN", true, 0, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, p := parseAmount(tc.in, tc.xlsx)
			if (p == nil) != tc.ok || got != tc.want {
				t.Errorf("got %d, ok %v; want %d, ok %v", got, p == nil, tc.want, tc.ok)
			}
		})
	}
}
