package records

import "testing"

func TestNeutralize(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"equals starts a formula", `=HYPERLINK("http://evil","x")`, `'=HYPERLINK("http://evil","x")`},
		{"plus", "+1+1", "'+1+1"},
		{"minus", "-2+3", "'-2+3"},
		{"at", "@SUM(A1)", "'@SUM(A1)"},
		{"tab", "\t=1", "'\t=1"},
		{"carriage return", "\r=1", "'\r=1"},
		{"plain text stays", "앨리스", "앨리스"},
		{"account with inner dashes stays", "110-123-456789", "110-123-456789"},
		{"formula sign later stays", "a=b", "a=b"},
		{"empty stays", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Neutralize(tc.in); got != tc.want {
				t.Errorf("Neutralize(%q): got %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
