package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/store"
)

var auditRowRE = regexp.MustCompile(`<tr id="entry-\d+">`)

// correctOutage has the operator move the fixture outage's end an hour
// later and change its cause from fire to overload.
func correctOutage(t *testing.T, e *testEnv, outageID string) (before, after time.Time) {
	t.Helper()
	ctx := context.Background()
	op, err := e.db.UserByEmail(ctx, "op@example.com")
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.outages.Get(ctx, outageID)
	if err != nil {
		t.Fatal(err)
	}
	before = *v.EndedAt
	after = before.Add(time.Hour)
	cause := "overload"
	ctx = audit.WithActor(ctx, audit.Actor{ID: op.ID, Role: "operator"})
	if _, err := e.outages.Correct(ctx, &models.User{ID: op.ID, Role: models.RoleOperator}, outageID,
		outage.Patch{Reason: "복구 시각 정정", EndedAt: &after, Cause: &cause}); err != nil {
		t.Fatalf("correct: %v", err)
	}
	return before, after
}

func kstMinute(t time.Time) string { return t.In(kstZone).Format("2006-01-02 15:04 KST") }

var kstZone = time.FixedZone("KST", 9*3600)

// TestOutageRevisionShowsWhatChanged: the outage page's revision history
// shows each corrected field with its old and new value, in both
// languages, not only the version and the reason.
func TestOutageRevisionShowsWhatChanged(t *testing.T) {
	eachPayoutEnv(t, func(t *testing.T, pe *payoutEnv) {
		e := pe.testEnv
		f := newReviewFixture(t, e)
		before, after := correctOutage(t, e, f.outageID)
		p := getPage(t, e, e.browser(t), "/outages/"+f.outageID, "")
		revs := between(t, p.body, `<table id="revisions">`, "</table>")
		for _, want := range []string{"복구 시각 정정", "원인: <span class=\"nowrap\">화재</span>", "<span class=\"nowrap\">과부하</span>",
			"복구: <span class=\"nowrap\">" + kstMinute(before) + "</span>", "<span class=\"nowrap\">" + kstMinute(after) + "</span>", "→"} {
			if !strings.Contains(revs, want) {
				t.Errorf("the revision history lacks %q:\n%s", want, revs)
			}
		}
		if strings.Contains(revs, "요약:") || strings.Contains(revs, "시작:") {
			t.Errorf("the revision history lists fields that did not change:\n%s", revs)
		}
		p = getPage(t, e, e.browser(t), "/outages/"+f.outageID, "en")
		if revs := between(t, p.body, `<table id="revisions">`, "</table>"); !strings.Contains(revs, "Cause: <span class=\"nowrap\">Fire</span>") ||
			!strings.Contains(revs, "changed to") {
			t.Errorf("the English revision history lacks the cause's change:\n%s", revs)
		}
	})
}

