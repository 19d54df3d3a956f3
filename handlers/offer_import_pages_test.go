package handlers_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var importURL = regexp.MustCompile(`^/imports/([0-9a-f-]{36})$`)

// TestImportPages: a supervisor uploads an account file through the form,
// follows its progress page to the end (rows, offers, the rejected rows
// with line and column, in the page's language), and downloads the credit
// file once a reason is given; a claimant gets no import page.
func TestImportPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newImportFixture(t, e)
		sup := loginBrowser(t, e, "sup@example.com")
		form := getPage(t, e, sup, "/imports?outage_id="+f.kakaoT, "")
		if form.status != http.StatusOK || !strings.Contains(form.body, `id="import-form"`) || !strings.Contains(form.body, `value="`+f.kakaoT+`" selected`) {
			t.Fatalf("import form: got %d\n%s", form.status, form.body)
		}
		tok := formToken(t, sup, e.srv.URL+"/imports")

		// No file: the form comes back with the field's error.
		p := postMultipart(t, e, sup, "/imports", [][2]string{{"csrf_token", tok}, {"outage_id", f.kakaoT}}, nil, "")
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="import-file-error"`) {
			t.Fatalf("no file: got %d\n%s", p.status, p.body)
		}
		p = postMultipart(t, e, sup, "/imports", [][2]string{{"csrf_token", tok}, {"outage_id", f.kakaoT}, {"acceptance_days", "0"}},
			&formFile{field: "file", name: "affected.csv", content: []byte(mixedAccounts)}, "")
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="import-days-error"`) {
			t.Fatalf("zero acceptance days: got %d\n%s", p.status, p.body)
		}

		p = postMultipart(t, e, sup, "/imports", [][2]string{{"csrf_token", tok}, {"outage_id", f.kakaoT}, {"acceptance_days", "30"}},
			&formFile{field: "file", name: "affected.csv", content: []byte(mixedAccounts)}, "")
		m := importURL.FindStringSubmatch(p.location)
		if p.status != http.StatusSeeOther || m == nil {
			t.Fatalf("upload: got %d %q\n%s", p.status, p.location, p.body)
		}
		queued := getPage(t, e, sup, p.location, "en")
		if !strings.Contains(queued.body, `data-status="queued"`) || !strings.Contains(queued.body, `hx-trigger="every 2s"`) ||
			!strings.Contains(queued.body, `id="import-cancel"`) {
			t.Fatalf("a queued import's page neither polls nor offers to cancel:\n%s", queued.body)
		}

		runImports(t, e, e.offers)
		done := getPage(t, e, sup, p.location, "en")
		for _, want := range []string{`data-status="done"`, `id="import-rows">5<`, `id="import-accepted">3<`, `id="import-rejected">2<`,
			`id="import-offers">3<`, `id="import-percent">100%<`, "<th scope=\"row\">5</th><td>2</td>", "<th scope=\"row\">6</th><td>4</td>"} {
			if !strings.Contains(done.body, want) {
				t.Errorf("the finished import's page lacks %q", want)
			}
		}
		if strings.Contains(done.body, "hx-trigger") || strings.Contains(done.body, `id="import-cancel"`) {
			t.Error("a finished import's page still polls or offers to cancel")
		}
		if errs := between(t, done.body, `id="import-errors"`, "</table>"); !isEnglish(errs) {
			t.Errorf("the English page shows the rejected rows in Korean:\n%s", errs)
		}

		noReason := getPage(t, e, sup, "/imports/credits?outage_id="+f.kakaoT+"&reason=", "")
		if noReason.status != http.StatusUnprocessableEntity || !strings.Contains(noReason.body, `id="credits-reason-error"`) {
			t.Fatalf("credit file without a reason: got %d\n%s", noReason.status, noReason.body)
		}
		credits := getPage(t, e, sup, "/imports/credits?outage_id="+f.kakaoT+"&reason=billing+run", "")
		if credits.status != http.StatusOK || !strings.Contains(credits.body, "FREE-1,free_user") || strings.Contains(credits.body, "PRO-1") {
			t.Fatalf("credit file: got %d\n%s", credits.status, credits.body)
		}

		claimant := loginBrowser(t, e, "alice@example.com")
		if r := getPage(t, e, claimant, "/imports", ""); r.status != http.StatusForbidden && r.status != http.StatusNotFound {
			t.Fatalf("a claimant's import page: got %d, want 403 or 404", r.status)
		}
	})
}

// isEnglish reports whether s holds no Hangul.
func isEnglish(s string) bool {
	for _, r := range s {
		if r >= 0xAC00 && r <= 0xD7A3 {
			return false
		}
	}
	return true
}
