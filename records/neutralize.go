package records

import "strings"

// Neutralize makes a text cell inert in a spreadsheet (OWASP CSV
// injection): a cell that starts with =, +, -, @, a tab or a carriage
// return gets a leading single quote, so it is shown as text and never run
// as a formula. Every file Bosang writes for a spreadsheet (transfer
// files, credit files) passes its text cells through it.
func Neutralize(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
