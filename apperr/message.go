package apperr

import (
	"bytes"
	"encoding/json"
	"sync/atomic"
)

// Message is one human-readable text for the user. It names a message of
// the catalog (web/locales/<lang>.json) by ID, with Data for its
// {{.placeholders}}; In resolves it in any language the catalog holds.
// Build one with M.
//
// KO and EN hold text already resolved in both languages (a stored
// notice, a policy's description, written from the catalog when made);
// they are also what a Message decoded from JSON carries.
type Message struct {
	ID   string         `json:"-"`
	Data map[string]any `json:"-"`
	KO   string         `json:"ko"`
	EN   string         `json:"en"`
}

// M returns the catalog message id, filled with data (at most one map;
// keys are the placeholder names) when it is shown. A value that is itself
// a Message is shown in the same language, so messages compose:
//
//	M("records.with_value", map[string]any{"problem": M("records.not_date"), "value": q})
func M(id string, data ...map[string]any) Message {
	m := Message{ID: id}
	if len(data) > 0 {
		m.Data = data[0]
	}
	return m
}

// Resolver looks a message up in the catalog: the text of id in lang filled
// with data, and whether the catalog has it.
type Resolver func(lang, id string, data map[string]any) (string, bool)

var catalog atomic.Pointer[Resolver]

// SetCatalog makes r the catalog every Message resolves through. Package
// i18n calls it when it loads the catalog; apperr imports nothing of it, so
// every domain package can build messages without the catalog's weight.
func SetCatalog(r Resolver) { catalog.Store(&r) }

// In returns the message in lang. A catalog message resolves through the
// catalog; without a catalog, or when the catalog lacks the id, it falls
// back to the inline text (EN for "en", KO otherwise) and then to the id,
// so a gap shows instead of an empty string.
func (m Message) In(lang string) string {
	if m.ID != "" {
		if r := catalog.Load(); r != nil {
			if s, ok := (*r)(lang, m.ID, m.dataIn(lang)); ok {
				return s
			}
		}
	}
	s := m.KO
	if lang == "en" {
		s = m.EN
	}
	if s == "" && m.ID != "" {
		return m.ID
	}
	return s
}

// MarshalJSON writes {"ko":...,"en":...} with the text resolved in each
// language, the shape the API has always had.
func (m Message) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // the outer encoder escapes, if it does
	err := enc.Encode(struct {
		KO string `json:"ko"`
		EN string `json:"en"`
	}{m.In("ko"), m.In("en")})
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), err
}

// dataIn is Data with every Message value resolved in lang.
func (m Message) dataIn(lang string) map[string]any {
	var out map[string]any
	for k, v := range m.Data {
		if sub, ok := v.(Message); ok {
			if out == nil {
				out = make(map[string]any, len(m.Data))
				for k, v := range m.Data {
					out[k] = v
				}
			}
			out[k] = sub.In(lang)
		}
	}
	if out == nil {
		return m.Data
	}
	return out
}
