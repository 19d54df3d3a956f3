package handlers_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var (
	errorSummaryBlock = regexp.MustCompile(`(?s)<div class="error-summary" id="error-summary"[^>]*>(.*?)</div>`)
	errorSummaryLink  = regexp.MustCompile(`<li><a href="#([^"]+)">([^<]*)</a></li>`)
	pageTitle         = regexp.MustCompile(`<title>([^<]*)</title>`)
)

// errorSummary returns the anchors the page's error summary links to, in
// order, and fails unless every anchor names an element on the page.
func errorSummary(t *testing.T, p page) []string {
	t.Helper()
	m := errorSummaryBlock.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no error summary on the page:\n%.3000s", p.body)
	}
	var anchors []string
	for _, l := range errorSummaryLink.FindAllStringSubmatch(m[1], -1) {
		if strings.TrimSpace(l[2]) == "" {
			t.Errorf("the summary link to #%s has no text", l[1])
		}
		if !strings.Contains(p.body, `id="`+l[1]+`"`) {
			t.Errorf("the summary links to #%s, which is not on the page", l[1])
		}
		anchors = append(anchors, l[1])
	}
	return anchors
}

func titleOf(t *testing.T, p page) string {
	t.Helper()
	m := pageTitle.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatal("the page has no title")
	}
	return html.UnescapeString(m[1])
}

func TestClaimFormErrorSummaryListsEveryError(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		alice := loginBrowser(t, e, "alice@example.com")
		blank, tok, key := claimForm(t, e, alice, "")
		if strings.Contains(blank.body, "error-summary") || strings.HasPrefix(titleOf(t, blank), "오류:") {
			t.Fatal("a fresh form shows an error summary or an error title")
		}
		// The empty form: every field at fault is reported at once.
		p := postMultipart(t, e, alice, "/claims/new", [][2]string{{"csrf_token", tok}, {"form_key", key}}, nil, "")
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("empty form: got %d, want 422", p.status)
		}
		got := strings.Join(errorSummary(t, p), " ")
		if want := "step-outage step-category monetary-yes description consent"; got != want {
			t.Errorf("empty form summary links: got %q, want %q", got, want)
		}
		if title := titleOf(t, p); !strings.HasPrefix(title, "오류: ") {
			t.Errorf("title: got %q, want it to start with 오류:", title)
		}
		// Claiming money with a half-filled account: the account fields join
		// the others, and what was typed stays, the account number included.
		fields := [][2]string{{"csrf_token", tok}, {"form_key", key}, {"outage_id", f.outageID}, {"monetary", "yes"},
			{"description", "택시 호출을 받지 못했습니다"}, {"claimed_amount_krw", "12x"}, {"payout_account.number", testAccount},
			{"evidence_kind", "billing"}}
		p = postMultipart(t, e, alice, "/claims/new", fields, &formFile{field: "file", name: "bill.pdf", content: []byte("%PDF-1.4\n")}, "")
		got = strings.Join(errorSummary(t, p), " ")
		if want := "step-category claimed-amount payout-bank payout-holder consent"; got != want {
			t.Errorf("half-filled form summary links: got %q, want %q", got, want)
		}
		for _, kept := range []string{`value="` + testAccount + `"`, `value="12x"`, "택시 호출을 받지 못했습니다</textarea>", `id="outage-` + f.outageID + `" name="outage_id" value="` + f.outageID + `" checked`} {
			if !strings.Contains(p.body, kept) {
				t.Errorf("the form lost a typed value: no %s", kept)
			}
		}
		if !strings.Contains(p.body, `id="evidence-file-error" class="error">보안상 첨부 파일은 다시 선택해야`) {
			t.Error("the file input does not say the file must be chosen again")
		}
	})
}

func TestClaimFormErrorSummaryInEnglish(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		newClaimFixture(t, e)
		alice := loginBrowser(t, e, "alice@example.com")
		_, tok, key := claimForm(t, e, alice, "")
		u, _ := url.Parse(e.srv.URL)
		alice.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "en"}})
		p := postMultipart(t, e, alice, "/claims/new", [][2]string{{"csrf_token", tok}, {"form_key", key}, {"monetary", "no"}}, nil, "")
		if title := titleOf(t, p); !strings.HasPrefix(title, "Error: ") {
			t.Errorf("title: got %q, want it to start with Error:", title)
		}
		if !strings.Contains(p.body, "There is a problem") || !strings.Contains(p.body, `<a href="#consent">You must consent`) {
			t.Errorf("the English summary lacks its heading or the consent link:\n%.3000s", p.body)
		}
	})
}

func TestEligibilityErrorSummary(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		newPagesFixture(t, e)
		b := e.browser(t)
		if p := getPage(t, e, b, "/eligibility", ""); p.status != http.StatusOK || strings.Contains(p.body, "error-summary") {
			t.Fatalf("the blank checker: got %d or an error summary", p.status)
		}
		// Submitted empty (no role chosen sends no role at all).
		p := getPage(t, e, b, "/eligibility?service=&at=", "")
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("empty checker: got %d, want 422", p.status)
		}
		if got, want := strings.Join(errorSummary(t, p), " "), "elig-service elig-role elig-at"; got != want {
			t.Errorf("summary links: got %q, want %q", got, want)
		}
		if title := titleOf(t, p); !strings.HasPrefix(title, "오류: ") {
			t.Errorf("title: got %q, want it to start with 오류:", title)
		}
		// A bad time with a good service and role: only the time, and the
		// other answers kept.
		p = getPage(t, e, b, "/eligibility?service=pay&role=user&at=yesterday", "")
		if got := strings.Join(errorSummary(t, p), " "); got != "elig-at" {
			t.Errorf("bad time: got links %q, want elig-at", got)
		}
		if !strings.Contains(p.body, `value="pay" selected`) || !strings.Contains(p.body, `value="user" checked`) || !strings.Contains(p.body, `value="yesterday"`) {
			t.Error("the checker lost the answers given")
		}
	})
}
