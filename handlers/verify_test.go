package handlers_test

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/contact"
	"github.com/bosang/bosang/handlers"
	"github.com/bosang/bosang/pii"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// identityEnv is the test server with one-time codes and partner keys
// wired as cmd/bosang wires them.
type identityEnv struct {
	*testEnv
	contacts *contact.Service
}

// newIdentityEnv serves with contacts and partner keys, each partner key
// limited to partnerLimit (the default when zero).
func newIdentityEnv(t *testing.T, db *store.DB, partnerLimit handlers.RateLimit) *identityEnv {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	sealer, err := pii.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	newID := func() string { return uuid.Must(uuid.NewV7()).String() }
	ie := &identityEnv{}
	ie.testEnv = newTestEnvWith(t, db, func(d *handlers.Deps) {
		ie.contacts = contact.NewService(db.Contacts(), sealer, contact.DeriveKey(key), d.Now, newID)
		d.Contacts = ie.contacts
		d.APIKeys = auth.NewAPIKeys(db.APIKeys(), d.Now, newID)
		d.PartnerRateLimit = partnerLimit
	})
	return ie
}

func eachIdentityEnv(t *testing.T, fn func(t *testing.T, e *identityEnv)) {
	t.Helper()
	dbtest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newIdentityEnv(t, db, handlers.RateLimit{})) })
}

// lastCode opens the newest code message of topic, checking that the
// outbox holds neither the code nor the address in the clear.
func (e *identityEnv) lastCode(t *testing.T, topic string) contact.Code {
	t.Helper()
	ms := outboxOf(t, e.db, topic, false)
	if len(ms) == 0 {
		t.Fatalf("no %s message in the outbox", topic)
	}
	m := ms[len(ms)-1]
	c, err := e.contacts.OpenMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.Payload, c.Code) || strings.Contains(m.Payload, c.To) {
		t.Fatalf("the outbox payload %s holds the code or the address in the clear", m.Payload)
	}
	return c
}

func otherCode(code string) string {
	if code == "999999" {
		return "999998"
	}
	return "999999"
}

// TestVerifyPhoneOverAPI: a claimant proves the phone with the code sent
// by SMS; GET /me shows it; a second code within the minute is 429 with
// Retry-After; a wrong code is 422 on field code; answers match the
// OpenAPI document.
func TestVerifyPhoneOverAPI(t *testing.T) {
	eachIdentityEnv(t, func(t *testing.T, e *identityEnv) {
		k := newContract(t, e.testEnv)
		pair := e.registerAndLogin(t, "kim@example.com")
		tok := bearer(pair.AccessToken)
		if me := k.exchange(t, e.testEnv, 200, reqValid, "GET", "/api/v1/me", nil, tok...).json(t); me["phone_verified"] != false || me["email_verified"] != false {
			t.Fatalf("before: got %v, want neither verified", me)
		}
		k.exchange(t, e.testEnv, 401, reqValid, "POST", "/api/v1/me/verify", map[string]string{"channel": "phone"})
		k.exchange(t, e.testEnv, 422, reqInvalid, "POST", "/api/v1/me/verify", map[string]string{"channel": "fax"}, tok...)
		sent := k.exchange(t, e.testEnv, 202, reqValid, "POST", "/api/v1/me/verify", map[string]string{"channel": "phone"}, tok...).json(t)
		if sent["to"] != "010-****-5678" {
			t.Fatalf("sent to %v, want the masked phone", sent["to"])
		}
		again := k.exchange(t, e.testEnv, 429, reqValid, "POST", "/api/v1/me/verify", map[string]string{"channel": "email"}, tok...)
		if again.header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
		c := e.lastCode(t, contact.TopicSMS)
		if c.To != "01012345678" {
			t.Fatalf("the SMS goes to %q, want the account's phone", c.To)
		}
		wrong := k.exchange(t, e.testEnv, 422, reqValid, "POST", "/api/v1/me/verify/confirm", map[string]string{"channel": "phone", "code": otherCode(c.Code)}, tok...)
		if wrong.errorCode(t) == "" || !strings.Contains(string(wrong.body), `"code"`) {
			t.Fatalf("wrong code: got %s, want an error on field code", wrong.body)
		}
		me := k.exchange(t, e.testEnv, 200, reqValid, "POST", "/api/v1/me/verify/confirm", map[string]string{"channel": "phone", "code": c.Code}, tok...).json(t)
		if me["phone_verified"] != true || me["email_verified"] != false {
			t.Fatalf("after the code: got %v, want the phone verified", me)
		}
		if me := e.call(t, "GET", "/api/v1/me", nil, tok...).json(t); me["phone_verified"] != true {
			t.Fatalf("GET /me: got %v, want phone_verified", me)
		}
		k.exchange(t, e.testEnv, 409, reqValid, "POST", "/api/v1/me/verify/confirm", map[string]string{"channel": "phone", "code": c.Code}, tok...)
	})
}

