package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/blob"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/pii"
	"github.com/bosang/bosang/store"
)

// outboxOf lists the outbox messages of topic, oldest first; undelivered
// only when pending.
func outboxOf(t *testing.T, db *store.DB, topic string, pending bool) []models.OutboxMessage {
	t.Helper()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	q := "SELECT id, topic, dedupe_id, payload FROM outbox WHERE topic = '" + topic + "'" // a constant of the code under test
	if pending {
		q += " AND delivered_at IS NULL"
	}
	rows, err := sqlDB.Query(q + " ORDER BY created_at, id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []models.OutboxMessage
	for rows.Next() {
		var m models.OutboxMessage
		if err := rows.Scan(&m.ID, &m.Topic, &m.DedupeID, &m.Payload); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// runRepriceJobs runs every queued re-pricing job through the handler the
// server's job runner routes claims.TopicReprice to, and settles each as
// the runner does (package jobs); it returns how many ran.
func runRepriceJobs(t *testing.T, e *testEnv) int {
	t.Helper()
	ctx := context.Background()
	jobs := outboxOf(t, e.db, claims.TopicReprice, true)
	for _, m := range jobs {
		if err := e.claims.RunRepriceJob(ctx, m); err != nil {
			t.Fatalf("re-pricing job %s: %v", m.ID, err)
		}
		if err := e.db.MarkOutboxDelivered(ctx, m.ID, e.now()); err != nil {
			t.Fatal(err)
		}
	}
	return len(jobs)
}

// publishEdited publishes, as an admin over the API, the newest policy
// changed by edit, and returns the answer's body; the re-pricing job is
// queued, not run.
func publishEdited(t *testing.T, e *testEnv, edit func(p map[string]any)) map[string]any {
	t.Helper()
	ctx := context.Background()
	if _, err := e.db.UserByEmail(ctx, "policy-admin@example.com"); err != nil {
		if _, err := e.auth.CreateUser(ctx, auth.NewUser{Email: "policy-admin@example.com", Password: testPassword, Name: "관리자", Role: "admin"}); err != nil {
			t.Fatal(err)
		}
	}
	admin := e.login(t, "policy-admin@example.com", testPassword).AccessToken
	list := e.call(t, "GET", "/api/v1/policies", nil).json(t)["policies"].([]any)
	p := list[len(list)-1].(map[string]any)
	edit(p)
	r := e.call(t, "POST", "/api/v1/policies", p, bearer(admin)...)
	if r.status != http.StatusCreated {
		t.Fatalf("publish: got %d %s, want 201", r.status, r.body)
	}
	body := r.json(t)
	job, _ := body["reprice"].(map[string]any)
	if job == nil || job["status"] != "queued" || job["job_id"] == "" {
		t.Fatalf("publish answered %s: want reprice {job_id, status: queued}", r.body)
	}
	return body
}

// multiplier sets the fee multiplier of drivers and paid subscribers.
func multiplier(n int) func(p map[string]any) {
	return func(p map[string]any) {
		p["name"] = fmt.Sprintf("배수 %d", n)
		cats := p["categories"].(map[string]any)
		for _, cat := range []string{"driver", "paid_subscriber"} {
			cats[cat].(map[string]any)["rule"].(map[string]any)["multiplier"] = n
		}
	}
}

func claimJSON(t *testing.T, e *testEnv, token, id string) map[string]any {
	t.Helper()
	r := e.call(t, "GET", "/api/v1/claims/"+id, nil, bearer(token)...)
	if r.status != http.StatusOK {
		t.Fatalf("GET claim %s: got %d %s", id, r.status, r.body)
	}
	return r.json(t)
}

func estimateOfClaim(c map[string]any) (amount float64, version float64, reason map[string]any) {
	est := c["estimate"].(map[string]any)
	reason, _ = est["reason"].(map[string]any)
	return est["amount_krw"].(float64), est["policy_version"].(float64), reason
}

// TestRepriceNeverLowersDecision publishes a policy that pays ten times
// more and runs its job over claims in every kind of state: the undecided
// claim takes the new estimate, a decision is never moved (down or up), a
// higher estimate beside a lower decision is recorded and marked for the
// reviewer and the claimant, and rejected and withdrawn claims are left
// alone. Each claimant whose estimate changed is told, old -> new.
func TestRepriceNeverLowersDecision(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newReviewFixture(t, e)
		f.fileMany(t, 6) // driver, paid, partner on two outages, oldest first
		ids := make([]string, 6)
		list := e.call(t, "GET", "/api/v1/claims?sort=created_at", nil, bearer(f.alice)...).json(t)["claims"].([]any)
		for i := range ids {
			ids[i] = list[i].(map[string]any)["id"].(string)
		}
		decide := func(id string, body map[string]any, want string) {
			t.Helper()
			c, tag := f.next(t, f.reviewer)
			if c["id"] != id {
				t.Fatalf("the queue gave %v, want %s", c["id"], id)
			}
			if r := f.decide(t, f.reviewer, id, tag, body); r.status != 201 || r.json(t)["status"] != want {
				t.Fatalf("decide %v: got %d %s, want %s", body, r.status, r.body, want)
			}
		}
		decide(ids[0], map[string]any{"outcome": "approve", "amount_krw": 1}, "approved")
		decide(ids[1], map[string]any{"outcome": "approve", "amount_krw": 600_000}, "pending_second_approval")
		decide(ids[2], map[string]any{"outcome": "reject", "reason_code": "ineligible"}, "rejected")
		decide(ids[3], map[string]any{"outcome": "partial", "amount_krw": 20_000, "reason_code": "insufficient_evidence"}, "partially_approved")
		if r := e.call(t, "POST", "/api/v1/claims/"+ids[5]+"/withdraw", map[string]any{"reason": "됐습니다"}, bearer(f.alice)...); r.status != 200 {
			t.Fatalf("withdraw: got %d %s", r.status, r.body)
		}
		before := map[string]map[string]any{}
		for _, id := range ids {
			before[id] = claimJSON(t, e, f.alice, id)
		}

		publishEdited(t, e, multiplier(30))
		if n := runRepriceJobs(t, e); n != 1 {
			t.Fatalf("%d re-pricing jobs queued by one publication, want 1", n)
		}
		after := map[string]map[string]any{}
		for _, id := range ids {
			after[id] = claimJSON(t, e, f.alice, id)
		}
		oldAmount := func(id string) float64 { a, _, _ := estimateOfClaim(before[id]); return a }

		// Undecided (ids[4]): the new, higher estimate replaces the old one.
		amt, ver, why := estimateOfClaim(after[ids[4]])
		if ver != 2 || amt <= oldAmount(ids[4]) || why["code"] != "policy_published" || why["policy_version"].(float64) != 2 ||
			why["policy_name"] != "배수 30" || why["previous_amount_krw"].(float64) != oldAmount(ids[4]) || why["above_decision"] != nil {
			t.Errorf("undecided claim: estimate ₩%v v%v reason %v; want a higher v2 estimate saying policy v2 \"배수 30\" replaced ₩%v", amt, ver, why, oldAmount(ids[4]))
		}
		if past := after[ids[4]]["past_estimates"].([]any); len(past) != 1 || past[0].(map[string]any)["reason"].(map[string]any)["code"] != "filed" {
			t.Errorf("undecided claim: past estimates %v, want the filed one", past)
		}
		// Approved at ₩1: the higher estimate is recorded, marked above
		// the decision; the decision and status stay.
		amt, ver, why = estimateOfClaim(after[ids[0]])
		if ver != 2 || amt <= 1 || why["above_decision"] != true || why["decided_amount_krw"].(float64) != 1 || after[ids[0]]["status"] != "approved" {
			t.Errorf("approved at ₩1: estimate ₩%v v%v reason %v status %v; want a higher v2 estimate marked above the ₩1 decision, still approved",
				amt, ver, why, after[ids[0]]["status"])
		}
		// Pending second approval at ₩600,000 and partially approved at
		// ₩20,000: the new estimates are lower, so nothing changes.
		for _, id := range []string{ids[1], ids[3]} {
			if a, v, _ := estimateOfClaim(after[id]); v != 1 || a != oldAmount(id) || after[id]["version"] != before[id]["version"] ||
				len(after[id]["past_estimates"].([]any)) != 0 {
				t.Errorf("%s claim: estimate ₩%v v%v version %v; want it untouched (₩%v v1, version %v)", after[id]["status"], a, v,
					after[id]["version"], oldAmount(id), before[id]["version"])
			}
		}
		// Rejected and withdrawn: untouched.
		for _, id := range []string{ids[2], ids[5]} {
			if after[id]["version"] != before[id]["version"] || after[id]["estimate"].(map[string]any)["policy_version"].(float64) != 1 {
				t.Errorf("%s claim changed: version %v -> %v, estimate %v", after[id]["status"], before[id]["version"], after[id]["version"], after[id]["estimate"])
			}
		}
		// The decided amounts stand: the second approval still confirms
		// ₩600,000.
		tag := e.call(t, "GET", "/api/v1/claims/"+ids[1], nil, bearer(f.supervisor)...).header.Get("ETag")
		if r := f.decide(t, f.supervisor, ids[1], tag, map[string]any{"outcome": "approve"}); r.status != 201 || r.json(t)["status"] != "approved" {
			t.Fatalf("second approval after re-pricing: got %d %s", r.status, r.body)
		}
		d := e.call(t, "GET", "/api/v1/claims/"+ids[1]+"/decisions", nil, bearer(f.alice)...).json(t)["decisions"].([]any)
		if last := d[len(d)-1].(map[string]any); last["amount_krw"].(float64) != 600_000 {
			t.Errorf("second approval confirmed ₩%v, want the decided ₩600,000", last["amount_krw"])
		}

		// Two claimants' messages: the undecided claim and the one above
		// its decision, each old -> new.
		msgs := outboxOf(t, e.db, claims.TopicEstimate, false)
		got := map[string]map[string]any{}
		for _, m := range msgs {
			var p map[string]any
			if err := json.Unmarshal([]byte(m.Payload), &p); err != nil {
				t.Fatal(err)
			}
			got[p["claim_id"].(string)] = p
		}
		if len(msgs) != 2 || got[ids[4]] == nil || got[ids[0]] == nil {
			t.Fatalf("estimate messages %v, want one for each of %s and %s", got, ids[4], ids[0])
		}
		if p := got[ids[0]]; p["old_amount_krw"].(float64) != oldAmount(ids[0]) || p["above_decision"] != true || p["decided_amount_krw"].(float64) != 1 {
			t.Errorf("message about the approved claim: %v", p)
		}

		// The claimant and the reviewer see why on the claim page.
		alice := loginBrowser(t, e, "alice@example.com")
		page := getPage(t, e, alice, "/claims/"+ids[0], "")
		for _, want := range []string{`id="estimate-reason">새 보상 기준 v2 「배수 30」 공고에 따라 다시 산정했습니다.`,
			`id="estimate-above-decision"><mark>새 기준의 예상액이 이미 결정된 금액 ₩1보다 많습니다.`, `id="past-reason-0">청구 접수 때 산정한 금액입니다.`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("claim page lacks %q:\n%s", want, page.body)
			}
		}
		review := getPage(t, e, loginBrowser(t, e, "rev1@example.com"), "/review/claims/"+ids[0], "en")
		if !strings.Contains(review.body, `id="estimate-above-decision"><mark>Under the new policy the estimate is more than the amount already decided, ₩1.`) {
			t.Errorf("review page lacks the above-decision mark:\n%s", review.body)
		}
	})
}

