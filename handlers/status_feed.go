package handlers

import (
	"encoding/xml"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/outage"
)

// feedSize is how many outages, newest first, the Atom feed carries.
const feedSize = 50

// atomFeed is an Atom 1.0 document (RFC 4287) of outages.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	ID        string   `xml:"id"`
	Title     string   `xml:"title"`
	Published string   `xml:"published"`
	Updated   string   `xml:"updated"`
	Link      atomLink `xml:"link"`
	Summary   atomText `xml:"summary"`
}

// statusFeed serves the newest outages as an Atom feed in the reader's
// language: one entry per outage, updated when it last changed.
func (s *server) statusFeed(c *gin.Context) {
	v := s.view(c, "status.feed.title")
	list, err := s.outages.List(c.Request.Context(), outage.Filter{Limit: feedSize})
	if err != nil {
		s.fail(c, err)
		return
	}
	base := strings.TrimSuffix(s.baseURL, "/")
	f := atomFeed{Lang: v.Lang, ID: base + "/status.atom", Title: v.Title, Author: atomPerson{Name: v.L.T("app.name")},
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: base + "/status.atom"}, {Rel: "alternate", Type: "text/html", Href: base + "/status"}}}
	var newest time.Time
	for _, o := range list {
		updated := lastChange(o)
		if updated.After(newest) {
			newest = updated
		}
		f.Entries = append(f.Entries, atomEntry{ID: base + "/outages/" + o.ID, Title: outageLabel(v.Lang, o),
			Published: o.StartedAt.UTC().Format(time.RFC3339), Updated: updated.UTC().Format(time.RFC3339),
			Link:    atomLink{Rel: "alternate", Type: "text/html", Href: base + "/outages/" + o.ID},
			Summary: atomText{Type: "text", Body: feedSummary(v, o)}})
	}
	if newest.IsZero() {
		newest = time.Unix(0, 0) // an empty feed still needs a fixed updated time
	}
	f.Updated = newest.UTC().Format(time.RFC3339)
	body, err := xml.MarshalIndent(f, "", " ")
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=60")
	c.Data(http.StatusOK, "application/atom+xml; charset=utf-8", append([]byte(xml.Header), body...))
}

// lastChange is when o last changed: its end, its last timeline entry or
// correction, else its start.
func lastChange(o *outage.View) time.Time {
	t := o.StartedAt
	if o.EndedAt != nil && o.EndedAt.After(t) {
		t = *o.EndedAt
	}
	for _, e := range o.Timeline {
		if e.At.After(t) {
			t = e.At
		}
	}
	for _, r := range o.Revisions {
		if r.At.After(t) {
			t = r.At
		}
	}
	return t
}

// feedSummary says whether o is ongoing or when it ended, and what
// happened.
func feedSummary(v *view, o *outage.View) string {
	state := v.L.T("status.ongoing")
	if !o.Ongoing {
		state = v.L.T("status.feed.ended", map[string]any{"At": kstText(o.EndedAt)})
	}
	return state + " · " + outage.FormatDuration(o.DurationSeconds, v.Lang) + ". " + o.Summary
}
