package records

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/bosang/bosang/apperr"
)

// source yields records with their line numbers; next returns io.EOF at
// the end.
type source interface {
	next() (rec []string, line int, err error)
	cells() cellCtx
	close() error
}

var zipMagic = []byte("PK\x03\x04")

// open picks XLSX or CSV by the leading bytes, never by a file name.
func open(r io.Reader, lim Limits) (source, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(4)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("records: read: %w", err)
	}
	if bytes.Equal(head, zipMagic) {
		return openXLSX(br, lim)
	}
	return openCSV(br, lim)
}

// errRecordTooLarge stops the CSV reader before one record outgrows memory;
// errTooManyBlankLines before blank lines do.
var (
	errRecordTooLarge    = errors.New("record too large")
	errTooManyBlankLines = errors.New("too many blank lines")
)

// maxBlankBytes bounds the blank lines before one record. encoding/csv
// skips blank lines inside a Read, so without their own allowance they
// would count against the record after them ("line 2 longer than 65536
// bytes" for a file padded with blank lines); with none at all, a quoted
// field of newlines could grow without bound. 1 MiB is about 500,000 blank
// CRLF lines.
const maxBlankBytes = 1 << 20

// budgetReader fails once a record has read more than left bytes, or the
// blank lines before it more than blanksLeft (a newline or CR right after
// a newline). csvSource refills both before each record, which bounds a
// record (a line, or a quoted field spanning lines) to MaxRecordBytes plus
// one buffer.
type budgetReader struct {
	r          io.Reader
	left       int
	blanksLeft int
	afterLF    bool // the last byte read ends a line (CRs after it aside)
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errRecordTooLarge
	}
	if b.blanksLeft <= 0 {
		return 0, errTooManyBlankLines
	}
	if len(p) > b.left {
		p = p[:b.left] // blank bytes do not use up left, so this never stalls
	}
	n, err := b.r.Read(p)
	for _, c := range p[:n] {
		eol := c == '\n' || c == '\r'
		if b.afterLF && eol {
			b.blanksLeft--
		} else {
			b.left--
		}
		b.afterLF = c == '\n' || b.afterLF && c == '\r'
	}
	return n, err
}

type csvSource struct {
	cr     *csv.Reader
	budget *budgetReader
	line   int
	max    int
}

const csvBuffer = 4096 // encoding/csv's bufio.Reader size

func openCSV(br *bufio.Reader, lim Limits) (source, error) {
	decoded := bufio.NewReaderSize(decode(br), 64<<10)
	comma := ','
	if first, _ := decoded.Peek(4096); bytes.Count(firstLine(first), []byte{'\t'}) > bytes.Count(firstLine(first), []byte{','}) {
		comma = '\t' // Excel's "Unicode text" export
	}
	b := &budgetReader{r: decoded, afterLF: true}
	cr := csv.NewReader(b)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	return &csvSource{cr: cr, budget: b, max: lim.MaxRecordBytes}, nil
}

func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i]
	}
	return b
}

func (s *csvSource) next() ([]string, int, error) {
	s.budget.left, s.budget.blanksLeft = s.max+csvBuffer, maxBlankBytes
	rec, err := s.cr.Read()
	switch {
	case err == nil:
		s.line++
		return rec, s.line, nil
	case errors.Is(err, io.EOF):
		return nil, 0, io.EOF
	case errors.Is(err, errRecordTooLarge):
		return nil, 0, newLimitError(apperr.M("records.line_too_long", map[string]any{"line": s.line + 1, "max": s.max}))
	case errors.Is(err, errTooManyBlankLines):
		return nil, 0, newLimitError(apperr.M("records.blank_lines", map[string]any{"line": s.line + 1, "max": maxBlankBytes}))
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return nil, 0, LineErrors{newLineError(s.line+1, 0, "", apperr.M("records.csv_malformed", map[string]any{"error": pe.Err.Error()}))}
	}
	return nil, 0, fmt.Errorf("records: read: %w", err)
}

func (s *csvSource) cells() cellCtx { return cellCtx{} }
func (s *csvSource) close() error   { return nil }

// decode strips a UTF-8 BOM, honours a UTF-16 BOM, and otherwise decides
// between UTF-8 and CP949 at the first non-ASCII byte.
func decode(br *bufio.Reader) io.Reader {
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		_, _ = br.Discard(3)
		return br
	case bytes.HasPrefix(head, []byte("\xff\xfe")), bytes.HasPrefix(head, []byte("\xfe\xff")):
		return transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
	}
	return &autoDecoder{br: br}
}

// sniffWindow is how many bytes from the first non-ASCII byte on must be
// valid UTF-8 for the file to be read as UTF-8.
const sniffWindow = 1024

// autoDecoder passes ASCII through and, at the first non-ASCII byte, picks
// UTF-8 if the following bytes are valid UTF-8 and CP949 otherwise. ASCII
// is the same in both, so the late decision loses nothing, and streaming
// keeps memory flat however far into the file the first Korean text is.
type autoDecoder struct {
	br *bufio.Reader
	r  io.Reader // nil until decided
}

