package records

import (
	"errors"
	"fmt"

	"github.com/bosang/bosang/apperr"
)

// ErrInvalid is the category of every error caused by the uploaded file
// rather than by I/O: handlers map it to 400/422 and show the message.
var ErrInvalid = errors.New("records: invalid file")

var (
	// ErrEmpty means the file holds no records at all (or only blank lines).
	ErrEmpty = fmt.Errorf("records: empty file / 빈 파일입니다: %w", ErrInvalid)
	// ErrNoRows means the header was found but no data row follows it.
	ErrNoRows = fmt.Errorf("records: header only, no data rows / 제목 행만 있고 자료가 없습니다: %w", ErrInvalid)
	// ErrTooLarge means the file breaks a Limits bound (rows, record size or
	// XLSX size); the wrapping error says which.
	ErrTooLarge = fmt.Errorf("records: file too large / 파일이 너무 큽니다: %w", ErrInvalid)
)

// LimitError is a file that breaks one of the Limits (rows, record size,
// XLSX size or unpacked size), explained in Korean and English. It wraps
// ErrTooLarge.
type LimitError struct {
	Msg apperr.Message
	// MessageKO and MessageEN are Msg in Korean and English, for callers
	// not yet reading Msg.
	MessageKO, MessageEN string
}

// newLimitError is a LimitError saying m.
func newLimitError(m apperr.Message) *LimitError {
	return &LimitError{Msg: m, MessageKO: m.In("ko"), MessageEN: m.In("en")}
}

// Error returns the Korean and the English message.
func (e *LimitError) Error() string { return e.MessageKO + " / " + e.MessageEN }

// Unwrap returns ErrTooLarge.
func (e *LimitError) Unwrap() error { return ErrTooLarge }

// LineError is one rejected cell or line. Line is the 1-based record number
// (the header is line 1 when it is the first record; blank CSV lines are not
// counted; XLSX uses the sheet's row number). Column is the 1-based column,
// or 0 when the problem concerns the whole line, such as a missing header.
// Field is the column's header text as written in the file, or for a missing
// column its canonical name ("time", "amount", "start", "end", "fare").
// Msg explains the problem and echoes the value; MessageKO and MessageEN
// are Msg in Korean and English, for callers not yet reading Msg.
type LineError struct {
	Line, Column         int
	Field                string
	Msg                  apperr.Message
	MessageKO, MessageEN string
}

// newLineError is a LineError at line and column (0 for the whole line)
// saying m.
func newLineError(line, column int, field string, m apperr.Message) *LineError {
	return &LineError{Line: line, Column: column, Field: field, Msg: m, MessageKO: m.In("ko"), MessageEN: m.In("en")}
}

// Error returns the Korean and the English message, each naming the line
// and column: "3행 2열(금액): … / line 3, column 2 (금액): …".
func (e *LineError) Error() string {
	if e.Column == 0 {
		return fmt.Sprintf("%d행: %s / line %d: %s", e.Line, e.MessageKO, e.Line, e.MessageEN)
	}
	return fmt.Sprintf("%d행 %d열(%s): %s / line %d, column %d (%s): %s",
		e.Line, e.Column, e.Field, e.MessageKO, e.Line, e.Column, e.Field, e.MessageEN)
}

// Unwrap returns ErrInvalid.
func (e *LineError) Unwrap() error { return ErrInvalid }

// LineErrors is every LineError found, in line order, at most
// Limits.MaxErrors of them. It is never empty when returned.
// errors.As(err, new(*LineError)) yields the first one.
type LineErrors []*LineError

// Error returns the first error and how many more there are.
func (es LineErrors) Error() string {
	if len(es) == 0 {
		return "records: no errors"
	}
	if len(es) == 1 {
		return es[0].Error()
	}
	return fmt.Sprintf("%s (외 %d건 / and %d more)", es[0].Error(), len(es)-1, len(es)-1)
}

// Unwrap returns the individual errors for errors.Is and errors.As.
func (es LineErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}
