package handlers

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bosang/bosang/i18n"
)

// fieldChange is one field a correction or decision changed, its old and
// new values shown for people.
type fieldChange struct {
	Field, Old, New string
}

// Short is true when both values are short enough (a time, an amount, a
// label) to keep each on one line without pushing past a phone's width.
func (c fieldChange) Short() bool {
	return len([]rune(c.Old)) <= 24 && len([]rune(c.New)) <= 24
}

// detailPair is one other fact an audit entry records.
type detailPair struct {
	Key, Value string
}

// changesOf compares two JSON objects (an outage before and after a
// correction) field by field, nested objects by their dotted keys, and
// returns the fields whose values differ, in key order. Anything that is
// not an object compares as a whole.
func changesOf(l *i18n.Localizer, before, after []byte) []fieldChange {
	old, updated := flatten(before), flatten(after)
	keys := make([]string, 0, len(old)+len(updated))
	for k := range old {
		keys = append(keys, k)
	}
	for k := range updated {
		if _, ok := old[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []fieldChange
	for _, k := range keys {
		o, n := old[k], updated[k]
		if same(o, n) {
			continue
		}
		out = append(out, fieldChange{Field: fieldLabel(l, k), Old: valueText(l, k, o), New: valueText(l, k, n)})
	}
	return out
}

// flatten decodes a JSON object into dotted keys and leaf values; a value
// that is not an object is kept under "".
func flatten(raw []byte) map[string]any {
	out := map[string]any{}
	if len(raw) == 0 {
		return out
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		out[""] = string(raw)
		return out
	}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		m, ok := v.(map[string]any)
		if !ok || (prefix != "" && len(m) == 0) {
			out[prefix] = v
			return
		}
		for k, x := range m {
			if prefix != "" {
				k = prefix + "." + k
			}
			walk(k, x)
		}
	}
	walk("", v)
	return out
}

func same(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// fieldLabel names a field from the catalog ("change.field.<key>"); a
// feature's restoration time names the feature; an unknown field shows its
// key.
func fieldLabel(l *i18n.Localizer, key string) string {
	if code, ok := strings.CutPrefix(key, "features."); ok {
		return l.T("change.field.feature", map[string]any{"Feature": code})
	}
	id := "change.field." + key
	if t := l.T(id); t != id {
		return t
	}
	return key
}

// valueText shows a value: times in KST, causes and statuses by their
// catalog label, yes/no, lists joined, nothing as a dash.
func valueText(l *i18n.Localizer, key string, v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case bool:
		if x {
			return l.T("change.yes")
		}
		return l.T("change.no")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return kstText(t)
		}
		for _, prefix := range labelled[key] {
			if t := l.T(prefix + x); t != prefix+x {
				return t
			}
		}
		if x == "" {
			return "—"
		}
		return x
	case []any:
		if len(x) == 0 {
			return "—"
		}
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = valueText(l, key, e)
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		if len(x) == 0 {
			return "—"
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// labelled lists, for fields whose values are codes, the catalog prefixes
// that name them.
var labelled = map[string][]string{
	"cause":    {"cause."},
	"from":     {"claims.status."},
	"to":       {"claims.status."},
	"status":   {"claims.status.", "payouts.item_status."},
	"category": {"claims.category."},
	"kind":     {"notice.kind."},
}

// auditDetails renders an audit entry's details: what changed (an outage
// correction's before and after, a decision's status from and to) and the
// other facts it records.
func auditDetails(l *i18n.Localizer, details string) ([]fieldChange, []detailPair) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(details), &m); err != nil {
		if details == "" || details == "{}" {
			return nil, nil
		}
		return nil, []detailPair{{Key: "", Value: details}}
	}
	var changes []fieldChange
	if b, a := m["before"], m["after"]; b != nil && a != nil {
		changes = changesOf(l, b, a)
		delete(m, "before")
		delete(m, "after")
	}
	var from, to any
	if json.Unmarshal(m["from"], &from) == nil && json.Unmarshal(m["to"], &to) == nil && m["from"] != nil && m["to"] != nil {
		changes = append(changes, fieldChange{Field: fieldLabel(l, "status"), Old: valueText(l, "from", from), New: valueText(l, "to", to)})
		delete(m, "from")
		delete(m, "to")
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	pairs := make([]detailPair, 0, len(keys))
	for _, k := range keys {
		var v any
		if err := json.Unmarshal(m[k], &v); err != nil {
			v = string(m[k])
		}
		pairs = append(pairs, detailPair{Key: fieldLabel(l, k), Value: valueText(l, k, v)})
	}
	return changes, pairs
}
