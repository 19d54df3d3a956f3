package records

import (
	"math"

	"github.com/bosang/bosang/apperr"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxAmountKRW bounds the absolute value of one amount. No single sale or
// fare comes near ₩1 trillion, and the bound keeps a million-row sum far
// from int64 overflow.
const MaxAmountKRW = 1_000_000_000_000

// Years outside [minYear, maxYear] are typing errors, not records.
const (
	minYear = 1990
	maxYear = 2100
)

// problem is a bilingual reason a cell was rejected; the caller adds where.
type problem struct{ msg apperr.Message }

// newProblem is m with value echoed after it.
func newProblem(m apperr.Message, value string) *problem { return &problem{withValue(m, value)} }

// withValue is m followed by value, quoted.
func withValue(m apperr.Message, value string) apperr.Message {
	return apperr.M("records.with_value", map[string]any{"problem": m, "value": quote(value)})
}

// quote echoes a cell back to the claimant, shortened and with control
// characters escaped.
func quote(s string) string {
	if utf8.RuneCountInString(s) > 32 {
		r := []rune(s)
		s = string(r[:32]) + "…"
	}
	return strconv.Quote(s)
}

// trimCell removes ASCII, no-break and ideographic spaces at both ends.
func trimCell(s string) string {
	if s == "" || (s[0] > ' ' && s[0] < utf8.RuneSelf && s[len(s)-1] > ' ' && s[len(s)-1] < utf8.RuneSelf) {
		return s // the common case, without the cost of a cutset
	}
	return strings.TrimFunc(s, isCellSpace)
}

func isCellSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == '\u00a0' || r == '\u3000'
}

