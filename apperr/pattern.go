package apperr

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// patternKey names a message in one language.
type patternKey struct{ lang, id string }

// pattern is a message resolved with "\x00name\x00" in place of each
// placeholder, and the names of the data it was resolved with.
type pattern struct {
	text string
	keys []string
}

// patternCache holds the patterns of one catalog. The map is never
// changed once published: a new pattern publishes a copy, so lookups take
// no lock (patterns are few, and each is added once).
type patternCache struct {
	catalog *Resolver
	m       map[patternKey]pattern
}

var (
	patterns  atomic.Pointer[patternCache]
	patternMu sync.Mutex // serializes publishing
)

// InCached returns the message in lang, as In does, for text built on a
// hot path (the steps of an estimate, priced on every filing): after the
// first call per language it costs a string replacement instead of a
// template execution. It suits a message whose template only prints its
// placeholders (no if or range on them) and whose data values are strings,
// numbers or Messages; a Message value is shown with InCached too. An id
// is given the same data names on every call (else it resolves as In).
// Without a catalog, or when the catalog lacks the id, it is In.
func (m Message) InCached(lang string) string {
	r := catalog.Load()
	if m.ID == "" || r == nil {
		return m.In(lang)
	}
	c := patterns.Load()
	p, ok := pattern{}, false
	if c != nil && c.catalog == r {
		p, ok = c.m[patternKey{lang, m.ID}]
	}
	if !ok {
		if p, ok = m.newPattern(r, lang); !ok {
			return m.In(lang)
		}
	}
	if len(p.keys) != len(m.Data) {
		return m.In(lang)
	}
	for _, k := range p.keys {
		if _, ok := m.Data[k]; !ok {
			return m.In(lang)
		}
	}
	return p.fill(lang, m.Data)
}

// newPattern resolves m in lang through r with markers for its data and
// publishes the pattern; ok is false when r lacks the id.
func (m Message) newPattern(r *Resolver, lang string) (pattern, bool) {
	marked := make(map[string]any, len(m.Data))
	p := pattern{keys: make([]string, 0, len(m.Data))}
	for k := range m.Data {
		marked[k] = "\x00" + k + "\x00"
		p.keys = append(p.keys, k)
	}
	s, ok := (*r)(lang, m.ID, marked)
	if !ok {
		return pattern{}, false
	}
	p.text = s
	patternMu.Lock()
	defer patternMu.Unlock()
	old := patterns.Load()
	next := &patternCache{catalog: r, m: map[patternKey]pattern{}}
	if old != nil && old.catalog == r {
		for k, v := range old.m {
			next.m[k] = v
		}
	}
	next.m[patternKey{lang, m.ID}] = p
	patterns.Store(next)
	return p, true
}

// fill replaces the markers of p with data in lang.
func (p pattern) fill(lang string, data map[string]any) string {
	if len(data) == 0 {
		return p.text
	}
	var b strings.Builder
	b.Grow(len(p.text) + 16*len(data))
	s := p.text
	for {
		i := strings.IndexByte(s, 0)
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i+1:], 0)
		if j < 0 {
			break
		}
		b.WriteString(s[:i])
		switch v := data[s[i+1:i+1+j]].(type) {
		case string:
			b.WriteString(v)
		case Message:
			b.WriteString(v.InCached(lang))
		case int:
			b.WriteString(strconv.Itoa(v))
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		default:
			b.WriteString(fmt.Sprint(v)) // as text/template prints it
		}
		s = s[i+2+j:]
	}
	b.WriteString(s)
	return b.String()
}
