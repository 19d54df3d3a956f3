package apperr

import (
	"strings"
	"testing"
	"text/template"
)

// templateCatalog resolves ids through text/template as the real catalog
// does; "t.count" prints a number and "t.quote" nests a message.
func templateCatalog(prefix string) Resolver {
	texts := map[string]string{
		"ko/t.count": prefix + "{{.n}}개 중 {{.k}}개",
		"en/t.count": prefix + "{{.k}} of {{.n}}",
		"ko/t.quote": prefix + "「{{.inner}}」",
		"en/t.quote": prefix + "“{{.inner}}”",
		"ko/t.plain": prefix + "없음",
		"en/t.plain": prefix + "none",
	}
	return func(lang, id string, data map[string]any) (string, bool) {
		src, ok := texts[lang+"/"+id]
		if !ok {
			return "", false
		}
		var b strings.Builder
		if err := template.Must(template.New(id).Parse(src)).Execute(&b, data); err != nil {
			return "", false
		}
		return b.String(), true
	}
}

func TestInCachedReadsAsIn(t *testing.T) {
	withCatalog(t, templateCatalog(""))
	cases := []struct {
		name string
		m    Message
	}{
		{"no data", M("t.plain")},
		{"numbers of several types", M("t.count", map[string]any{"n": 12, "k": int64(3)})},
		{"strings", M("t.count", map[string]any{"n": "1,200", "k": "₩3"})},
		{"a nested catalog message", M("t.quote", map[string]any{"inner": M("t.count", map[string]any{"n": 2, "k": 1})})},
		{"a nested inline message", M("t.quote", map[string]any{"inner": Message{KO: "가", EN: "a"}})},
		{"a missing id", Message{ID: "t.gone", KO: "가", EN: "a"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, lang := range []string{"ko", "en", "ko"} { // the second ko reads the cached pattern
				if got, want := tc.m.InCached(lang), tc.m.In(lang); got != want {
					t.Fatalf("%s: got %q, want %q", lang, got, want)
				}
			}
		})
	}
	t.Run("other data names than the cached pattern's fall back to In", func(t *testing.T) {
		m := M("t.count", map[string]any{"n": 5, "x": 1})
		if got, want := m.InCached("en"), m.In("en"); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	})
}

func TestInCachedFollowsANewCatalog(t *testing.T) {
	withCatalog(t, templateCatalog("v1:"))
	m := M("t.count", map[string]any{"n": 2, "k": 1})
	if got := m.InCached("en"); got != "v1:1 of 2" {
		t.Fatalf("first catalog: got %q", got)
	}
	SetCatalog(templateCatalog("v2:"))
	if got := m.InCached("en"); got != "v2:1 of 2" {
		t.Fatalf("after SetCatalog: got %q, want the new catalog's text", got)
	}
}
