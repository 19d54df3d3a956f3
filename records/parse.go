package records

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/bosang/bosang/apperr"
)

// Limits bounds what one upload may cost. A zero field takes its value from
// DefaultLimits.
type Limits struct {
	// MaxRows is the most data rows accepted (header and blank rows excluded).
	MaxRows int
	// MaxRecordBytes bounds one CSV record, including quoted line breaks.
	MaxRecordBytes int
	// MaxFieldBytes bounds any one cell.
	MaxFieldBytes int
	// MaxXLSXBytes bounds an XLSX file, which must be read whole.
	MaxXLSXBytes int64
	// MaxXLSXUnzipBytes bounds what an XLSX file unpacks to, all its parts
	// together: the sizes the zip declares are checked before anything is
	// unpacked, and the bytes are counted while unpacking.
	MaxXLSXUnzipBytes int64
	// MaxErrors is how many LineErrors are collected before parsing stops.
	MaxErrors int
}

// DefaultLimits are the bounds ParseSales and ParseTrips use.
var DefaultLimits = Limits{
	MaxRows:        1_000_000,
	MaxRecordBytes: 64 << 10,
	MaxFieldBytes:  4 << 10,
	MaxXLSXBytes:   64 << 20,
	// 32 MiB unpacked is about 220,000 rows of a three-column sales sheet
	// (~150 bytes of sheet XML a row), about what a 10 MiB CSV upload
	// carries; a zip bomb of 2 MB would otherwise unpack to 2 GB.
	MaxXLSXUnzipBytes: 32 << 20,
	MaxErrors:         20,
}

func (l Limits) withDefaults() Limits { return l.orDefaults(DefaultLimits) }

// orDefaults returns l with its zero fields taken from d.
func (l Limits) orDefaults(d Limits) Limits {
	if l.MaxRows > 0 {
		d.MaxRows = l.MaxRows
	}
	if l.MaxRecordBytes > 0 {
		d.MaxRecordBytes = l.MaxRecordBytes
	}
	if l.MaxFieldBytes > 0 {
		d.MaxFieldBytes = l.MaxFieldBytes
	}
	if l.MaxXLSXBytes > 0 {
		d.MaxXLSXBytes = l.MaxXLSXBytes
	}
	if l.MaxXLSXUnzipBytes > 0 {
		d.MaxXLSXUnzipBytes = l.MaxXLSXUnzipBytes
	}
	if l.MaxErrors > 0 {
		d.MaxErrors = l.MaxErrors
	}
	return d
}

// headerScan is how many leading records may precede the header: POS exports
// often open with a title and a period line.
const headerScan = 10

// Sale is one sales record. AmountKRW is negative for a refund. Line is the
// record's line number in the upload.
type Sale struct {
	At        time.Time
	AmountKRW int64
	Line      int
}

// Trip is one trip record. End is not before Start and FareKRW is not
// negative. Line is the record's line number in the upload.
type Trip struct {
	Start, End time.Time
	FareKRW    int64
	Line       int
}

// ParseSales reads sales records (CSV or XLSX, detected by content) with
// DefaultLimits; times without an offset are read in loc. See
// ParseSalesLimits for the contract.
func ParseSales(r io.Reader, loc *time.Location) ([]Sale, error) {
	return ParseSalesLimits(r, loc, DefaultLimits)
}

// ParseSalesLimits reads sales records: a header with a time column (or a
// date and a time column) and an amount column, in any order, among other
// columns that are ignored. Amounts may be negative (refunds). Blank rows and
// total rows ("합계", "total") are skipped. On success every Sale has a
// non-zero At and Line >= 2.
//
// It returns nil rows and: ErrEmpty for an empty file; ErrNoRows for a header
// without data; LineErrors (each a *LineError, at most lim.MaxErrors) for a
// missing column or bad cells; an error wrapping ErrTooLarge when lim is
// exceeded; an error wrapping ErrInvalid for an unreadable XLSX or a nil loc;
// or the reader's own error.
func ParseSalesLimits(r io.Reader, loc *time.Location, lim Limits) ([]Sale, error) {
	return parse(r, loc, lim, kindSales, func(c *row) (Sale, *LineError) {
		at, le := c.time()
		if le != nil {
			return Sale{}, le
		}
		amt, p := parseAmount(c.cell(roleAmount), c.cx.xlsx)
		if p != nil {
			return Sale{}, c.fail(roleAmount, p)
		}
		return Sale{At: at, AmountKRW: amt, Line: c.line}, nil
	})
}

// ParseTrips reads trip records with DefaultLimits; see ParseTripsLimits.
func ParseTrips(r io.Reader, loc *time.Location) ([]Trip, error) {
	return ParseTripsLimits(r, loc, DefaultLimits)
}

