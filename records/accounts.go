package records

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/bosang/bosang/apperr"
)

// Account is one row of a provider's list of affected accounts (issue 14).
// Category is the API name (free_user, paid_subscriber, merchant, driver,
// partner_business) and Settlement "bank" or "bill_credit", whatever
// language the file wrote them in. Phone and Email are as written (trimmed);
// MonthlyFeeKRW is 0 when the cell is empty. Line is the row's line number.
type Account struct {
	Line           int
	Ref            string
	Category       string
	Name           string
	Phone          string
	Email          string
	MonthlyFeeKRW  int64
	BusinessNumber string
	Settlement     string
	Bank           string
	AccountNumber  string
	Holder         string
	h              *accountHeader
}

// FailMsg is a problem the caller found with the row's field (an API
// column name such as "monthly_fee_krw" or "category"), as a *LineError at
// that field's column (0 when the file has no such column) saying m.
func (a Account) FailMsg(field string, m apperr.Message) *LineError {
	for f, name := range accountFieldNames {
		if name == field && a.h != nil {
			return (&accountRow{h: a.h, line: a.Line}).fail(accountField(f), m)
		}
	}
	return newLineError(a.Line, 0, field, m)
}

// The settlements an account row may name.
const (
	SettlementBank       = "bank"
	SettlementBillCredit = "bill_credit"
)

// MaxAccountFeeKRW bounds a monthly or membership fee in an account row.
const MaxAccountFeeKRW = 10_000_000

// DefaultAccountLimits are the bounds ReadAccounts applies to fields left
// zero in its Limits: a provider's list runs to millions of rows (1,000,000
// rows of CSV are about 100 MB), which is streamed, so only the row count
// and an XLSX workbook (read whole) are bounded.
var DefaultAccountLimits = Limits{
	MaxRows:           2_000_000,
	MaxRecordBytes:    64 << 10,
	MaxFieldBytes:     4 << 10,
	MaxXLSXBytes:      64 << 20,
	MaxXLSXUnzipBytes: 128 << 20,
}

// MaxAccountFileBytes is the default bound of an uploaded account file.
const MaxAccountFileBytes = 256 << 20

// ReadAccounts streams the rows of an affected-account file (CSV in UTF-8,
// UTF-8 with BOM, UTF-16 or CP949, or XLSX; see the package comment) and
// calls fn once per data row in file order: with the Account, or with the
// row's first problem as bad (a *LineError naming line and column in Korean
// and English) and the Account as far as it was read. Blank rows are
// skipped. It never holds more than one row (an XLSX workbook aside), so a
// million rows run in bounded memory. Zero fields of lim take
// DefaultAccountLimits; MaxErrors does not apply, as every row, good or
// bad, goes to fn.
//
// It returns fn's first error as is; ErrEmpty for a file with no records;
// LineErrors for a header that lacks account_ref, category, or both phone
// and email; a *LimitError (ErrTooLarge) past lim.MaxRows rows or a bound
// of the source; an error wrapping ErrInvalid for an unreadable file; or
// the reader's own error. A header without data rows is not an error.
func ReadAccounts(r io.Reader, lim Limits, fn func(a Account, bad *LineError) error) (err error) {
	lim = lim.orDefaults(DefaultAccountLimits)
	src, err := open(r, lim)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := src.close(); err == nil && cerr != nil {
			err = fmt.Errorf("records: close: %w", cerr)
		}
	}()
	h, err := findAccountHeader(src)
	if err != nil {
		return err
	}
	c := accountRow{h: h, xlsx: src.cells().xlsx}
	rows := 0
	for {
		rec, line, err := src.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if blank(rec) {
			continue
		}
		if rows++; rows > lim.MaxRows {
			return newLimitError(apperr.M("records.too_many_rows", map[string]any{"max": lim.MaxRows}))
		}
		c.line, c.rec = line, rec
		a, bad := c.read(lim.MaxFieldBytes)
		if err := fn(a, bad); err != nil {
			return err
		}
	}
}

// findAccountHeader takes the first of the leading records that names the
// required columns; if none does, they are reported against the first
// non-blank record.
func findAccountHeader(src source) (*accountHeader, error) {
	var first *accountHeader
	found, err := scanHeader(src, func(rec []string, line int) bool {
		h := resolveAccountHeader(rec, line)
		if len(h.missing()) == 0 || first == nil {
			first = h
		}
		return len(h.missing()) == 0
	})
	if err != nil || found {
		return first, err
	}
	if first == nil {
		return nil, ErrEmpty
	}
	var errs LineErrors
	for _, f := range first.missing() {
		list := strings.Join(accountSynonyms[f], ", ")
		column := apperr.M("records.column." + accountFieldNames[f])
		if f == acPhone {
			list += " / " + strings.Join(accountSynonyms[acEmail], ", ")
			column = apperr.M("records.column.phone_or_email")
		}
		errs = append(errs, newLineError(first.line, 0, accountFieldNames[f],
			apperr.M("records.column_missing", map[string]any{"column": column, "accepted": list})))
	}
	return nil, errs
}

// scanHeader offers try each non-blank record among the first headerScan
// until it takes one as the header, and reports whether it did.
func scanHeader(src source, try func(rec []string, line int) bool) (bool, error) {
	for range headerScan {
		rec, line, err := src.next()
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if !blank(rec) && try(rec, line) {
			return true, nil
		}
	}
	return false, nil
}