// parseAmount reads whole won: optional sign or accounting parentheses,
// optional ₩/￦/\ (CP949 shows 0x5C as ₩), KRW or 원, thousands separators in
// groups of three, and an all-zero fraction. fromXLSX also accepts the plain
// float text excelize gives for numeric cells ("1.5E+6").
func parseAmount(raw string, fromXLSX bool) (int64, *problem) {
	s := trimCell(raw)
	if v, ok := parseGrouped(s); ok && v <= MaxAmountKRW {
		return v, nil // plain "1,234,000": skip the currency and sign handling
	}
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, trimCell(s[1:len(s)-1])
	}
	s, neg = stripSign(s, neg)
	for _, p := range []string{"₩", "￦", `\`, "KRW", "krw"} {
		s = trimCell(strings.TrimPrefix(s, p))
	}
	for _, p := range []string{"원", "KRW", "krw"} {
		s = trimCell(strings.TrimSuffix(s, p))
	}
	s, neg = stripSign(s, neg)
	v, ok := parseGrouped(s)
	if !ok && fromXLSX {
		v, ok = parseFloatWon(s)
	}
	if !ok {
		return 0, newProblem(apperr.M("records.not_amount"), raw)
	}
	if v > MaxAmountKRW {
		return 0, newProblem(apperr.M("records.amount_too_large"), raw)
	}
	if neg {
		v = -v
	}
	return v, nil
}

func stripSign(s string, neg bool) (string, bool) {
	switch {
	case strings.HasPrefix(s, "-"):
		return trimCell(s[1:]), !neg
	case strings.HasPrefix(s, "−"): // U+2212 minus sign
		return trimCell(s[len("−"):]), !neg
	case strings.HasPrefix(s, "+"):
		return trimCell(s[1:]), neg
	}
	return s, neg
}

// parseGrouped parses digits with optional comma groups of three and an
// optional fraction of zeros ("1,234,000.00"). It rejects values above
// MaxAmountKRW*10 early so it never overflows.
func parseGrouped(s string) (int64, bool) {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		if strings.Trim(s[i+1:], "0") != "" {
			return 0, false
		}
		s = s[:i]
	}
	if s == "" {
		return 0, false
	}
	var v int64
	group, grouped := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if v > MaxAmountKRW*10 {
				return 0, false
			}
			v = v*10 + int64(c-'0')
			group++
		case c == ',':
			if group == 0 || group > 3 || (grouped && group != 3) {
				return 0, false
			}
			group, grouped = 0, true
		default:
			return 0, false
		}
	}
	if group == 0 || (grouped && group != 3) {
		return 0, false
	}
	return v, true
}

func parseFloatWon(s string) (int64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.Abs(f) > MaxAmountKRW*10 {
		return 0, false
	}
	r := math.Round(f)
	if math.Abs(f-r) > 1e-6 || r < 0 {
		return 0, false
	}
	return int64(r), true
}

// cellCtx is what time parsing needs to know about the source.
type cellCtx struct {
	loc      *time.Location
	xlsx     bool
	date1904 bool
}

// parseTime reads one timestamp: RFC 3339 (offset honoured, then shown in
// loc), "Y-M-D h:m[:s]" with -, / or . separators (also "2022. 10. 15. 15:30"
// and 오전/오후 or AM/PM) in loc, or, from XLSX, an Excel serial date.
func (cx cellCtx) parseTime(raw string) (time.Time, *problem) {
	s := trimCell(raw)
	if hasOffset(s) {
		if len(s) > 10 && s[10] == ' ' {
			s = s[:10] + "T" + s[11:]
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, newProblem(apperr.M("records.not_datetime"), raw)
		}
		return cx.checkYear(t.In(cx.loc), raw)
	}
	var c civil
	p := scanner{s: s}
	if p.date(&c) {
		if p.done() {
			return time.Time{}, newProblem(apperr.M("records.clock_missing"), raw)
		}
		p.skipSpace()
		if p.peek() == 'T' {
			p.i++
		}
		if p.clock(&c) && p.done() {
			return cx.civilTime(c, raw)
		}
	}
	if cx.xlsx {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return cx.serial(f, raw)
		}
	}
	return time.Time{}, newProblem(apperr.M("records.not_datetime"), raw)
}

// parseDateClock joins a date-only cell and a time-only cell; clockBad
// reports that the problem lies in the time-of-day cell.
func (cx cellCtx) parseDateClock(rawDate, rawClock string) (_ time.Time, _ *problem, clockBad bool) {
	ds, cs := trimCell(rawDate), trimCell(rawClock)
	var c civil
	if cx.xlsx {
		df, derr := strconv.ParseFloat(ds, 64)
		cf, cerr := strconv.ParseFloat(cs, 64)
		if derr == nil && cerr == nil && cf >= 0 && cf < 1 {
			t, p := cx.serial(math.Floor(df)+cf, rawDate+" "+rawClock)
			return t, p, false
		}
	}
	p := scanner{s: ds}
	if !p.date(&c) || !p.done() {
		return time.Time{}, newProblem(apperr.M("records.not_date"), rawDate), false
	}
	q := scanner{s: cs}
	if !q.clock(&c) || !q.done() {
		return time.Time{}, newProblem(apperr.M("records.not_clock"), rawClock), true
	}
	t, pr := cx.civilTime(c, rawDate+" "+rawClock)
	return t, pr, false
}

func (cx cellCtx) civilTime(c civil, raw string) (time.Time, *problem) {
	if c.mo < 1 || c.mo > 12 || c.d < 1 || c.h > 23 || c.mi > 59 || c.s > 59 {
		return time.Time{}, newProblem(apperr.M("records.no_such_datetime"), raw)
	}
	t := time.Date(c.y, time.Month(c.mo), c.d, c.h, c.mi, c.s, c.ns, cx.loc)
	if t.Day() != c.d { // 2022-02-30 normalised into March
		return time.Time{}, newProblem(apperr.M("records.no_such_date"), raw)
	}
	return cx.checkYear(t, raw)
}

// serial converts an Excel serial date (days since 1899-12-30, or since
// 1904-01-01 for 1904-based workbooks) as local wall-clock time in loc,
// rounded to the second.
func (cx cellCtx) serial(f float64, raw string) (time.Time, *problem) {
	if math.IsNaN(f) || f < 61 || f > 2958465 { // 1900-03-01 .. 9999-12-31
		return time.Time{}, newProblem(apperr.M("records.not_datetime"), raw)
	}
	days := math.Floor(f)
	secs := int(math.Round((f - days) * 86400))
	y, m, d := 1899, time.December, 30
	if cx.date1904 {
		y, m, d = 1904, time.January, 1
	}
	t := time.Date(y, m, d+int(days), 0, 0, secs, 0, cx.loc)
	return cx.checkYear(t, raw)
}

func (cx cellCtx) checkYear(t time.Time, raw string) (time.Time, *problem) {
	if t.Year() < minYear || t.Year() > maxYear {
		return time.Time{}, newProblem(apperr.M("records.year_range"), raw)
	}
	return t, nil
}

// hasOffset reports a trailing Z or ±hh:mm after a full date and time.
func hasOffset(s string) bool {
	if len(s) < 17 {
		return false
	}
	if c := s[len(s)-1]; c == 'Z' || c == 'z' {
		return true
	}
	tail := s[len(s)-6:]
	return (tail[0] == '+' || tail[0] == '-') && tail[3] == ':'
}