// ParseTripsLimits reads trip records: a header with start, end and fare
// columns. A negative fare or an end before the start is a LineError. It
// otherwise behaves, and fails, as ParseSalesLimits does.
func ParseTripsLimits(r io.Reader, loc *time.Location, lim Limits) ([]Trip, error) {
	return parse(r, loc, lim, kindTrips, func(c *row) (Trip, *LineError) {
		start, p := c.cx.parseTime(c.cell(roleStart))
		if p != nil {
			return Trip{}, c.fail(roleStart, p)
		}
		end, p := c.cx.parseTime(c.cell(roleEnd))
		if p != nil {
			return Trip{}, c.fail(roleEnd, p)
		}
		if end.Before(start) {
			return Trip{}, c.fail(roleEnd, newProblem(apperr.M("records.end_before_start"), c.cell(roleEnd)))
		}
		fare, p := parseAmount(c.cell(roleFare), c.cx.xlsx)
		if p == nil && fare < 0 {
			p = newProblem(apperr.M("records.fare_negative"), c.cell(roleFare))
		}
		if p != nil {
			return Trip{}, c.fail(roleFare, p)
		}
		return Trip{Start: start, End: end, FareKRW: fare, Line: c.line}, nil
	})
}

// row is one data record with its header, handed to the per-kind converter.
type row struct {
	line int
	rec  []string
	h    *header
	cx   cellCtx
}

func (c *row) cell(r role) string {
	if i := c.h.col[r]; i >= 0 && i < len(c.rec) {
		return c.rec[i]
	}
	return ""
}

func (c *row) time() (time.Time, *LineError) {
	if c.h.col[roleDate] >= 0 {
		t, p, clockBad := c.cx.parseDateClock(c.cell(roleDate), c.cell(roleClock))
		if p != nil && clockBad {
			return time.Time{}, c.fail(roleClock, p)
		}
		if p != nil {
			return time.Time{}, c.fail(roleDate, p)
		}
		return t, nil
	}
	t, p := c.cx.parseTime(c.cell(roleTime))
	if p != nil {
		return time.Time{}, c.fail(roleTime, p)
	}
	return t, nil
}

func (c *row) fail(r role, p *problem) *LineError {
	i := c.h.col[r]
	return newLineError(c.line, i+1, trimCell(c.h.names[i]), p.msg)
}

func parse[T any](r io.Reader, loc *time.Location, lim Limits, k kind, conv func(*row) (T, *LineError)) (_ []T, err error) {
	if loc == nil {
		return nil, fmt.Errorf("records: nil location: %w", ErrInvalid)
	}
	lim = lim.withDefaults()
	src, err := open(r, lim)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := src.close(); err == nil && cerr != nil {
			err = fmt.Errorf("records: close: %w", cerr)
		}
	}()
	h, err := findHeader(src, k)
	if err != nil {
		return nil, err
	}
	c := row{h: h, cx: src.cells()}
	c.cx.loc = loc
	var out []T
	var errs LineErrors
	for len(errs) < lim.MaxErrors {
		rec, line, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if blank(rec) || isTotal(rec) {
			continue
		}
		if len(out)+len(errs) >= lim.MaxRows {
			return nil, newLimitError(apperr.M("records.too_many_rows", map[string]any{"max": lim.MaxRows}))
		}
		c.line, c.rec = line, rec
		if le := checkFieldSizes(&c, lim.MaxFieldBytes); le != nil {
			errs = append(errs, le)
			continue
		}
		v, le := conv(&c)
		if le != nil {
			errs = append(errs, le)
			continue
		}
		out = append(out, v)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(out) == 0 {
		return nil, ErrNoRows
	}
	return out, nil
}

// findHeader takes the first of the leading records that names every
// required column. If none does, the missing columns are reported against
// the first non-blank record.
func findHeader(src source, k kind) (*header, error) {
	var firstMissing []role
	var found *header
	firstLine := 0
	ok, err := scanHeader(src, func(rec []string, line int) bool {
		h, missing := resolveHeader(rec, line, k)
		if len(missing) == 0 {
			found = h
			return true
		}
		if firstLine == 0 {
			firstLine, firstMissing = line, missing
		}
		return false
	})
	if err != nil || ok {
		return found, err
	}
	if firstLine == 0 {
		return nil, ErrEmpty
	}
	errs := make(LineErrors, 0, len(firstMissing))
	for _, r := range firstMissing {
		errs = append(errs, missingError(firstLine, r))
	}
	return nil, errs
}

func checkFieldSizes(c *row, maxBytes int) *LineError {
	for i, f := range c.rec {
		if len(f) > maxBytes {
			name := ""
			if i < len(c.h.names) {
				name = trimCell(c.h.names[i])
			}
			return newLineError(c.line, i+1, name, apperr.M("records.value_too_long", map[string]any{"max": maxBytes}))
		}
	}
	return nil
}

func blank(rec []string) bool {
	for _, f := range rec {
		if trimCell(f) != "" {
			return false
		}
	}
	return true
}

var totalWords = map[string]bool{"합계": true, "총계": true, "소계": true, "총합계": true, "누계": true, "total": true, "subtotal": true, "sum": true, "grandtotal": true}

// isTotal reports a summary row: its first non-blank cell is a total label.
func isTotal(rec []string) bool {
	for _, f := range rec {
		f = trimCell(f)
		if f == "" {
			continue
		}
		if f[0] >= '0' && f[0] <= '9' || len(f) > 32 {
			return false // a date or number, never a label
		}
		return totalWords[normalize(f)]
	}
	return false
}
