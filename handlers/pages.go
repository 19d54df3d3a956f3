package handlers

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/estimate"
	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/web"
)

// pageNames lists every page; loadPages fails at start-up if one is missing.
var pageNames = []string{"home", "register", "login", "login_mfa", "login_recovery", "account", "error",
	"status", "outage", "eligibility", "ops", "outage_form", "notice_draft",
	"claims", "claim_new", "claim", "profiles", "dashboard",
	"review_queue", "review_claim", "review_search", "payouts", "payout_batch", "audit"}

type pages struct{ byName map[string]*template.Template }

// fieldView is what the "field" template renders: one labelled input.
type fieldView struct {
	ID, Name, Type, Label, Value, Error, Hint, Auto string
	Required                                        bool
}

var funcs = template.FuncMap{
	"field": func(name, typ, label, value, errMsg, hint, auto string) fieldView {
		return fieldView{ID: name, Name: name, Type: typ, Label: label, Value: value, Error: errMsg, Hint: hint, Auto: auto, Required: true}
	},
	// kst shows a time.Time or *time.Time in Korea Standard Time; nil is "".
	"kst": kstText,
	// dur shows whole seconds as "10시간 1분" or "10h 1m" for lang.
	"dur": func(seconds int64, lang string) string { return outage.FormatDuration(seconds, lang) },
	// krw shows won as "₩1,234,000".
	"krw": estimate.FormatKRW,
	// changeList hands the "changes" template its localizer and changes.
	"changeList": func(l *i18n.Localizer, changes []fieldChange) changeListView {
		return changeListView{L: l, Changes: changes}
	},
}

// changeListView is what the "changes" template renders.
type changeListView struct {
	L       *i18n.Localizer
	Changes []fieldChange
}

func loadPages() (*pages, error) {
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(web.Templates, "templates/layout.html", "templates/claim_parts.html", "templates/changes.html", "templates/offer_ledger.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("page %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// view is the data every page template gets.
type view struct {
	L      *i18n.Localizer
	Lang   string
	Title  string
	Path   string
	User   *models.User
	CSRF   string
	Form   map[string]string
	Errors map[string]string
	Flash  string
	Data   any
	// page is the template being rendered, for ErrorSummary's anchors.
	page string
	// Here is the path with its query, where the language switch returns.
	Here string
}

func (s *server) view(c *gin.Context, titleID string) *view {
	lang := s.lang(c)
	l := s.catalog.For(lang)
	return &view{L: l, Lang: lang, Title: l.T(titleID), Path: c.Request.URL.Path, Here: c.Request.URL.RequestURI(), User: currentUser(c),
		CSRF: s.csrfToken(c), Form: map[string]string{}, Errors: map[string]string{}}
}

// render executes a page into a buffer first, so a template error becomes a
// clean 500 page instead of half a document.
func (s *server) render(c *gin.Context, status int, name string, v *view) {
	var buf bytes.Buffer
	v.page = name
	if err := s.pages.byName[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.ErrorContext(c.Request.Context(), "render page", "page", name, "request_id", requestID(c), "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("internal error "+requestID(c)))
		c.Abort()
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

type errorView struct {
	Status    int
	Message   string
	RequestID string
}

func (s *server) errorPage(c *gin.Context, status int) {
	v := s.view(c, "error.title")
	v.Data = errorView{Status: status, Message: v.L.T(fmt.Sprintf("error.%d", status)), RequestID: requestID(c)}
	s.render(c, status, "error", v)
	c.Abort()
}
