package records

import (
	"errors"
	"strings"
	"testing"
)

func TestBlankLinesAreSkipped(t *testing.T) {
	loc := seoul(t)
	many := 68_000 // the file: ~68,000 blank lines, 136 KB of CRLFs
	for _, tc := range []struct {
		name  string
		in    string
		lines []int
	}{
		{"68,000 blank CRLF lines after the header", "일시,금액\r\n" + strings.Repeat("\r\n", many) + "2022-10-08 15:05,1000\r\n", []int{2}},
		{"68,000 blank LF lines between rows", "일시,금액\n2022-10-08 15:05,1000\n" + strings.Repeat("\n", many) + "2022-10-08 16:05,2000\n", []int{2, 3}},
		{"68,000 blank lines before the header", strings.Repeat("\r\n", many) + "일시,금액\r\n2022-10-08 15:05,1000\r\n", []int{2}},
		{"68,000 blank lines at the end", "일시,금액\r\n2022-10-08 15:05,1000\r\n" + strings.Repeat("\r\n", many), []int{2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSales(strings.NewReader(tc.in), loc)
			if err != nil {
				t.Fatalf("got %v, want %d rows", err, len(tc.lines))
			}
			if len(got) != len(tc.lines) {
				t.Fatalf("got %d rows, want %d", len(got), len(tc.lines))
			}
			for i, s := range got {
				if s.Line != tc.lines[i] {
					t.Errorf("row %d: got line %d, want %d (blank lines are not counted)", i, s.Line, tc.lines[i])
				}
			}
		})
	}
	t.Run("more than 1 MiB of blank lines before a row says so", func(t *testing.T) {
		in := "일시,금액\r\n" + strings.Repeat("\r\n", maxBlankBytes) + "2022-10-08 15:05,1000\r\n"
		_, err := ParseSales(strings.NewReader(in), loc)
		var le *LimitError
		if !errors.As(err, &le) || !strings.Contains(le.MessageEN, "blank lines before line 2") || !strings.Contains(le.MessageKO, "빈 줄") {
			t.Fatalf("got %v, want a LimitError about blank lines before line 2", err)
		}
	})
	t.Run("a quoted field of newlines is still bounded", func(t *testing.T) {
		in := "일시,금액\r\n\"" + strings.Repeat("\n", 2*maxBlankBytes) + "\",1\r\n"
		_, err := ParseSales(strings.NewReader(in), loc)
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("got %v, want ErrTooLarge", err)
		}
	})
}
