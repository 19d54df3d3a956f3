package handlers_test

import (
	"bytes"
	"net/http"
	"net/url"
	"testing"

	"github.com/bosang/bosang/handlers"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestCSRFKeyRotation: after the form-token key is rotated, a form rendered
// under the old key still posts while the old key is listed as previous,
// and is refused once it is dropped.
func TestCSRFKeyRotation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		oldKey, newKey := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
		before := newTestEnvWith(t, db, func(d *handlers.Deps) { d.CSRFKey = oldKey })
		b := before.browser(t)
		token := formToken(t, b, before.srv.URL+"/login")
		post := func(e *testEnv) int {
			t.Helper()
			// The same browser (cookie jar) against another server instance:
			// the seed cookie goes to any test server on this host.
			req, _ := http.NewRequest("POST", e.srv.URL+"/login", bytes.NewBufferString(url.Values{"csrf_token": {token},
				"email": {"nobody@example.com"}, "password": {"wrong password"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			u, _ := url.Parse(before.srv.URL)
			for _, c := range b.Jar.Cookies(u) {
				req.AddCookie(c)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		rotated := newTestEnvWith(t, db, func(d *handlers.Deps) { d.CSRFKey, d.CSRFPreviousKeys = newKey, [][]byte{oldKey} })
		if got := post(rotated); got == http.StatusForbidden {
			t.Errorf("old form token with the old key listed as previous: got 403, want the login form's answer")
		}
		dropped := newTestEnvWith(t, db, func(d *handlers.Deps) { d.CSRFKey = newKey })
		if got := post(dropped); got != http.StatusForbidden {
			t.Errorf("old form token after the old key is dropped: got %d, want 403", got)
		}
	})
}
