package apperr

import (
	"encoding/json"
	"testing"
)

// fakeCatalog knows "t.hello" in ko and en and "t.pair", which shows a
// nested message; anything else is missing.
func fakeCatalog(lang, id string, data map[string]any) (string, bool) {
	switch {
	case id == "t.hello" && lang == "ko":
		return "안녕 <" + data["name"].(string) + ">", true
	case id == "t.hello" && lang == "en":
		return "hello <" + data["name"].(string) + ">", true
	case id == "t.pair":
		return lang + ":" + data["inner"].(string), true
	}
	return "", false
}

func withCatalog(t *testing.T, r Resolver) {
	t.Helper()
	old := catalog.Load()
	SetCatalog(r)
	t.Cleanup(func() { catalog.Store(old) })
}

func TestMessageJSONKeepsItsShape(t *testing.T) {
	withCatalog(t, fakeCatalog)
	cases := []struct {
		name string
		m    any
		want string
	}{
		{"inline text, HTML escaped as before", Message{KO: "가 & <b>", EN: "a & <b>"},
			`{"ko":"가 \u0026 \u003cb\u003e","en":"a \u0026 \u003cb\u003e"}`},
		{"catalog message resolved in both languages", M("t.hello", map[string]any{"name": "x"}),
			`{"ko":"안녕 \u003cx\u003e","en":"hello \u003cx\u003e"}`},
		{"inside a struct behind a pointer", struct {
			E *Message `json:"error,omitempty"`
		}{&Message{KO: "없음", EN: "none"}}, `{"error":{"ko":"없음","en":"none"}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.m)
			if err != nil || string(b) != tc.want {
				t.Fatalf("got %s, %v; want %s", b, err, tc.want)
			}
		})
	}
	var back Message
	if err := json.Unmarshal([]byte(`{"ko":"가","en":"a"}`), &back); err != nil || back.In("ko") != "가" || back.In("en") != "a" {
		t.Fatalf("decode: %+v, %v", back, err)
	}
}

func TestMessageIn(t *testing.T) {
	withCatalog(t, fakeCatalog)
	cases := []struct {
		name, lang string
		m          Message
		want       string
	}{
		{"catalog text", "en", M("t.hello", map[string]any{"name": "x"}), "hello <x>"},
		{"nested message in the same language", "ko", M("t.pair", map[string]any{"inner": M("t.hello", map[string]any{"name": "y"})}), "ko:안녕 <y>"},
		{"missing id falls back to inline English", "en", Message{ID: "t.gone", KO: "가", EN: "a"}, "a"},
		{"missing id falls back to inline Korean for another language", "ja", Message{ID: "t.gone", KO: "가", EN: "a"}, "가"},
		{"missing id without inline text shows the id", "ko", M("t.gone"), "t.gone"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.m.In(tc.lang); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMessageWithoutCatalog(t *testing.T) {
	old := catalog.Load()
	catalog.Store(nil)
	t.Cleanup(func() { catalog.Store(old) })
	if got := M("t.hello").In("ko"); got != "t.hello" {
		t.Fatalf("got %q, want the id", got)
	}
	if got := (Message{KO: "가", EN: "a"}).In("en"); got != "a" {
		t.Fatalf("got %q, want the inline text", got)
	}
}
