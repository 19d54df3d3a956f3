package records

import (
	"bytes"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// buildXLSX writes rows (nil cells stay empty) to the first sheet; a
// time.Time value becomes a real date cell with a date number format.
func buildXLSX(t testing.TB, rows map[int][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	for r, cells := range rows {
		for c, v := range cells {
			if v == nil {
				continue
			}
			ref, err := excelize.CoordinatesToCellName(c+1, r)
			if err != nil {
				t.Fatalf("cell name: %v", err)
			}
			if err := f.SetCellValue(sheet, ref, v); err != nil {
				t.Fatalf("set %s: %v", ref, err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatalf("write xlsx: %v", err)
	}
	return buf.Bytes()
}

func TestParseSalesXLSX(t *testing.T) {
	loc := seoul(t)
	// excelize stores a time.Time by its UTC fields; give the wall clock in UTC.
	dateCell := time.Date(2022, 10, 8, 16, 30, 0, 0, time.UTC)
	data := buildXLSX(t, map[int][]any{
		1: {"일시", "금액", "메모"},
		2: {"2022-10-08 15:05:00", 12000, "string time, number amount"},
		3: {dateCell, "₩1,000", "date cell, string amount"},
		// row 4 left empty: line numbers must follow the sheet
		5: {44842.75, 1500.0, "serial as a plain number"},
	})
	got, err := ParseSales(bytes.NewReader(data), loc)
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	want := []Sale{
		{At: kst(t, "2022-10-08 15:05:00"), AmountKRW: 12000, Line: 2},
		{At: kst(t, "2022-10-08 16:30:00"), AmountKRW: 1000, Line: 3},
		{At: kst(t, "2022-10-08 18:00:00"), AmountKRW: 1500, Line: 5},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rows %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		if g := got[i]; !g.At.Equal(w.At) || g.AmountKRW != w.AmountKRW || g.Line != w.Line {
			t.Errorf("row %d: got %s ₩%d line %d, want %s ₩%d line %d", i, g.At.In(loc), g.AmountKRW, g.Line, w.At, w.AmountKRW, w.Line)
		}
	}
}

func TestParseSalesXLSXBadCell(t *testing.T) {
	data := buildXLSX(t, map[int][]any{
		1: {"Date", "Time", "Amount"},
		2: {"2022-10-08", "15:05", 1000},
		3: {"2022-10-08", "15:06", "12x"},
	})
	_, err := ParseSales(bytes.NewReader(data), seoul(t))
	assertLineError(t, err, 3, 3, "Amount", "not an amount")
}

func TestSerialDates(t *testing.T) {
	loc := seoul(t)
	for _, tc := range []struct {
		name     string
		serial   float64
		date1904 bool
		want     string
		ok       bool
	}{
		{"1900 system with afternoon fraction", 44842.6875, false, "2022-10-08 16:30:00", true},
		{"fraction rounding to the next second", 44842.0 + 59.9999/86400, false, "2022-10-08 00:01:00", true},
		{"fraction rounding to midnight of the next day", 44842.9999999999, false, "2022-10-09 00:00:00", true},
		{"1904 system", 44842.6875 - 1462, true, "2022-10-08 16:30:00", true},
		{"lotus leap-year bug range rejected", 59, false, "", false},
		{"before 1990 rejected", 100, false, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, p := cellCtx{loc: loc, xlsx: true, date1904: tc.date1904}.serial(tc.serial, "x")
			if (p == nil) != tc.ok {
				t.Fatalf("got problem %v, want ok %v", p, tc.ok)
			}
			if tc.ok && !got.Equal(kst(t, tc.want)) {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}
