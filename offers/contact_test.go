package offers

import "testing"

func TestNormalizePhone(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"dashes", "010-1234-5678", "01012345678"},
		{"digits only", "01012345678", "01012345678"},
		{"international with spaces", "+82 10 1234 5678", "01012345678"},
		{"international with the trunk zero", "+82 010-1234-5678", "01012345678"},
		{"a landline keeps its area code", "02-123-4567", "021234567"},
		{"82 without a plus is not a country code", "8210", "8210"},
		{"no digits", "없음", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NormalizePhone(tc.in); got != tc.want {
				t.Fatalf("NormalizePhone(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	if got := NormalizeEmail("  Driver@Example.COM "); got != "driver@example.com" {
		t.Fatalf("got %q", got)
	}
}
