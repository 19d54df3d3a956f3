package records

import (
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // tests must not depend on the host's zoneinfo

	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/unicode"
)

func seoul(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatalf("load Asia/Seoul: %v", err)
	}
	return loc
}

func kst(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04:05", s, seoul(t))
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}

func cp949(t testing.TB, s string) string {
	t.Helper()
	b, err := korean.EUCKR.NewEncoder().String(s)
	if err != nil {
		t.Fatalf("encode CP949: %v", err)
	}
	return b
}

func utf16le(t testing.TB, s string) string {
	t.Helper()
	b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(s)
	if err != nil {
		t.Fatalf("encode UTF-16: %v", err)
	}
	return b
}

// firstLineError returns the first *LineError in err or fails the test.
func firstLineError(t *testing.T, err error) *LineError {
	t.Helper()
	var le *LineError
	if !errors.As(err, &le) {
		t.Fatalf("got %v, want a *LineError", err)
	}
	return le
}

func assertLineError(t *testing.T, err error, line, col int, field, msgPart string) {
	t.Helper()
	le := firstLineError(t, err)
	if le.Line != line || le.Column != col || le.Field != field {
		t.Errorf("got line %d column %d field %q, want line %d column %d field %q", le.Line, le.Column, le.Field, line, col, field)
	}
	if !strings.Contains(le.MessageEN, msgPart) && !strings.Contains(le.MessageKO, msgPart) {
		t.Errorf("got messages %q / %q, want one containing %q", le.MessageKO, le.MessageEN, msgPart)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("got %v, want it to wrap ErrInvalid", err)
	}
}
