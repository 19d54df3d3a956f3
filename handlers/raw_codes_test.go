package handlers_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var (
	scriptOrStyle = regexp.MustCompile(`(?s)<(script|style)[^>]*>.*?</(script|style)>`)
	anyTag        = regexp.MustCompile(`<[^>]+>`)
	// rawCode is what leaks when a code or a JSON value is shown as it is
	// stored: snake_case words, dotted catalog ids, JSON arrays of strings.
	rawCode = regexp.MustCompile(`\b[a-z]+(_[a-z]+)+\b|\b[a-z]+\.[a-z_]+\.[a-z_.]+\b|\["[^"]*"`)
)

// visibleText is the text a reader sees on the page (tags, scripts and
// styles removed, entities decoded).
func visibleText(body string) string {
	body = scriptOrStyle.ReplaceAllString(body, " ")
	return html.UnescapeString(anyTag.ReplaceAllString(body, " "))
}

// wantNoRawCodes fails when the page shows a raw code to its reader.
func wantNoRawCodes(t *testing.T, what string, p page) {
	t.Helper()
	text := visibleText(p.body)
	for _, m := range rawCode.FindAllStringIndex(text, -1) {
		from, to := max(0, m[0]-60), min(len(text), m[1]+60)
		t.Errorf("%s shows the raw code %q: …%s…", what, text[m[0]:m[1]], strings.Join(strings.Fields(text[from:to]), " "))
	}
}

func TestClaimantPagesShowNoRawCodes(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		closedID, _ := closedOutage(t, e, f)
		anon := e.browser(t)
		alice := loginBrowser(t, e, "alice@example.com")
		_, tok, key := claimForm(t, e, alice, "")
		filed := postMultipart(t, e, alice, "/claims/new", paidSubscriberFields(tok, key, f.outageID), &formFile{"file", "bill.png", pngBytes(200)}, "")
		_, tok, key = claimForm(t, e, alice, "")
		bad := postMultipart(t, e, alice, "/claims/new", [][2]string{{"csrf_token", tok}, {"form_key", key}, {"category", "merchant"}}, nil, "")
		for _, lang := range []string{"ko", "en"} {
			for _, path := range []string{"/", "/status", "/eligibility?service=taxi&role=driver&at=2022-10-15T18:00", "/outages/" + closedID, "/outages/" + f.outageID} {
				wantNoRawCodes(t, lang+" "+path, getPage(t, e, anon, path, lang))
			}
			for _, path := range []string{"/", "/claims", "/claims/new", filed.location, "/account", "/account/profiles"} {
				wantNoRawCodes(t, lang+" "+path+" (claimant)", getPage(t, e, alice, path, lang))
			}
		}
		wantNoRawCodes(t, "the claim form with errors", bad)
		// Hours the schedule refuses: said in words, not as the stored JSON.
		hours := postPage(t, e, alice, "/account/profiles/merchant", url.Values{"csrf_token": {tok}, "business_number": {"120-81-47521"},
			"business_name": {"소담 카페"}, "open.mon": {"09:00"}, "close.mon": {"99:99"}})
		if hours.status != 422 || !strings.Contains(hours.body, "예: 09:00~21:00") {
			t.Errorf("bad opening hours: got %d, want 422 with the hours explained in words", hours.status)
		}
		wantNoRawCodes(t, "the profile page with bad hours", hours)
	})
}

func TestLanguageSwitchKeepsTheQuery(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		newPagesFixture(t, e)
		b := e.browser(t)
		const here = "/eligibility?service=pay&role=user&at=2022-10-15T18:00"
		p := getPage(t, e, b, here, "")
		m := regexp.MustCompile(`href="(/lang/en\?next=[^"]+)" id="lang-switch"`).FindStringSubmatch(p.body)
		if m == nil {
			t.Fatal("no language switch on the page")
		}
		sw := getPage(t, e, b, html.UnescapeString(m[1]), "")
		if sw.status != 303 || sw.location != here {
			t.Fatalf("the switch: got %d to %q, want 303 to %q", sw.status, sw.location, here)
		}
		if en := getPage(t, e, b, sw.location, ""); !strings.Contains(en.body, `lang="en"`) || !strings.Contains(en.body, `value="pay" selected`) {
			t.Error("after the switch the page is not in English with the same answers")
		}
	})
}
