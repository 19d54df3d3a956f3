package input

import (
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
	f.AddMsg(field, apperr.M("input.not_id"))
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
		f.AddMsg(field, apperr.M("input.not_clean"))
		return false
	case max > 0 && utf8.RuneCountInString(s) > max:
		f.AddMsg(field, apperr.M("input.too_long", map[string]any{"max": max}))
		return false
	}
	return true
}
