package records

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"os"
	"testing"
)

// bombPart is one part of a hand-made zip. With raw set, data is written as
// the stored compressed bytes and size/crc are declared as given, so a
// test can make a zip whose headers lie.
type bombPart struct {
	name string
	data []byte
	// zeros, when > 0, replaces data by this many zero bytes, deflated.
	zeros int64
	raw   bool
	size  uint64
	crc   uint32
}

// buildZip writes the parts in order as a zip file.
func buildZip(t testing.TB, parts ...bombPart) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		if p.raw {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate, CRC32: p.crc,
				CompressedSize64: uint64(len(p.data)), UncompressedSize64: p.size})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(p.data); err != nil {
				t.Fatal(err)
			}
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if p.zeros > 0 {
			block := make([]byte, 1<<20)
			for left := p.zeros; left > 0; left -= int64(len(block)) {
				if _, err := w.Write(block[:min(left, int64(len(block)))]); err != nil {
					t.Fatal(err)
				}
			}
			continue
		}
		if _, err := w.Write(p.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// deflated returns n zero bytes compressed as one raw DEFLATE stream.
func deflated(t testing.TB, n int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	block := make([]byte, 1<<20)
	for left := n; left > 0; left -= int64(len(block)) {
		fw.Write(block[:min(left, int64(len(block)))])
	}
	fw.Close()
	return buf.Bytes()
}

// workbookParts are the small parts that make a zip look like a workbook.
var workbookParts = []bombPart{
	{name: "[Content_Types].xml", data: []byte(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>`)},
	{name: "xl/workbook.xml", data: []byte(`<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></sheets></workbook>`)},
}

// badChecksum is a part whose declared CRC does not match its data: every
// zip reader fails on it once it has read (and unpacked) the parts before.
var badChecksum = bombPart{name: "xl/styles.xml", raw: true, data: []byte{0x03, 0x00}, size: 0, crc: 0xdeadbeef}

// emptyTempDir points TMPDIR (where excelize writes its temporary files
// unless told otherwise) at a fresh directory and fails the test if
// anything is left in it when the test ends, however it ends.
func emptyTempDir(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	t.Cleanup(func() {
		left, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range left {
			info, _ := e.Info()
			t.Errorf("left behind in the temp dir: %s (%d bytes)", e.Name(), info.Size())
		}
	})
}

func TestXLSXBombRefusedWithoutTempFiles(t *testing.T) {
	loc := seoul(t)
	sheet := "xl/worksheets/sheet1.xml"
	over := DefaultLimits.MaxXLSXUnzipBytes + 1<<20
	for _, tc := range []struct {
		name  string
		parts []bombPart
		want  error
		// wantLimit says the refusal must be the size bound, not a read error.
		wantLimit bool
	}{
		{
			// The attack of issue 11: excelize unpacked the big sheet to a
			// temp file, then failed on the next part and never removed it.
			name:      "sheet over the bound, then a broken part",
			parts:     append(append([]bombPart{}, workbookParts...), bombPart{name: sheet, zeros: over}, badChecksum),
			want:      ErrTooLarge,
			wantLimit: true,
		},
		{
			// Junk data behind a declared 1 GiB: only the declared sizes
			// can refuse it, so a LimitError proves nothing was inflated.
			name:      "declared size over the bound is refused before inflating",
			parts:     append(append([]bombPart{}, workbookParts...), bombPart{name: sheet, raw: true, data: []byte("not deflate at all"), size: 1 << 30}),
			want:      ErrTooLarge,
			wantLimit: true,
		},
		{
			name: "parts that each fit but together exceed the bound",
			parts: append(append([]bombPart{}, workbookParts...),
				bombPart{name: sheet, zeros: DefaultLimits.MaxXLSXUnzipBytes / 2}, bombPart{name: "xl/worksheets/sheet2.xml", zeros: DefaultLimits.MaxXLSXUnzipBytes/2 + 1}),
			want:      ErrTooLarge,
			wantLimit: true,
		},
		{
			// Within the bound but over excelize's default 16 MiB in-memory
			// limit, which used to send the sheet to a temp file.
			name:  "sheet within the bound, then a broken part",
			parts: append(append([]bombPart{}, workbookParts...), bombPart{name: sheet, zeros: 20 << 20}, badChecksum),
			want:  ErrInvalid,
		},
		{
			// A sound zip that excelize fails on once it has unpacked the
			// sheet: with its default limits the sheet went to a temp file,
			// and the half-opened workbook was never closed.
			name: "sheet within the bound, then a workbook excelize cannot read",
			parts: []bombPart{workbookParts[0], {name: "xl/workbook.xml", data: []byte("<workbook><sheets><sheet")},
				{name: "xl/_rels/workbook.xml.rels", data: []byte("<<")}, {name: sheet, zeros: 20 << 20}},
			want: ErrInvalid,
		},
		{
			// archive/zip refuses to inflate past a declared size; the
			// stream count must report that as unreadable, not as fine.
			name:  "declared size smaller than the data",
			parts: append(append([]bombPart{}, workbookParts...), bombPart{name: sheet, raw: true, data: deflated(t, 8<<20), size: 1024}),
			want:  ErrInvalid,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := buildZip(t, tc.parts...)
			if len(data) > 1<<20 {
				t.Fatalf("the bomb is %d bytes; it should be small", len(data))
			}
			emptyTempDir(t)
			got, err := ParseSales(bytes.NewReader(data), loc)
			if got != nil || !errors.Is(err, tc.want) {
				t.Fatalf("got %d rows, %v; want nil, %v", len(got), err, tc.want)
			}
			var le *LimitError
			if isLimit := errors.As(err, &le); isLimit != tc.wantLimit {
				t.Errorf("got %v: a LimitError %v, want %v", err, isLimit, tc.wantLimit)
			} else if isLimit && (le.MessageKO == "" || le.MessageEN == "") {
				t.Errorf("got LimitError %+v, want a Korean and an English message", le)
			}
		})
	}
}

func TestXLSXUnzipBound(t *testing.T) {
	loc := seoul(t)
	rows := map[int][]any{1: {"일시", "금액"}}
	for r := 2; r < 400; r++ {
		rows[r] = []any{"2022-10-08 15:05:00", r}
	}
	data := buildXLSX(t, rows)
	size := unzippedSize(t, data)
	t.Run("a workbook that unpacks to exactly the bound is read", func(t *testing.T) {
		got, err := ParseSalesLimits(bytes.NewReader(data), loc, Limits{MaxXLSXUnzipBytes: size})
		if err != nil || len(got) != 398 {
			t.Fatalf("got %d rows, %v; want 398 rows", len(got), err)
		}
	})
	t.Run("one byte over the bound is refused", func(t *testing.T) {
		got, err := ParseSalesLimits(bytes.NewReader(data), loc, Limits{MaxXLSXUnzipBytes: size - 1})
		var le *LimitError
		if got != nil || !errors.As(err, &le) || !errors.Is(err, ErrTooLarge) {
			t.Fatalf("got %d rows, %v; want a LimitError wrapping ErrTooLarge", len(got), err)
		}
	})
}

// unzippedSize is the sum of the declared sizes of a zip's parts.
func unzippedSize(t *testing.T, data []byte) int64 {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, f := range zr.File {
		n += int64(f.UncompressedSize64)
	}
	return n
}
