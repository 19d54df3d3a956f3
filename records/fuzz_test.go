package records

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
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
	// Issue 11's reproductions, small: blank lines past the record budget
	// of fuzzLimits (refused as "line 2 longer than ..." before), and zip
	// bombs by declared size and by a broken part after a big sheet.
	f.Add([]byte("일시,금액\r\n" + strings.Repeat("\r\n", 3000) + "2022-10-08 15:05,1000\r\n"))
	f.Add(buildZip(f, append(append([]bombPart{}, workbookParts...), bombPart{name: "xl/worksheets/sheet1.xml", raw: true, data: []byte("junk"), size: 1 << 30})...))
	f.Add(buildZip(f, append(append([]bombPart{}, workbookParts...), bombPart{name: "xl/worksheets/sheet1.xml", zeros: 2 << 20}, badChecksum)...))
	loc := seoul(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		sales, err := ParseSalesLimits(bytes.NewReader(data), loc, fuzzLimits)
		if err != nil {
			checkFileError(t, len(sales), err)
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
		trips, err := ParseTripsLimits(bytes.NewReader(data), loc, fuzzLimits)
		if err != nil {
			checkFileError(t, len(trips), err)
			return
		}
		for _, tr := range trips {
			if tr.Start.IsZero() || tr.End.Before(tr.Start) || tr.FareKRW < 0 || tr.Line < 2 {
				t.Fatalf("got trip %+v, want non-zero start, end >= start, fare >= 0, line >= 2", tr)
			}
		}
	})
}

// fuzzLimits keep each input cheap: a small record budget and a 1 MiB
// unpacked XLSX, so the reproductions above hit their bounds at seed size.
var fuzzLimits = Limits{MaxRows: 10_000, MaxRecordBytes: 1024, MaxXLSXUnzipBytes: 1 << 20}

// checkFileError holds for every refused file: no rows, and an error of
// the file's category (ErrInvalid) with a message, which callers show as a
// 4xx; a LimitError explains itself in both languages.
func checkFileError(t *testing.T, rows int, err error) {
	t.Helper()
	if rows != 0 {
		t.Fatalf("got %d rows with error %v, want none", rows, err)
	}
	if !errors.Is(err, ErrInvalid) || err.Error() == "" {
		t.Fatalf("got %v, want an error wrapping ErrInvalid with a message", err)
	}
	var le *LimitError
	if errors.As(err, &le) && (le.MessageKO == "" || le.MessageEN == "") {
		t.Fatalf("got %+v, want a Korean and an English message", le)
	}
}

// FuzzParseXLSX puts fuzzed sheet and shared-string XML inside an
// otherwise sound workbook, so the mutations reach excelize's XML reading
// rather than dying at the zip checksum. Nothing may be left on disk.
func FuzzParseXLSX(f *testing.F) {
	base := buildXLSX(f, map[int][]any{1: {"일시", "금액", "메모"}, 2: {time.Date(2022, 10, 8, 16, 30, 0, 0, time.UTC), 1000, "카드"},
		3: {"2022-10-08 17:00", "₩1,000", nil}, 5: {44842.75, -500.0, "환불"}})
	parts := zipParts(f, base)
	if parts["xl/worksheets/sheet1.xml"] == nil || parts["xl/sharedStrings.xml"] == nil {
		f.Fatalf("the base workbook has parts %v, want a sheet and shared strings", slices.Collect(maps.Keys(parts)))
	}
	if got, err := ParseSalesLimits(bytes.NewReader(withParts(f, base, parts, nil)), seoul(f), fuzzLimits); err != nil || len(got) != 3 {
		f.Fatalf("the rebuilt base workbook: got %d rows, %v; want 3 rows", len(got), err)
	}
	f.Add(parts["xl/worksheets/sheet1.xml"], parts["xl/sharedStrings.xml"])
	f.Add([]byte(`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>일시</t></is></c><c r="B1" t="inlineStr"><is><t>금액</t></is></c></row>`+
		`<row r="2"><c r="A2" t="s"><v>99</v></c><c r="B2" t="e"><v>#DIV/0!</v></c></row><row r="0"><c r="XFE1"><v>1</v></c></row></sheetData></worksheet>`), []byte(`<sst><si><t>x</t></si></sst>`))
	tmp := f.TempDir()
	f.Setenv("TMPDIR", tmp)
	loc := seoul(f)
	f.Fuzz(func(t *testing.T, sheet, sst []byte) {
		data := withParts(t, base, parts, map[string][]byte{"xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": sst})
		sales, err := ParseSalesLimits(bytes.NewReader(data), loc, fuzzLimits)
		if err != nil {
			checkFileError(t, len(sales), err)
		}
		for _, s := range sales {
			if s.At.IsZero() || s.Line < 2 {
				t.Fatalf("got row %+v, want a time and line >= 2", s)
			}
		}
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Fatalf("left in the temp dir: %s", left[0].Name())
		}
	})
}

// zipParts returns the contents of a zip's parts by name.
func zipParts(t testing.TB, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[zf.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// withParts writes a zip of the parts of base (in base's order), some
// replaced.
func withParts(t testing.TB, base []byte, parts map[string][]byte, replace map[string][]byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, zf := range zr.File {
		content, ok := replace[zf.Name]
		if !ok {
			content = parts[zf.Name]
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: zf.Name, Method: zip.Store}) // deflating would cost more than parsing
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
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
