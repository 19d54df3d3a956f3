package input

import (
	"errors"
	"strings"
	"testing"

	"github.com/bosang/bosang/apperr"
)

func TestLineAndText(t *testing.T) {
	for _, tc := range []struct {
		name           string
		in             string
		max            int
		line, freeText bool // whether Line and Text accept it
	}{
		{"empty", "", 10, true, true},
		{"Korean and ASCII", "홍길동 Hong", 10, true, true},
		{"emoji and a literal U+FFFD are valid UTF-8", "가🙂\ufffd", 3, true, true},
		{"NUL", "a\x00b", 0, false, false},
		{"NUL alone", "\x00", 0, false, false},
		{"bell (other C0)", "a\ab", 0, false, false},
		{"escape", "a\x1b[31m", 0, false, false},
		{"DEL", "a\x7f", 0, false, false},
		{"C1 next-line U+0085", "a\u0085b", 0, false, false},
		{"newline", "a\nb", 0, false, true},
		{"CRLF", "a\r\nb", 0, false, true},
		{"tab", "a\tb", 0, false, true},
		{"invalid byte", "a\xffb", 0, false, false},
		{"multibyte cut short", "가"[:2], 0, false, false},
		{"overlong encoding of NUL", "\xc0\x80", 0, false, false},
		{"exactly max characters (runes, not bytes)", strings.Repeat("가", 100), 100, true, true},
		{"max plus one", strings.Repeat("가", 101), 100, false, false},
		{"no bound when max is 0", strings.Repeat("a", 100_000), 0, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var lf, tf apperr.Fields
			if got := Line(&lf, "f", tc.in, tc.max); got != tc.line {
				t.Errorf("Line: got %v, want %v", got, tc.line)
			}
			if got := Text(&tf, "f", tc.in, tc.max); got != tc.freeText {
				t.Errorf("Text: got %v, want %v", got, tc.freeText)
			}
			for name, f := range map[string]*apperr.Fields{"Line": &lf, "Text": &tf} {
				err := f.Err()
				var ve *apperr.ValidationError
				ok := name == "Line" && tc.line || name == "Text" && tc.freeText
				if ok != (err == nil) {
					t.Errorf("%s: got error %v, want one only when refused", name, err)
				}
				if err != nil && (!errors.As(err, &ve) || ve.Fields["f"].In("ko") == "" || ve.Fields["f"].In("en") == "") {
					t.Errorf("%s: got %v, want a field error on f in Korean and English", name, err)
				}
			}
		})
	}
}

func TestID(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want bool
	}{
		{"lowercase v7", "01a24990-b8c1-7a8f-a534-bfa0b8e1f75b", true},
		{"uppercase", "01A24990-B8C1-7A8F-A534-BFA0B8E1F75B", true},
		{"nil UUID", "00000000-0000-0000-0000-000000000000", true},
		{"empty", "", false},
		{"a word", "abc", false},
		{"32 hex digits without hyphens", "01a24990b8c17a8fa534bfa0b8e1f75b", false},
		{"in braces", "{01a24990-b8c1-7a8f-a534-bfa0b8e1f75b}", false},
		{"urn prefix", "urn:uuid:01a24990-b8c1-7a8f-a534-bfa0b8e1f75b", false},
		{"one digit short", "01a24990-b8c1-7a8f-a534-bfa0b8e1f75", false},
		{"not hex", "01a24990-b8c1-7a8f-a534-bfa0b8e1f75g", false},
		{"hyphen moved", "01a2499-0b8c1-7a8f-a534-bfa0b8e1f75b", false},
		{"NUL in place of a digit", "01a24990-b8c1-7a8f-a534-bfa0b8e1f75\x00", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f apperr.Fields
			if got := ID(&f, "outage_id", tc.in); got != tc.want || IsID(tc.in) != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			if (f.Err() == nil) != tc.want {
				t.Fatalf("got error %v, want one only when refused", f.Err())
			}
		})
	}
}