// TestAuditPage: supervisors see the trail with what changed, filter it by
// entity, actor and dates, page through it, and see whether the chain
// verifies, including where it broke; reviewers may not.
func TestAuditPage(t *testing.T) {
	eachPayoutEnv(t, func(t *testing.T, pe *payoutEnv) {
		e := pe.testEnv
		ctx := context.Background()
		f := newReviewFixture(t, e)
		f.fileMany(t, 2)
		before, after := correctOutage(t, e, f.outageID)
		op, err := e.db.UserByEmail(ctx, "op@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pe.audit.Seal(ctx, 1000); err != nil {
			t.Fatal(err)
		}
		s := loginStaff(t, e)

		p := getPage(t, e, s.supervisor, "/audit", "")
		if p.status != http.StatusOK || !strings.Contains(p.body, `id="nav-audit"`) || !strings.Contains(p.body, `id="verify-status"><strong>이상 없음`) {
			t.Fatalf("audit page: got %d, want 200 with the nav link and an intact chain:\n%s", p.status, p.body)
		}
		correction := between(t, p.body, "<code>outage.correct</code>", "</tr>")
		for _, want := range []string{"원인: <span class=\"nowrap\">화재</span>", "<span class=\"nowrap\">과부하</span>", kstMinute(before), kstMinute(after), "복구 시각 정정"} {
			if !strings.Contains(correction, want) {
				t.Errorf("the correction's entry lacks %q:\n%s", want, correction)
			}
		}
		if p := getPage(t, e, s.reviewer, "/audit", ""); p.status != http.StatusForbidden {
			t.Errorf("reviewer GET /audit: got %d, want 403", p.status)
		}
		if p := getPage(t, e, s.reviewer, "/review", ""); strings.Contains(p.body, `id="nav-audit"`) {
			t.Errorf("the reviewer's navigation links the audit page")
		}

		count := func(query url.Values) (int, page) {
			t.Helper()
			p := getPage(t, e, s.supervisor, "/audit?"+query.Encode(), "")
			if p.status != http.StatusOK {
				t.Fatalf("GET /audit?%s: got %d:\n%s", query.Encode(), p.status, p.body)
			}
			return len(auditRowRE.FindAllString(p.body, -1)), p
		}
		all, _ := count(url.Values{})
		n, p := count(url.Values{"entity": {"outage"}, "id": {f.outageID}})
		if n != 2 || !strings.Contains(p.body, "<code>outage.create</code>") || strings.Contains(p.body, "<code>claim.") {
			t.Errorf("entity filter: %d rows, want the outage's create and correct only", n)
		}
		if n, p := count(url.Values{"actor": {op.ID}}); n < 1 || n >= all || !strings.Contains(p.body, "<code>outage.correct</code>") || strings.Contains(p.body, "<code>claim.file</code>") {
			t.Errorf("actor filter: %d rows of %d, want only the operator's", n, all)
		}
		today := e.now().In(kstZone).Format("2006-01-02")
		tomorrow := e.now().In(kstZone).AddDate(0, 0, 1).Format("2006-01-02")
		if n, _ := count(url.Values{"from": {today}, "to": {today}}); n != all {
			t.Errorf("today's entries: %d, want all %d", n, all)
		}
		if n, p := count(url.Values{"from": {tomorrow}}); n != 0 || !strings.Contains(p.body, `id="audit-none"`) {
			t.Errorf("entries from tomorrow: %d, want none", n)
		}
		if p := getPage(t, e, s.supervisor, "/audit?from=2024-13-01", ""); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="audit-from-error"`) {
			t.Errorf("a malformed date: got %d, want 422 with the field's error", p.status)
		}
		if p := getPage(t, e, s.supervisor, "/audit?actor=bob", ""); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="audit-actor-error"`) {
			t.Errorf("a malformed actor: got %d, want 422 with the field's error", p.status)
		}
		if p := getPage(t, e, s.supervisor, "/audit?from="+tomorrow+"&to="+today, ""); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="audit-to-error"`) {
			t.Errorf("an end before the start: got %d, want 422 with the field's error", p.status)
		}

		// More than a page: the next link carries the filter and the cursor.
		var recs []audit.Record
		for i := range 55 {
			recs = append(recs, audit.Record{Action: "policy.publish", Entity: audit.EntityPolicy, EntityID: "7", Details: map[string]any{"name": fmt.Sprintf("p%d", i)}})
		}
		if _, err := pe.audit.AppendAll(ctx, recs); err != nil {
			t.Fatal(err)
		}
		n, p = count(url.Values{"entity": {"policy"}})
		next := regexp.MustCompile(`href="(/audit\?[^"]+)" id="audit-next"`).FindStringSubmatch(p.body)
		if n != 50 || next == nil || !strings.Contains(next[1], "entity=policy") || !strings.Contains(next[1], "next=") {
			t.Fatalf("first page of 55: %d rows, next link %v; want 50 and a link keeping the filter", n, next)
		}
		p = getPage(t, e, s.supervisor, strings.ReplaceAll(next[1], "&amp;", "&"), "")
		if n := len(auditRowRE.FindAllString(p.body, -1)); n != 5 || strings.Contains(p.body, `id="audit-next"`) {
			t.Errorf("second page: %d rows, want the last 5 and no further link", n)
		}

		// Entries wiped behind a checkpoint and the checkpoint rewritten in
		// the database: the page says where the chain breaks and which
		// checkpoint is forged.
		if _, err := pe.audit.Seal(ctx, 1000); err != nil {
			t.Fatal(err)
		}
		if _, err := pe.audit.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		sqlDB, err := pe.db.SQL()
		if err != nil {
			t.Fatal(err)
		}
		stmts := []string{"ALTER TABLE audit_entries DISABLE TRIGGER USER", "ALTER TABLE audit_checkpoints DISABLE TRIGGER USER"}
		if pe.db.Dialect() == store.SQLite {
			stmts = []string{"DROP TRIGGER audit_entries_no_delete", "DROP TRIGGER audit_checkpoints_no_update"}
		}
		for _, q := range append(stmts, "DELETE FROM audit_entries WHERE chain_pos > 2") {
			if _, err := sqlDB.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		p = getPage(t, e, s.supervisor, "/audit", "")
		if !strings.Contains(p.body, `id="verify-status" class="error"><strong>이상 발견`) || !strings.Contains(p.body, `id="verify-first-broken"`) ||
			!strings.Contains(p.body, "처음 깨진 위치 3") {
			t.Errorf("after the wipe the page does not show where the chain breaks:\n%s", between(t, p.body, `id="verify"`, "</section>"))
		}
		forge := "UPDATE audit_checkpoints SET hash = '" + strings.Repeat("0", 64) + "'"
		if _, err := sqlDB.ExecContext(ctx, forge); err != nil {
			t.Fatalf("%s: %v", forge, err)
		}
		p = getPage(t, e, s.supervisor, "/audit", "")
		if cps := between(t, p.body, `id="verify"`, "</section>"); !strings.Contains(cps, `<ul id="broken-checkpoints">`) || !strings.Contains(cps, "forged") {
			t.Errorf("after the forgery the page does not list the broken checkpoint:\n%s", cps)
		}
	})
}
