package offers

import "strings"

// NormalizePhone returns the digits of a Korean phone number as offers
// store and match it: "010-1234-5678", "+82 10 1234 5678" and
// "01012345678" are all "01012345678". It returns "" when s holds no
// digits.
func NormalizePhone(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if strings.HasPrefix(strings.TrimSpace(s), "+82") && strings.HasPrefix(d, "82") {
		d = "0" + strings.TrimPrefix(d[2:], "0")
	}
	return d
}

// NormalizeEmail returns an e-mail address as offers store and match it:
// trimmed and in lower case.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
