package handlers_test

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"
)

// ongoingOutage records a taxi outage that started an hour ago and is not
// over, and returns its id.
func ongoingOutage(t *testing.T, f *claimFixture) string {
	t.Helper()
	r := f.create(t, map[string]any{"service_id": "taxi", "features": []string{"designated"},
		"started_at": f.e.now().Add(-time.Hour).Truncate(time.Second).Format(time.RFC3339), "cause": "overload", "summary": "대리 호출 지연"})
	if r.status != http.StatusCreated {
		t.Fatalf("create ongoing outage: %d %s", r.status, r.body)
	}
	return r.json(t)["id"].(string)
}

func TestHomeShowsOngoingOutagesFirstAndTheClaimantsClaims(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		anon := e.browser(t)
		calm := getPage(t, e, anon, "/", "")
		if !strings.Contains(calm.body, "현재 진행 중인 장애가 없습니다.") || strings.Contains(calm.body, `id="ongoing"`) {
			t.Errorf("home without outages: want the calm banner and no ongoing list")
		}
		ongoing := ongoingOutage(t, f)
		p := getPage(t, e, anon, "/", "")
		banner, list, about := strings.Index(p.body, `id="status-banner"`), strings.Index(p.body, `id="ongoing"`), strings.Index(p.body, `id="about-title"`)
		if banner < 0 || list < banner || about < list {
			t.Fatalf("home: want the banner, then the ongoing outages, then the rest (at %d, %d, %d)", banner, list, about)
		}
		if !strings.Contains(p.body, "현재 진행 중인 장애가 1건 있습니다.") || !strings.Contains(p.body, `href="/claims/new?outage=`+ongoing+`" role="button" class="claim-link">보상 청구하기`) {
			t.Errorf("home: want the alert banner and a claim link for the ongoing outage\n%.3000s", p.body)
		}
		if strings.Contains(p.body, "/claims/new?outage="+f.outageID) {
			t.Error("home lists an outage that is over as ongoing")
		}
		st := getPage(t, e, anon, "/status", "en")
		if !strings.Contains(st.body, "1 outage(s) going on right now.") || !strings.Contains(st.body, `href="/claims/new?outage=`+ongoing+`" class="claim-link">Claim compensation`) {
			t.Error("status: want the banner and the claim link for the ongoing outage")
		}
		if strings.Contains(p.body, `id="my-claims"`) {
			t.Error("an anonymous home shows a claims section")
		}

		// A claimant's home lists their claims, newest first.
		alice := loginBrowser(t, e, "alice@example.com")
		if p := getPage(t, e, alice, "/", ""); !strings.Contains(p.body, `id="my-claims-none"`) {
			t.Error("a claimant without claims is not told so on the home page")
		}
		_, tok, key := claimForm(t, e, alice, "")
		filed := postMultipart(t, e, alice, "/claims/new", paidSubscriberFields(tok, key, f.outageID), nil, "")
		home := getPage(t, e, alice, "/", "")
		if !strings.Contains(home.body, `<a href="`+claimURLOf(filed)+`" class="nowrap">BS-`) {
			t.Errorf("the claimant's home does not list the claim just filed\n%.3000s", home.body)
		}
	})
}

// atomDoc is what a feed reader needs of an Atom feed.
type atomDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Summary string `xml:"summary"`
	} `xml:"entry"`
}

func TestStatusAtomFeed(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		ongoing := ongoingOutage(t, f)
		anon := e.browser(t)
		home := getPage(t, e, anon, "/", "")
		if !strings.Contains(home.body, `<link rel="alternate" type="application/atom+xml" href="/status.atom"`) {
			t.Error("pages do not link the feed with <link rel=alternate>")
		}
		resp, err := anon.Get(e.srv.URL + "/status.atom")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || !strings.HasPrefix(ct, "application/atom+xml") {
			t.Fatalf("feed: got %d %q, want 200 application/atom+xml", resp.StatusCode, ct)
		}
		var doc atomDoc
		if err := xml.NewDecoder(resp.Body).Decode(&doc); err != nil {
			t.Fatalf("the feed does not parse: %v", err)
		}
		if doc.ID == "" || doc.Title == "" || len(doc.Entries) != 2 {
			t.Fatalf("feed: id %q, title %q, %d entries; want both and 2 entries", doc.ID, doc.Title, len(doc.Entries))
		}
		if _, err := time.Parse(time.RFC3339, doc.Updated); err != nil {
			t.Errorf("feed updated %q is not RFC 3339", doc.Updated)
		}
		var self bool
		for _, l := range doc.Links {
			self = self || l.Rel == "self" && strings.HasSuffix(l.Href, "/status.atom")
		}
		if !self {
			t.Error("the feed has no self link")
		}
		seen := map[string]bool{}
		for _, en := range doc.Entries {
			if _, err := time.Parse(time.RFC3339, en.Updated); err != nil || en.Title == "" || en.Link.Href != en.ID || !strings.Contains(en.ID, "/outages/") {
				t.Errorf("entry %+v: want a title, an RFC 3339 updated and a link to the outage", en)
			}
			seen[en.ID[strings.LastIndex(en.ID, "/")+1:]] = true
			if strings.Contains(en.ID, ongoing) && !strings.Contains(en.Summary, "진행 중") {
				t.Errorf("the ongoing outage's entry does not say it is ongoing: %q", en.Summary)
			}
		}
		if !seen[ongoing] || !seen[f.outageID] {
			t.Errorf("feed entries %v, want both outages", seen)
		}
	})
}