func (a *autoDecoder) Read(p []byte) (int, error) {
	if a.r != nil {
		return a.r.Read(p)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if _, err := a.br.Peek(1); err != nil {
		return 0, err
	}
	buf, _ := a.br.Peek(a.br.Buffered())
	i := 0
	for i < len(buf) && i < len(p) && buf[i] < utf8.RuneSelf {
		i++
	}
	if i > 0 {
		copy(p, buf[:i])
		_, _ = a.br.Discard(i)
		return i, nil
	}
	win, err := a.br.Peek(sniffWindow)
	if looksUTF8(win, err != nil) {
		a.r = a.br
	} else {
		a.r = transform.NewReader(a.br, korean.EUCKR.NewDecoder())
	}
	return a.r.Read(p)
}

// looksUTF8 reports whether b is valid UTF-8, allowing a rune cut off at
// the end of the window unless the input ended there.
func looksUTF8(b []byte, atEOF bool) bool {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			return !atEOF && !utf8.FullRune(b)
		}
		b = b[n:]
	}
	return true
}

type xlsxSource struct {
	f    *excelize.File
	rows *excelize.Rows
	line int
	cx   cellCtx
}

// openXLSX reads the whole workbook (bounded by MaxXLSXBytes, as zip needs
// random access), checks what it unpacks to (checkZip), and streams the
// first sheet's rows. excelize is told to keep every part in memory, so it
// writes nothing to disk, and the workbook is closed on every failure.
// Cells are read raw, so a date cell arrives as its serial number.
func openXLSX(br *bufio.Reader, lim Limits) (src source, err error) {
	var f *excelize.File
	defer func() {
		if p := recover(); p != nil { // a third-party parser must not take the server down
			src, err = nil, fmt.Errorf("records: unreadable XLSX (%v): %w", p, ErrInvalid)
		}
		if err != nil && f != nil {
			_ = f.Close()
		}
	}()
	data, err := io.ReadAll(io.LimitReader(br, lim.MaxXLSXBytes+1))
	if err != nil {
		return nil, fmt.Errorf("records: read: %w", err)
	}
	if int64(len(data)) > lim.MaxXLSXBytes {
		return nil, newLimitError(apperr.M("records.xlsx_too_large", map[string]any{"mib": lim.MaxXLSXBytes >> 20}))
	}
	if err := checkZip(data, lim.MaxXLSXUnzipBytes); err != nil {
		return nil, err
	}
	f, err = excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		RawCellValue: true,
		// Equal limits: no part is ever over the in-memory limit, so
		// excelize never unpacks one to a temporary file.
		UnzipSizeLimit:    lim.MaxXLSXUnzipBytes,
		UnzipXMLSizeLimit: lim.MaxXLSXUnzipBytes,
	})
	if err != nil {
		return nil, fmt.Errorf("records: unreadable XLSX: %v: %w", err, ErrInvalid)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, ErrEmpty
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fmt.Errorf("records: unreadable XLSX sheet: %v: %w", err, ErrInvalid)
	}
	s := &xlsxSource{f: f, rows: rows}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		s.cx.date1904 = *props.Date1904
	}
	s.cx.xlsx = true
	return s, nil
}

// maxXLSXParts bounds the parts of a workbook; Excel writes about ten for
// a plain sheet.
const maxXLSXParts = 1000

// checkZip refuses a zip that unpacks to more than max bytes in all, first
// by the sizes it declares (so a bomb is refused before anything is
// inflated), then by counting the bytes while inflating every part, which
// also refuses a part whose data is corrupt or larger than declared before
// excelize sees it. It returns a *LimitError or an error wrapping ErrInvalid.
func checkZip(data []byte, max int64) error {
	tooLarge := newLimitError(apperr.M("records.xlsx_unpacks_too_large", map[string]any{"mib": max >> 20}))
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("records: unreadable XLSX: %v: %w", err, ErrInvalid)
	}
	if len(zr.File) > maxXLSXParts {
		return tooLarge
	}
	var declared uint64
	for _, zf := range zr.File {
		if zf.UncompressedSize64 > uint64(max)-declared {
			return tooLarge
		}
		declared += zf.UncompressedSize64
	}
	left := max
	for _, zf := range zr.File {
		n, err := inflatedSize(zf, left)
		if left -= n; left < 0 {
			return tooLarge
		}
		if err != nil {
			return fmt.Errorf("records: unreadable XLSX part %s: %v: %w", zf.Name, err, ErrInvalid)
		}
	}
	return nil
}

// inflatedSize reads a part to its end, counting at most limit+1 bytes.
func inflatedSize(zf *zip.File, limit int64) (int64, error) {
	rc, err := zf.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	return io.Copy(io.Discard, io.LimitReader(rc, limit+1))
}

func (s *xlsxSource) next() (rec []string, line int, err error) {
	defer func() {
		if p := recover(); p != nil {
			rec, line, err = nil, 0, fmt.Errorf("records: unreadable XLSX row %d (%v): %w", s.line, p, ErrInvalid)
		}
	}()
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return nil, 0, fmt.Errorf("records: unreadable XLSX row %d: %v: %w", s.line+1, err, ErrInvalid)
		}
		return nil, 0, io.EOF
	}
	s.line++
	rec, err = s.rows.Columns()
	if err != nil {
		return nil, 0, fmt.Errorf("records: unreadable XLSX row %d: %v: %w", s.line, err, ErrInvalid)
	}
	return rec, s.line, nil
}

func (s *xlsxSource) cells() cellCtx { return s.cx }

func (s *xlsxSource) close() error {
	err := s.rows.Close()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	return err
}
