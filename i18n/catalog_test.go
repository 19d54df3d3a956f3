package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/web"
)

// withLocale is the embedded locales plus locales/<lang>.json holding body.
func withLocale(t *testing.T, lang, body string) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	for _, l := range Languages {
		data, err := fs.ReadFile(web.Locales, "locales/"+l+".json")
		if err != nil {
			t.Fatal(err)
		}
		m["locales/"+l+".json"] = &fstest.MapFile{Data: data}
	}
	m["locales/"+lang+".json"] = &fstest.MapFile{Data: []byte(body)}
	return m
}

// japanese is every English message with "ja:" in front, a complete
// third catalog.
func japanese(t *testing.T) string {
	t.Helper()
	en, err := fs.ReadFile(web.Locales, "locales/en.json")
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(en), `": "`, `": "ja:`)
}

func TestThirdLocaleIsAFile(t *testing.T) {
	c, err := load(withLocale(t, "ja", japanese(t)))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if got := strings.Join(c.langs, " "); got != "ko en ja" {
		t.Fatalf("languages: %s, want ko en ja", got)
	}
	for _, tc := range []struct{ name, choice, accept, want string }{
		{"Japanese browser", "", "ja-JP,ja;q=0.9", "ja"},
		{"explicit choice", "ja", "en", "ja"},
		{"unmatched still Korean", "", "fr-FR", "ko"},
		{"English still English", "", "en-US", "en"},
	} {
		if got := c.neg.negotiate(tc.choice, tc.accept); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}

	apperr.SetCatalog(c.resolve)
	t.Cleanup(func() {
		if _, err := Load(); err != nil {
			t.Error(err)
		}
	})
	m := apperr.M("input.too_long", map[string]any{"max": 100})
	if got := m.In("ja"); got != "ja:Enter at most 100 characters." {
		t.Fatalf("ja: got %q", got)
	}
	if got := m.In("en"); got != "Enter at most 100 characters." {
		t.Fatalf("en: got %q", got)
	}
}

func TestIncompleteThirdLocaleFails(t *testing.T) {
	if _, err := load(withLocale(t, "ja", `{"nav.login": "ログイン"}`)); err == nil || !strings.Contains(err.Error(), "not in ja") {
		t.Fatalf("load of a partial ja: %v, want a completeness error naming ja", err)
	}
}

func TestMessageFallsBackWithoutCatalogEntry(t *testing.T) {
	if _, err := Load(); err != nil {
		t.Fatal(err)
	}
	if got := apperr.M("no.such.id").In("ko"); got != "no.such.id" {
		t.Fatalf("missing id: got %q, want the id", got)
	}
	if got := (apperr.Message{ID: "no.such.id", KO: "가", EN: "a"}).In("en"); got != "a" {
		t.Fatalf("missing id with inline text: got %q, want the inline English", got)
	}
}

// catalogID finds the ids Go code names: apperr.M("id" and, inside apperr,
// M("id". An id ending in "." is a prefix the code completes (such as
// "records.column." + name); the package that builds it tests its names.
var catalogID = regexp.MustCompile(`\bM\("([^"]+)"`)

func TestEveryMessageIDInEveryLocale(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	err = filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".") && d.Name() != "..") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range catalogID.FindAllStringSubmatch(string(src), -1) {
			found++
			if strings.HasSuffix(m[1], ".") {
				continue
			}
			for _, lang := range c.langs {
				if !slices.Contains(c.ids[lang], m[1]) {
					t.Errorf("%s: message %q is not in %s.json", p, m[1], lang)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 50 {
		t.Fatalf("found %d message ids in the source; the scan is broken", found)
	}
}
