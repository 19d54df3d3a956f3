package store

import (
	"strings"
	"unicode"
)

// ilike is a case-insensitive pattern match on column against a parameter
// with '\' as its escape character: ILIKE on PostgreSQL, LIKE (which ignores
// ASCII case) on SQLite.
func (db *DB) ilike(column string) string {
	if db.dialect == Postgres {
		return column + ` ILIKE ? ESCAPE '\'`
	}
	return column + ` LIKE ? ESCAPE '\'`
}

// likeEscape makes text match itself inside a LIKE pattern.
func likeEscape(text string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(text)
}

// searchClaims is the condition for a staff search q over a claim: its
// number (exactly, in any case), its description, and its claimant's name,
// e-mail, phone and business number (any part). Phone and business numbers
// match with or without their hyphens and spaces.
func (db *DB) searchClaims(q string) (string, []any) {
	q = strings.TrimSpace(q)
	like := "%" + likeEscape(q) + "%"
	users := db.ilike("name") + " OR " + db.ilike("email")
	args := []any{strings.ToUpper(q), like, like, like}
	profiles := ""
	if digits := digitsOf(q); digits != "" {
		pat := "%" + digits + "%"
		users += " OR replace(replace(phone, '-', ''), ' ', '') LIKE ?"
		profiles = " OR claimant_id IN (SELECT user_id FROM claimant_profiles WHERE replace(replace(business_number, '-', ''), ' ', '') LIKE ?)"
		args = append(args, pat, pat)
	}
	return "(number = ? OR " + db.ilike("description") + " OR claimant_id IN (SELECT id FROM users WHERE " + users + ")" + profiles + ")", args
}

// digitsOf returns q's digits when q is a number written with digits,
// hyphens and spaces only (a phone or business number), at least three
// digits long; otherwise "".
func digitsOf(q string) string {
	var b strings.Builder
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '-' || unicode.IsSpace(r):
		default:
			return ""
		}
	}
	if b.Len() < 3 {
		return ""
	}
	return b.String()
}
