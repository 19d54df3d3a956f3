package payout

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/records"
)

// Format is a transfer file format.
type Format string

// The formats.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ParseFormat reads "csv" or "xlsx"; anything else is apperr.ErrNotFound
// (the export URL names the format).
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case CSV, XLSX:
		return f, nil
	}
	return "", fmt.Errorf("transfer file format %q: %w", s, apperr.ErrNotFound)
}

// ContentType is the media type of the format.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// header is the transfer file's first row.
var header = []string{"번호", "은행코드", "은행", "계좌번호", "예금주", "금액", "메모"}

// Export is a transfer file ready to be written: the access is checked and
// recorded, nothing is decrypted yet.
type Export struct {
	s        *Service
	batchID  string
	Format   Format
	Filename string
}

// MaxXLSXTransfers is how many transfers an XLSX file can hold: a sheet has
// excelize.TotalRows (1,048,576) rows, one of them the header. A larger
// batch is refused before anything is written, rather than failing halfway
// through the file; CSV has no such limit. (excelize also assembles the
// whole workbook in memory before the first byte: 147 MB peak for 570,000
// transfers, where the CSV streams in 81-88 MB.)
const MaxXLSXTransfers = excelize.TotalRows - 1

// Export prepares the transfer file of batch id: the pending items, the
// only place account numbers appear decrypted. reason (why the file is
// downloaded) is required and is recorded in the audit trail before any
// byte is written. A missing or overlong reason is a *apperr.ValidationError;
// an unknown batch apperr.ErrNotFound; a batch with nothing left to transfer
// apperr.ErrConflict; an XLSX of more than MaxXLSXTransfers another
// *apperr.ValidationError (field "format"); a caller other than a supervisor or admin
// apperr.ErrForbidden.
func (s *Service) Export(ctx context.Context, a Access, id string, f Format, reason string) (*Export, error) {
	if err := authorize(a); err != nil {
		return nil, err
	}
	reason, err := audit.DownloadReason(reason)
	if err != nil {
		return nil, err
	}
	b, err := s.batch(ctx, id)
	if err != nil {
		return nil, err
	}
	pending, err := s.store.CountItems(ctx, b.ID, ItemPending)
	if err != nil {
		return nil, err
	}
	if pending == 0 {
		return nil, fmt.Errorf("payout batch %s has no pending transfer: %w", b.ID, apperr.ErrConflict)
	}
	if f == XLSX && pending > MaxXLSXTransfers {
		return nil, apperr.InvalidMsg("format", apperr.M("payout.xlsx_too_many", map[string]any{"max": MaxXLSXTransfers, "pending": pending}))
	}
	err = s.record(ctx, nil, a, "payout_batch.export", b.ID, map[string]any{"reason": reason, "format": string(f), "items": pending})
	if err != nil {
		return nil, err
	}
	return &Export{s: s, batchID: b.ID, Format: f, Filename: "bosang-payout-" + b.ID + "." + string(f)}, nil
}

// rowWriter receives the file's rows one at a time.
type rowWriter interface {
	row(cells []any) error
	close() error
	// discard frees what an unfinished file holds; harmless after close.
	discard()
}

// Write streams the file to w as the store reads the items (Store.EachLine),
// so memory stays flat however large the batch. An error after the first
// byte leaves w with a partial file; the caller must not hand it on as
// complete.
func (x *Export) Write(ctx context.Context, w io.Writer) error {
	var rw rowWriter
	var err error
	if x.Format == XLSX {
		rw, err = newXLSXWriter(w)
	} else {
		rw, err = newCSVWriter(w)
	}
	if err != nil {
		return err
	}
	defer rw.discard()
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = h
	}
	if err := rw.row(cells); err != nil {
		return err
	}
	err = x.s.store.EachLine(ctx, x.batchID, []string{ItemPending}, func(l Line) error {
		return x.line(rw, l, cells)
	})
	if err != nil {
		return err
	}
	return rw.close()
}

func (x *Export) line(rw rowWriter, l Line, cells []any) error {
	number, err := x.s.sealer.Open(l.NumberSealed, l.KeyID, l.ClaimID)
	if err != nil {
		return fmt.Errorf("open the account of claim %s: %w", l.Number, err)
	}
	cells[0], cells[1], cells[2] = records.Neutralize(l.Number), records.Neutralize(l.Bank), records.Neutralize(bankNames[l.Bank])
	cells[3], cells[4], cells[5], cells[6] = records.Neutralize(number), records.Neutralize(l.Holder), l.AmountKRW, records.Neutralize(l.Number)
	return rw.row(cells)
}

var bankNames = func() map[string]string {
	m := make(map[string]string, len(claims.Banks))
	for _, b := range claims.Banks {
		m[b.Code] = b.Name
	}
	return m
}()

// csvWriter writes UTF-8 with a byte order mark and CRLF line ends, which
// is what Korean Excel needs to open the file without garbling Hangul.
type csvWriter struct {
	w   *csv.Writer
	rec []string
	n   int
}

func newCSVWriter(w io.Writer) (*csvWriter, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return &csvWriter{w: cw, rec: make([]string, len(header))}, nil
}

func (c *csvWriter) row(cells []any) error {
	for i, v := range cells {
		switch v := v.(type) {
		case string:
			c.rec[i] = v
		case int64:
			c.rec[i] = strconv.FormatInt(v, 10)
		}
	}
	if err := c.w.Write(c.rec); err != nil {
		return err
	}
	if c.n++; c.n%pageSize == 0 {
		c.w.Flush()
		return c.w.Error()
	}
	return nil
}

func (c *csvWriter) discard() {}

func (c *csvWriter) close() error {
	c.w.Flush()
	return c.w.Error()
}

// xlsxWriter writes through excelize's StreamWriter, which spills rows to a
// temporary file past a threshold instead of holding the sheet in memory.
type xlsxWriter struct {
	out io.Writer
	f   *excelize.File
	sw  *excelize.StreamWriter
	r   int
}

const sheetName = "이체"

func newXLSXWriter(out io.Writer) (*xlsxWriter, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheetName); err != nil {
		f.Close()
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheetName)
	if err != nil {
		f.Close()
		return nil, err
	}
	for col, width := range []float64{18, 9, 16, 20, 16, 12, 18} {
		if err := sw.SetColWidth(col+1, col+1, width); err != nil {
			f.Close()
			return nil, err
		}
	}
	return &xlsxWriter{out: out, f: f, sw: sw}, nil
}

func (x *xlsxWriter) row(cells []any) error {
	x.r++
	ref, err := excelize.CoordinatesToCellName(1, x.r)
	if err != nil {
		return err
	}
	return x.sw.SetRow(ref, cells)
}

// discard removes the stream writer's temporary files.
func (x *xlsxWriter) discard() { x.f.Close() }

func (x *xlsxWriter) close() error {
	if err := x.sw.Flush(); err != nil {
		return err
	}
	return x.f.Write(x.out)
}