// TestVerifyPage: the no-JavaScript page sends a code, refuses a wrong
// one on the field, accepts the right one and says so; the account page
// links to it and shows the mark.
func TestVerifyPage(t *testing.T) {
	eachIdentityEnv(t, func(t *testing.T, e *identityEnv) {
		e.registerAndLogin(t, "lee@example.com")
		b := e.browser(t)
		e.loginForm(t, b, "lee@example.com")
		if p := getPage(t, e.testEnv, b, "/account", ""); !strings.Contains(p.body, `href="/account/verify"`) || !strings.Contains(p.body, `id="email-verified"`) {
			t.Fatalf("the account page does not link to the verify page: %d", p.status)
		}
		tok := formToken(t, b, e.srv.URL+"/account/verify?channel=email")
		p := postPage(t, e.testEnv, b, "/account/verify", url.Values{"csrf_token": {tok}, "channel": {"email"}})
		if p.status != http.StatusSeeOther || p.location != "/account/verify?channel=email&sent=1" {
			t.Fatalf("send: got %d to %q, want 303 to the code form", p.status, p.location)
		}
		if q := postPage(t, e.testEnv, b, "/account/verify", url.Values{"csrf_token": {tok}, "channel": {"email"}}); q.status != http.StatusTooManyRequests || !strings.Contains(q.body, `class="error" id="channel"`) {
			t.Fatalf("a second code at once: got %d, want 429 with the wait on the page", q.status)
		}
		c := e.lastCode(t, contact.TopicEmail)
		q := postPage(t, e.testEnv, b, "/account/verify/confirm", url.Values{"csrf_token": {tok}, "channel": {"email"}, "code": {otherCode(c.Code)}})
		if q.status != http.StatusUnprocessableEntity || !strings.Contains(q.body, `id="code-error"`) {
			t.Fatalf("wrong code: got %d, want 422 with the field's error", q.status)
		}
		q = postPage(t, e.testEnv, b, "/account/verify/confirm", url.Values{"csrf_token": {tok}, "channel": {"email"}, "code": {c.Code}})
		if q.status != http.StatusSeeOther || q.location != "/account/verify?channel=email&done=1" {
			t.Fatalf("right code: got %d to %q, want 303 to the success message", q.status, q.location)
		}
		if d := getPage(t, e.testEnv, b, q.location, "en"); !strings.Contains(d.body, "Your e-mail address is verified.") || !strings.Contains(d.body, `href="/account"`) {
			t.Fatalf("success page: %d, want the English message and the link back", d.status)
		}
		u, err := e.db.UserByEmail(context.Background(), "lee@example.com")
		if err != nil || u.EmailVerifiedAt == nil || u.PhoneVerifiedAt != nil {
			t.Fatalf("stored: e-mail verified %v, phone %v (%v); want the e-mail only", u.EmailVerifiedAt, u.PhoneVerifiedAt, err)
		}
	})
}
