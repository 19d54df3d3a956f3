package apperr

import (
	"errors"
	"sort"
	"strings"
)

// The categories. Each one maps to exactly one HTTP status in handlers.
var (
	ErrInvalid            = errors.New("invalid input")           // 422 (400 for malformed syntax)
	ErrNotFound           = errors.New("not found")               // 404, also for someone else's data
	ErrConflict           = errors.New("conflict")                // 409
	ErrForbidden          = errors.New("forbidden")               // 403
	ErrUnauthenticated    = errors.New("unauthenticated")         // 401
	ErrPreconditionFailed = errors.New("precondition failed")     // 412
	ErrPreconditionNeeded = errors.New("precondition required")   // 428
	ErrTooManyRequests    = errors.New("too many requests")       // 429
	ErrUnavailable        = errors.New("temporarily unavailable") // 503
	ErrTooLarge           = errors.New("too large")               // 413
	ErrUnsupportedType    = errors.New("unsupported media type")  // 415
)

// ValidationError carries one message per offending field. It unwraps to
// ErrInvalid, so callers can test it with errors.Is.
type ValidationError struct {
	Fields map[string]Message
}

// Error lists the offending fields in English, sorted, for logs.
func (e *ValidationError) Error() string { return "invalid input: " + describe(e.Fields) }

// describe lists fields with their English messages, sorted by field.
func describe(fields map[string]Message) string {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = k + ": " + fields[k].In("en")
	}
	return strings.Join(parts, "; ")
}

// Unwrap makes a ValidationError an ErrInvalid.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Fields collects per-field problems; its Err is nil while no field is bad.
// The zero value is ready to use.
type Fields struct{ m map[string]Message }

// AddMsg records a problem with field as a catalog message (see M). The
// first problem reported for a field wins.
func (f *Fields) AddMsg(field string, m Message) {
	if f.m == nil {
		f.m = map[string]Message{}
	}
	if _, dup := f.m[field]; !dup {
		f.m[field] = m
	}
}

// Err returns a *ValidationError with every recorded problem, or nil.
func (f *Fields) Err() error {
	if len(f.m) == 0 {
		return nil
	}
	return &ValidationError{Fields: f.m}
}

// InvalidMsg returns a *ValidationError for a single field.
func InvalidMsg(field string, m Message) error {
	var f Fields
	f.AddMsg(field, m)
	return f.Err()
}

// Reason names why a field is invalid where no words belong (the store);
// InvalidBecause gives it the words of its entry below.
type Reason string

// The reasons.
const (
	// ReasonBadCursor is a page cursor that names no row of the list (or
	// one the caller may not page from).
	ReasonBadCursor Reason = "bad_cursor"
)

var reasonText = map[Reason]Message{
	ReasonBadCursor: M("apperr.bad_cursor", nil),
}

// InvalidBecause returns a *ValidationError for field saying reason in
// Korean and English; an unknown reason says the value is invalid.
func InvalidBecause(field string, r Reason) error {
	m, ok := reasonText[r]
	if !ok {
		m = M("apperr.invalid_value", nil)
	}
	return InvalidMsg(field, m)
}

// RateLimited is ErrTooManyRequests with the number of seconds after which a
// retry may succeed, for the Retry-After header.
type RateLimited struct{ RetryAfterSeconds int }

// Error describes the limit.
func (e *RateLimited) Error() string { return "too many requests" }

// Unwrap makes a RateLimited an ErrTooManyRequests.
func (e *RateLimited) Unwrap() error { return ErrTooManyRequests }

// TooLargeError is input over a size bound, with a message per field at
// fault. It unwraps to ErrTooLarge, so it is a 413 that still names the
// field.
type TooLargeError struct {
	fields map[string]Message
}

// TooLargeMsg returns a *TooLargeError for a single field.
func TooLargeMsg(field string, m Message) error {
	return &TooLargeError{fields: map[string]Message{field: m}}
}

// Error lists the fields and their English messages, for logs.
func (e *TooLargeError) Error() string {
	return "too large: " + describe(e.fields)
}

// Fields returns the message for each field at fault.
func (e *TooLargeError) Fields() map[string]Message { return e.fields }

// Unwrap makes a TooLargeError an ErrTooLarge.
func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// Merge returns one *ValidationError with the field problems of every
// *ValidationError in errs, so a form can report all its faults in one
// pass; the first message for a field wins. A nil error is skipped; any
// other error is returned as it is, since it is not about the input. Merge
// returns nil when every err is nil.
func Merge(errs ...error) error {
	var f Fields
	for _, err := range errs {
		if err == nil {
			continue
		}
		var ve *ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		names := make([]string, 0, len(ve.Fields))
		for k := range ve.Fields {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			f.AddMsg(k, ve.Fields[k])
		}
	}
	return f.Err()
}

// Explained is an error whose category's generic message is replaced, in
// both languages, by one that says what happened ("another reviewer holds
// this claim until 14:30"), with its own error code when Kind is set. It
// unwraps to Err, so its category (and status) is Err's.
type Explained struct {
	Err  error
	Kind string
	Msg  Message
}

// ExplainMsg wraps err with a catalog message (see M) and an error code.
func ExplainMsg(err error, kind string, m Message) error {
	return &Explained{Err: err, Kind: kind, Msg: m}
}

// Error returns the wrapped error's text and the English message, for logs.
func (e *Explained) Error() string { return e.Err.Error() + ": " + e.Msg.In("en") }

// Unwrap returns the wrapped error.
func (e *Explained) Unwrap() error { return e.Err }

// Message returns the message shown to the caller.
func (e *Explained) Message() Message { return e.Msg }

// Code returns the error code, or "" to keep the category's.
func (e *Explained) Code() string { return e.Kind }
