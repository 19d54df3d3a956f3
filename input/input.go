package input

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/bosang/bosang/apperr"
)

// Line adds a problem with field to f unless s is valid UTF-8 without
// control characters and at most max characters long (max <= 0: no bound).
// It reports whether s passed.
func Line(f *apperr.Fields, field, s string, max int) bool {
	return check(f, field, s, max, false)
}

// Text is Line for free text: newline, carriage return and tab are allowed.
func Text(f *apperr.Fields, field, s string, max int) bool {
	return check(f, field, s, max, true)
}

// ID adds a problem with field to f unless s is a UUID in its 36-character
// form (8-4-4-4-12 hex digits, either case). It reports whether s passed.
func ID(f *apperr.Fields, field, s string) bool {
	if IsID(s) {
		return true
	}
	f.Add(field, "올바른 식별자가 아닙니다.", "This is not a valid identifier.")
	return false
}

// IsID reports whether s is a UUID in its 36-character form.
func IsID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// Clean reports whether s is valid UTF-8 without control characters other
// than, when free is set, newline, carriage return and tab.
func Clean(s string, free bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(free && (r == '\n' || r == '\r' || r == '\t')) {
			return false
		}
	}
	return true
}

func check(f *apperr.Fields, field, s string, max int, free bool) bool {
	switch {
	case !Clean(s, free):
		f.Add(field, "입력할 수 없는 문자(제어 문자 등)가 들어 있습니다.", "This contains characters that are not allowed (control characters or invalid UTF-8).")
		return false
	case max > 0 && utf8.RuneCountInString(s) > max:
		f.Add(field, fmt.Sprintf("%d자 이내로 입력하세요.", max), fmt.Sprintf("Enter at most %d characters.", max))
		return false
	}
	return true
}
