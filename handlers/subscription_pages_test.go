package handlers_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bosang/bosang/handlers"
	"github.com/bosang/bosang/notify"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/store/dbtest"
)

var subscribeNotice = regexp.MustCompile(`<p role="status" id="subscribe-notice">([^<]+)</p>`)

// subscribe posts the outage page's form as an anonymous visitor.
func subscribe(t *testing.T, e *testEnv, outageID, email string) page {
	t.Helper()
	b := e.browser(t)
	path := "/outages/" + outageID
	return postPage(t, e, b, path+"/subscribe", url.Values{"csrf_token": {formToken(t, b, e.srv.URL+path)}, "subscribe-email": {email}})
}

// subscriptionMails reads the mails of topic queued so far, as the e-mail's
// text (notify.SubscriptionText) has them: address, subject and body.
type sentMail struct{ to, subject, body, token string }

func subscriptionMails(t *testing.T, e *testEnv, topic string) []sentMail {
	t.Helper()
	var out []sentMail
	for _, m := range outboxOf(t, e.db, topic, false) {
		mail, to, err := notify.SubscriptionText(context.Background(), m, "https://bosang.example", e.outages.OpenMail)
		if err != nil {
			t.Fatal(err)
		}
		link := regexp.MustCompile(`https://bosang\.example/subscriptions\?token=([A-Za-z0-9_%-]+)`).FindStringSubmatch(mail.Body)
		if link == nil {
			t.Fatalf("mail without a link:\n%s", mail.Body)
		}
		token, _ := url.QueryUnescape(link[1])
		if strings.Contains(m.Payload, token) || strings.Contains(m.Payload, to) {
			t.Fatal("the outbox holds the token or the address in the clear")
		}
		out = append(out, sentMail{to: to, subject: mail.Subject, body: mail.Body, token: token})
	}
	return out
}

