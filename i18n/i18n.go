package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/web"
)

// Default is the language of last resort, listed first in Languages.
const Default = "ko"

// Languages Bosang speaks, the default first: one per locale file in
// web/locales, so a new file is a new language.
var Languages = mustLanguages(web.Locales)

var defaultNegotiator = newNegotiator(Languages)

// languages lists the <lang>.json files of fsys's locales directory, the
// default first and the others sorted.
func languages(fsys fs.FS) ([]string, error) {
	entries, err := fs.ReadDir(fsys, "locales")
	if err != nil {
		return nil, err
	}
	var langs []string
	for _, e := range entries {
		lang, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.IsDir() {
			continue
		}
		if _, err := language.Parse(lang); err != nil {
			return nil, fmt.Errorf("locale file %s: %w", e.Name(), err)
		}
		if lang != Default {
			langs = append(langs, lang)
		}
	}
	if _, err := fs.Stat(fsys, "locales/"+Default+".json"); err != nil {
		return nil, fmt.Errorf("the default locale: %w", err)
	}
	slices.Sort(langs)
	return append([]string{Default}, langs...), nil
}

func mustLanguages(fsys fs.FS) []string {
	langs, err := languages(fsys)
	if err != nil {
		panic(err)
	}
	return langs
}

// Catalog holds every message in every language.
type Catalog struct {
	bundle *goi18n.Bundle
	langs  []string
	neg    negotiator
	ids    map[string][]string // language -> message ids, for the completeness check
	loc    map[string]*Localizer
}

// Load reads the embedded catalogs and makes them the catalog apperr
// messages resolve through (apperr.SetCatalog). It fails when a catalog is
// unreadable or when a message exists in one language but not in another.
func Load() (*Catalog, error) {
	c, err := load(web.Locales)
	if err != nil {
		return nil, err
	}
	apperr.SetCatalog(c.resolve)
	return c, nil
}

// load reads locales/<lang>.json for every language fsys holds.
func load(fsys fs.FS) (*Catalog, error) {
	langs, err := languages(fsys)
	if err != nil {
		return nil, err
	}
	b := goi18n.NewBundle(language.Korean)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	c := &Catalog{bundle: b, langs: langs, neg: newNegotiator(langs), ids: map[string][]string{}, loc: map[string]*Localizer{}}
	for _, lang := range langs {
		data, err := fs.ReadFile(fsys, path.Join("locales", lang+".json"))
		if err != nil {
			return nil, err
		}
		mf, err := b.ParseMessageFileBytes(data, lang+".json")
		if err != nil {
			return nil, fmt.Errorf("catalog %s: %w", lang, err)
		}
		for _, m := range mf.Messages {
			c.ids[lang] = append(c.ids[lang], m.ID)
		}
	}
	for _, lang := range langs {
		c.loc[lang] = &Localizer{lang: lang, l: goi18n.NewLocalizer(b, lang)}
	}
	return c, c.complete()
}

func (c *Catalog) complete() error {
	seen := map[string]map[string]bool{}
	for lang, ids := range c.ids {
		seen[lang] = map[string]bool{}
		for _, id := range ids {
			seen[lang][id] = true
		}
	}
	for _, lang := range c.langs {
		for _, other := range c.langs {
			for _, id := range c.ids[lang] {
				if !seen[other][id] {
					return fmt.Errorf("message %q is in %s but not in %s", id, lang, other)
				}
			}
		}
	}
	return nil
}

// resolve is the catalog as apperr sees it; a language the catalog lacks
// reads the default.
func (c *Catalog) resolve(lang, id string, data map[string]any) (string, bool) {
	l, ok := c.loc[lang]
	if !ok {
		l = c.loc[Default]
	}
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	if data != nil {
		cfg.TemplateData = data
	}
	s, err := l.l.Localize(cfg)
	return s, err == nil
}

// negotiator picks one of its languages from a request.
type negotiator struct {
	langs   []string
	matcher language.Matcher
}

func newNegotiator(langs []string) negotiator {
	tags := make([]language.Tag, len(langs))
	for i, l := range langs {
		tags[i] = language.Make(l)
	}
	return negotiator{langs: langs, matcher: language.NewMatcher(tags)}
}

func (n negotiator) negotiate(choice, acceptLanguage string) string {
	if slices.Contains(n.langs, choice) {
		return choice
	}
	if acceptLanguage == "" {
		return Default
	}
	tags, _, _ := language.ParseAcceptLanguage(acceptLanguage)
	if len(tags) == 0 {
		return Default
	}
	_, i, conf := n.matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return n.langs[i]
}

// Negotiate picks one of Languages from an explicit choice (cookie or
// query) and then the Accept-Language header; Korean when nothing matches.
func Negotiate(choice, acceptLanguage string) string {
	return defaultNegotiator.negotiate(choice, acceptLanguage)
}

// Localizer translates for one language.
type Localizer struct {
	lang string
	l    *goi18n.Localizer
}

// For returns a Localizer for lang, one of the catalog's languages; any
// other reads the default.
func (c *Catalog) For(lang string) *Localizer {
	return &Localizer{lang: lang, l: goi18n.NewLocalizer(c.bundle, lang)}
}

// Lang is the Localizer's language code.
func (l *Localizer) Lang() string { return l.lang }

// T returns the message id filled with data (a map for {{.Name}}
// placeholders). A missing id returns the id itself, so a gap shows on the
// page instead of breaking it; the catalog test keeps ids complete.
func (l *Localizer) T(id string, data ...any) string {
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	if len(data) > 0 {
		cfg.TemplateData = data[0]
	}
	s, err := l.l.Localize(cfg)
	if err != nil {
		return id
	}
	return s
}