// TestRepriceRunsOnce: a rerun of a finished job, and two runs at once,
// re-price no claim twice; the job's progress is in its audit entries and
// the log.
func TestRepriceRunsOnce(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		f := newReviewFixture(t, e)
		f.fileMany(t, 5)
		var logs bytes.Buffer
		e.claims.SetLogger(slog.New(slog.NewJSONHandler(&logs, nil)))
		e.claims.SetRepricePage(2)
		estimates := func() int { return countWhere(t, e.db, "SELECT COUNT(*) FROM claim_estimates") }

		pub := publishEdited(t, e, multiplier(10))
		job := claims.RepriceJob{ID: pub["reprice"].(map[string]any)["job_id"].(string), PolicyVersion: 2}
		if got := claimJSON(t, e, f.alice, firstClaim(t, e, f.alice))["estimate"].(map[string]any)["policy_version"].(float64); got != 1 {
			t.Fatalf("right after publishing, the claim is priced under v%v: want v1 until the job runs", got)
		}
		// Two runs at once, as two dispatchers would after a lease ran out.
		var wg sync.WaitGroup
		reports := make([]claims.RepriceReport, 2)
		for i := range reports {
			wg.Go(func() {
				var err error
				if reports[i], err = e.claims.Reprice(ctx, job); err != nil {
					t.Errorf("run %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		if n := reports[0].Repriced + reports[1].Repriced; n != 5 || estimates() != 10 {
			t.Fatalf("two runs at once re-priced %d claims (%+v, %+v) and left %d estimates; want 5 and 10", n, reports[0], reports[1], estimates())
		}
		again, err := e.claims.Reprice(ctx, job)
		if err != nil || again.Repriced != 0 || again.AboveDecision != 0 || again.Skipped != 5 || again.Pages != 3 || estimates() != 10 {
			t.Fatalf("rerun: %+v (%v), %d estimates; want nothing re-priced, 5 skipped over 3 pages, 10 estimates", again, err, estimates())
		}
		if n := len(outboxOf(t, e.db, claims.TopicEstimate, false)); n != 5 {
			t.Errorf("%d estimate messages, want one per re-priced claim (5)", n)
		}
		// Filing wrote one review job per claim; re-pricing one more each.
		if n := len(outboxOf(t, e.db, claims.TopicReview, false)); n != 10 {
			t.Errorf("%d review jobs, want 10: one per filing and one per re-priced open claim", n)
		}

		entries, _, err := e.audit.List(ctx, audit.Filter{Entity: audit.EntityPolicy, EntityID: "2", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var published, done, pages int
		for _, en := range entries {
			switch en.Action {
			case "policy.publish":
				published++
				if en.ActorID == nil || !strings.Contains(en.Details, job.ID) {
					t.Errorf("publish entry %+v: want the admin and the job id", en)
				}
			case "policy.reprice":
				done++
			case "policy.reprice_page":
				pages++
			}
		}
		if published != 1 || done != 3 || pages < 3 {
			t.Errorf("audit of policy 2: %d publish, %d done, %d page entries; want 1, 3 (one per run), and a page entry per page that changed claims", published, done, pages)
		}
		if n := countWhere(t, e.db, "SELECT COUNT(*) FROM audit_entries WHERE action = 'claim.reprice'"); n != 5 {
			t.Errorf("%d claim.reprice audit entries, want 5", n)
		}
		if !strings.Contains(logs.String(), `"msg":"reprice job done"`) || !strings.Contains(logs.String(), `"repriced":0,"above_decision":0,"kept":0,"skipped":5`) {
			t.Errorf("log lacks the job's progress:\n%s", logs.String())
		}
	})
}

func firstClaim(t *testing.T, e *testEnv, token string) string {
	t.Helper()
	return e.call(t, "GET", "/api/v1/claims?sort=created_at", nil, bearer(token)...).json(t)["claims"].([]any)[0].(map[string]any)["id"].(string)
}

// failingPages is the claims store with the transaction of one page made
// to fail after its writes: the real store cannot be told to fail there.
type failingPages struct {
	claims.Store
	mu     sync.Mutex
	calls  int
	failOn int
}

func (f *failingPages) InTx(ctx context.Context, fn func(claims.Store) error) error {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.mu.Unlock()
	return f.Store.InTx(ctx, func(tx claims.Store) error {
		if err := fn(tx); err != nil {
			return err
		}
		if n == f.failOn {
			return errors.New("injected: the connection dropped before commit")
		}
		return nil
	})
}

// TestRepricePagesCommitIndependently: with pages of 2, five claims and the
// third page's transaction failing, the first two pages (4 claims) stay
// re-priced, the job reports the failure, and a rerun finishes the fifth
// without touching the other four.
func TestRepricePagesCommitIndependently(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		f := newReviewFixture(t, e)
		f.fileMany(t, 5)
		pub := publishEdited(t, e, multiplier(10))
		job := claims.RepriceJob{ID: pub["reprice"].(map[string]any)["job_id"].(string), PolicyVersion: 2}

		sealer, err := pii.NewSealer(e.jwtKey)
		if err != nil {
			t.Fatal(err)
		}
		blobs, err := blob.NewDisk(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		failing := claims.NewService(&failingPages{Store: e.db.Claims(), failOn: 3}, e.outages, sealer, blobs, claims.DefaultEvidenceLimits,
			e.now, func() string { return uuid.Must(uuid.NewV7()).String() })
		failing.SetRepricePage(2)
		failing.SetLogger(slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)))
		rep, err := failing.Reprice(ctx, job)
		if err == nil || rep.Repriced != 4 || rep.Pages != 3 {
			t.Fatalf("run with the third page failing: %+v, %v; want an error after 4 claims re-priced on 3 pages", rep, err)
		}
		v2 := func() int { return countWhere(t, e.db, "SELECT COUNT(*) FROM claims WHERE policy_version = 2") }
		if n := v2(); n != 4 {
			t.Fatalf("%d claims under policy 2 after the failure, want the 4 of the committed pages", n)
		}
		if n := len(outboxOf(t, e.db, claims.TopicEstimate, false)); n != 4 {
			t.Errorf("%d estimate messages after the failure, want 4: the failed page's rolled back with it", n)
		}
		e.claims.SetRepricePage(2)
		rep, err = e.claims.Reprice(ctx, job)
		if err != nil || rep.Repriced != 1 || rep.Skipped != 4 {
			t.Fatalf("rerun: %+v, %v; want the fifth claim re-priced and the four others skipped", rep, err)
		}
		if n, est := v2(), countWhere(t, e.db, "SELECT COUNT(*) FROM claim_estimates"); n != 5 || est != 10 {
			t.Errorf("after the rerun: %d claims under policy 2 and %d estimates; want 5 and 10 (each claim re-priced once)", n, est)
		}
	})
}

// TestEstimateReasonsInCatalog: every estimate reason the claims package
// records has words in both languages.
func TestEstimateReasonsInCatalog(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range i18n.Languages {
		l := cat.For(lang)
		for _, code := range claims.EstimateReasonCodes {
			id := "claims.estimate.reason." + string(code)
			if got := l.T(id, map[string]any{"Version": 2, "Name": "x"}); got == id {
				t.Errorf("%s: no message %s", lang, id)
			}
		}
	}
}
