package handlers

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
)

// kstText shows a time.Time or *time.Time in KST; nil and zero are "".
func kstText(v any) string {
	switch t := v.(type) {
	case time.Time:
		if t.IsZero() {
			return ""
		}
		return t.In(kst).Format("2006-01-02 15:04 KST")
	case *time.Time:
		if t == nil {
			return ""
		}
		return kstText(*t)
	}
	return ""
}

// localInput is t as an <input type="datetime-local"> value in KST, with
// seconds only when it has any, so a round trip through a form keeps it.
func localInput(t *time.Time) string {
	if t == nil {
		return ""
	}
	k := t.In(kst)
	if k.Second() != 0 {
		return k.Format("2006-01-02T15:04:05")
	}
	return k.Format("2006-01-02T15:04")
}

// parseLocal reads a datetime-local value as KST. Empty is nil; a value that
// does not parse is reported on f under name.
func parseLocal(f *apperr.Fields, name, value string) *time.Time {
	value = strings.TrimSpace(value)
	if value == "" {
		return nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, value, kst); err == nil {
			return &t
		}
	}
	f.AddMsg(name, apperr.M("handlers.datetime_format"))
	return nil
}

// fieldErrors localizes the field errors of err, with keys prefixed; ok is
// false when err is not about the input.
func fieldErrors(err error, lang, prefix string) (map[string]string, bool) {
	var ve *apperr.ValidationError
	if !errors.As(err, &ve) {
		return nil, false
	}
	out := map[string]string{}
	for k, m := range localize(ve.Fields, lang) {
		out[prefix+k] = m
	}
	return out, true
}

func localName(lang, ko, en string) string {
	if lang == "en" && en != "" {
		return en
	}
	return ko
}

func isOperator(u *models.User) bool { return auth.Require(u, models.RoleOperator) == nil }

// option is one <option>, radio or checkbox.
type option struct {
	Value, Label string
	Selected     bool
}

func serviceOptions(catalog []outage.CatalogEntry, lang, selected string) []option {
	out := make([]option, len(catalog))
	for i, e := range catalog {
		out[i] = option{Value: e.Service.Code, Label: localName(lang, e.Service.Name, e.Service.NameEN), Selected: e.Service.Code == selected}
	}
	return out
}

func findService(catalog []outage.CatalogEntry, code string) *outage.CatalogEntry {
	i := slices.IndexFunc(catalog, func(e outage.CatalogEntry) bool { return e.Service.Code == code })
	if i < 0 {
		return nil
	}
	return &catalog[i]
}