// runFanouts runs every queued fan-out job through the handler the
// job runner routes outage.TopicFanout to.
func runFanouts(t *testing.T, e *testEnv) {
	t.Helper()
	for _, m := range outboxOf(t, e.db, outage.TopicFanout, false) {
		if err := e.outages.RunFanout(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
}

func postSubscription(t *testing.T, e *testEnv, action, token string) page {
	t.Helper()
	b := e.browser(t)
	return postPage(t, e, b, "/subscriptions/"+action, url.Values{"csrf_token": {formToken(t, b, e.srv.URL+"/subscriptions?token="+url.QueryEscape(token))}, "token": {token}})
}

// TestOutageSubscription: the outage page's form answers alike for a new
// and an already subscribed address and mails a confirmation only once;
// updates go only to confirmed subscribers, once each even when the
// fan-out job runs twice; a token acts on its own subscription only; the
// link page changes nothing on GET; unsubscribing stops the mail.
func TestOutageSubscription(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		f := newClaimFixture(t, e)
		id := f.outageID
		first, again := subscribe(t, e, id, "Lee@Example.kr"), subscribe(t, e, id, "lee@example.kr")
		if first.status != http.StatusOK || again.status != first.status || subscribeNotice.FindString(first.body) == "" ||
			subscribeNotice.FindString(first.body) != subscribeNotice.FindString(again.body) {
			t.Fatalf("subscribe: new %d, again %d; want 200 and the same notice", first.status, again.status)
		}
		if bad := subscribe(t, e, id, "not-an-address"); bad.status != http.StatusUnprocessableEntity && bad.status != http.StatusBadRequest {
			t.Errorf("a malformed address: %d", bad.status)
		}
		subscribe(t, e, id, "park@example.kr")
		subscribe(t, e, id, "choi@example.kr")
		confirms := subscriptionMails(t, e, outage.TopicSubscribeConfirm)
		if len(confirms) != 3 || confirms[0].to != "lee@example.kr" {
			t.Fatalf("confirmation mails %+v; want one per address", confirms)
		}
		lee, park, choi := confirms[0], confirms[1], confirms[2]
		for _, want := range []string{"신청을 확인해야", "once you confirm", "택시"} {
			if !strings.Contains(lee.body, want) {
				t.Errorf("confirmation mail lacks %q:\n%s", want, lee.body)
			}
		}

		op, err := e.db.UserByEmail(ctx, "op@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.outages.AddUpdate(ctx, op, id, "복구 작업 중입니다."); err != nil {
			t.Fatal(err)
		}
		runFanouts(t, e)
		if got := subscriptionMails(t, e, outage.TopicUpdate); len(got) != 0 {
			t.Fatalf("update mails before any confirmation: %+v", got)
		}

		// The link's page shows the button and changes nothing.
		p := getPage(t, e, e.browser(t), "/subscriptions?token="+url.QueryEscape(lee.token), "")
		if p.status != http.StatusOK || !strings.Contains(p.body, `id="subscription-confirm"`) {
			t.Fatalf("link page: %d, want the confirm button\n%.2000s", p.status, p.body)
		}
		if unknown := getPage(t, e, e.browser(t), "/subscriptions?token=nope", ""); unknown.status != http.StatusNotFound {
			t.Errorf("an unknown token: %d, want 404", unknown.status)
		}
		if r := postSubscription(t, e, "confirm", lee.token); r.status != http.StatusOK || !strings.Contains(r.body, `id="state"`) {
			t.Fatalf("confirm: %d", r.status)
		}
		postSubscription(t, e, "confirm", park.token)
		// Lee's token confirmed Lee only: Choi, who never confirmed, gets nothing.
		if _, err := e.outages.AddUpdate(ctx, op, id, "일부 지역 복구 완료"); err != nil {
			t.Fatal(err)
		}
		runFanouts(t, e)
		runFanouts(t, e) // a retried job mails nobody twice
		updates := subscriptionMails(t, e, outage.TopicUpdate)
		to := map[string]int{}
		for _, u := range updates {
			to[u.to]++
		}
		// Two jobs so far (the first ran when nobody had confirmed, and runs
		// again now): each confirmed subscriber gets one mail per update.
		if len(updates) != 4 || to["lee@example.kr"] != 2 || to["park@example.kr"] != 2 || to[choi.to] != 0 {
			t.Fatalf("update mails to %v; want two each for lee and park, none for choi", to)
		}
		var latest sentMail
		for _, u := range updates {
			if u.to == "lee@example.kr" && strings.Contains(u.body, "일부 지역 복구 완료") {
				latest = u
			}
		}
		for _, want := range []string{"택시", "새 소식", "There is an update on the outage", "그만 받으려면", "To stop these mails", "https://bosang.example/subscriptions?token="} {
			if !strings.Contains(latest.body, want) {
				t.Errorf("update mail lacks %q:\n%s", want, latest.body)
			}
		}
		if latest.token != lee.token {
			t.Error("the update mail's link is not the subscriber's own")
		}

		if r := postSubscription(t, e, "unsubscribe", park.token); r.status != http.StatusOK {
			t.Fatalf("unsubscribe: %d", r.status)
		}
		if _, err := e.outages.AddUpdate(ctx, op, id, "복구 완료"); err != nil {
			t.Fatal(err)
		}
		runFanouts(t, e)
		n := 0
		for _, u := range subscriptionMails(t, e, outage.TopicUpdate) {
			if strings.Contains(u.body, "\r\n복구 완료\r\n") {
				n++
				if u.to != "lee@example.kr" {
					t.Errorf("after unsubscribing, %s got the update", u.to)
				}
			}
		}
		if n != 1 {
			t.Errorf("the last update went out %d times; want once, to lee", n)
		}

		// A correction is an update too.
		correctOutage(t, e, id)
		runFanouts(t, e)
		n = 0
		for _, u := range subscriptionMails(t, e, outage.TopicUpdate) {
			if strings.Contains(u.body, "The outage record was corrected") {
				n++
				if u.to != "lee@example.kr" {
					t.Errorf("%s got the correction", u.to)
				}
			}
		}
		if n != 1 {
			t.Errorf("the correction went out %d times; want once, to lee", n)
		}
	})
}

// TestSubscribeFormRateLimited: the subscribe form counts against the
// per-client rate like the API: past the burst a client gets 429 with
// Retry-After while another client still subscribes.
func TestSubscribeFormRateLimited(t *testing.T) {
	e := newTestEnvWith(t, dbtest.NewSQLite(t), func(d *handlers.Deps) {
		d.RateLimit = handlers.RateLimit{PerSecond: 1.0 / 3600, Burst: 40, Clients: 100}
	})
	f := newClaimFixture(t, e)
	post := func(c *http.Client, email string) *http.Response {
		t.Helper()
		path := e.srv.URL + "/outages/" + f.outageID
		resp, err := c.PostForm(path+"/subscribe", url.Values{"csrf_token": {formToken(t, c, path)}, "subscribe-email": {email}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	a, b := e.from(t, "127.0.0.2"), e.from(t, "127.0.0.3")
	a.Jar, _ = cookiejar.New(nil)
	b.Jar, _ = cookiejar.New(nil)
	for i := range 40 {
		if r := post(a, "a@example.kr"); r.StatusCode != http.StatusOK {
			t.Fatalf("post %d within the burst: %d", i+1, r.StatusCode)
		}
	}
	if r := post(a, "a@example.kr"); r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("over the burst: %d with Retry-After %q; want 429", r.StatusCode, r.Header.Get("Retry-After"))
	}
	if r := post(b, "b@example.kr"); r.StatusCode != http.StatusOK {
		t.Fatalf("another client: %d, want 200", r.StatusCode)
	}
}
