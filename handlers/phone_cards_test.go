package handlers_test

import (
	"regexp"
	"strings"
	"testing"
)

var (
	cardTable = regexp.MustCompile(`(?s)<table id="([^"]+)"[^>]*class="cards"[^>]*>(.*?)</table>`)
	tdOpen    = regexp.MustCompile(`<td[^>]*>`)
)

// wantCards fails unless the page's table id is a card table on a phone:
// class "cards", with every cell of its body labelled by data-label.
func wantCards(t *testing.T, p page, id string) {
	t.Helper()
	for _, m := range cardTable.FindAllStringSubmatch(p.body, -1) {
		if m[1] != id {
			continue
		}
		_, body, _ := strings.Cut(m[2], "<tbody>")
		cells := tdOpen.FindAllString(body, -1)
		if len(cells) == 0 {
			t.Errorf("table %s has no cells", id)
		}
		for _, c := range cells {
			if !strings.Contains(c, `data-label="`) || strings.Contains(c, `data-label=""`) {
				t.Errorf("table %s: cell %s has no data-label", id, c)
			}
		}
		return
	}
	t.Errorf("no card table %s on the page", id)
}

func TestClaimantTablesBecomeCardsOnAPhone(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		closedOutage(t, e, f)
		anon := e.browser(t)
		wantCards(t, getPage(t, e, anon, "/status", ""), "history-outages")
		wantCards(t, getPage(t, e, anon, "/status", "en"), "history-outages")

		alice := loginBrowser(t, e, "alice@example.com")
		_, tok, key := claimForm(t, e, alice, "")
		filed := postMultipart(t, e, alice, "/claims/new", paidSubscriberFields(tok, key, f.outageID), &formFile{"file", "bill.png", pngBytes(200)}, "")
		wantCards(t, getPage(t, e, alice, "/claims", ""), "claims")
		claim := getPage(t, e, alice, claimURLOf(filed), "")
		wantCards(t, claim, "evidence-list")
		if !strings.Contains(claim.body, `<table id="claim-summary" class="kv">`) {
			t.Error("the claim summary does not stack on a phone")
		}
		if !regexp.MustCompile(`<td class="nowrap">[^<]*KST</td>`).MatchString(claim.body) {
			t.Error("the filing time may wrap mid-value")
		}
	})
}
