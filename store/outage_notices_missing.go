package store

import "strings"

// missingNotice is the outages filter of outage.Filter.MissingNotice with
// n kinds: no recorded notice of the first kind, or of the second, ...
// (notices_outage_idx answers each probe).
func missingNotice(n int) string {
	probe := "NOT EXISTS (SELECT 1 FROM notices n WHERE n.outage_id = outages.id AND n.kind = ?)"
	return "(" + strings.TrimSuffix(strings.Repeat(probe+" OR ", n), " OR ") + ")"
}

func anySlice(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}
