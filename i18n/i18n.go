package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/bosang/bosang/web"
)

// Languages Bosang speaks, the default first.
var Languages = []string{"ko", "en"}

var matcher = language.NewMatcher([]language.Tag{language.Korean, language.English})

// Catalog holds every message in every language.
type Catalog struct {
	bundle *goi18n.Bundle
	ids    map[string][]string // language -> message ids, for the completeness check
}

// Load reads the embedded catalogs. It fails when a catalog is unreadable or
// when a message exists in one language but not the other.
func Load() (*Catalog, error) {
	b := goi18n.NewBundle(language.Korean)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	c := &Catalog{bundle: b, ids: map[string][]string{}}
	for _, lang := range Languages {
		data, err := fs.ReadFile(web.Locales, "locales/"+lang+".json")
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
	for lang, ids := range c.ids {
		for _, other := range Languages {
			for _, id := range ids {
				if !seen[other][id] {
					return fmt.Errorf("message %q is in %s but not in %s", id, lang, other)
				}
			}
		}
	}
	return nil
}

// Negotiate picks "ko" or "en" from an explicit choice (cookie or query)
// and then the Accept-Language header; Korean when nothing matches.
func Negotiate(choice, acceptLanguage string) string {
	for _, l := range Languages {
		if choice == l {
			return l
		}
	}
	if acceptLanguage == "" {
		return "ko"
	}
	tags, _, _ := language.ParseAcceptLanguage(acceptLanguage)
	if len(tags) == 0 {
		return "ko"
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return "ko"
	}
	return Languages[i]
}

// Localizer translates for one language.
type Localizer struct {
	lang string
	l    *goi18n.Localizer
}

// For returns a Localizer for lang ("ko" or "en").
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
