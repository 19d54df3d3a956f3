package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/policy"
)

// closedOutage records a taxi outage of 2022 whose filing window has long
// closed, and returns its id and the closing date as pages show it.
func closedOutage(t *testing.T, e *testEnv, f *claimFixture) (string, string) {
	t.Helper()
	start := time.Date(2022, 10, 15, 15, 30, 0, 0, time.FixedZone("KST", 9*3600))
	end := start.Add(5 * time.Hour)
	r := f.create(t, map[string]any{"service_id": "taxi", "features": []string{"hailing"}, "started_at": start.Format(time.RFC3339),
		"ended_at": end.Format(time.RFC3339), "cause": "equipment_fault", "summary": "설비 고장"})
	if r.status != http.StatusCreated {
		t.Fatalf("create outage: %d %s", r.status, r.body)
	}
	policies, err := e.claims.Policies(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Select(policies, start)
	if err != nil {
		t.Fatal(err)
	}
	_, closes, _ := policy.FilingWindow(p, start, &end)
	return r.json(t)["id"].(string), closes.In(time.FixedZone("KST", 9*3600)).Format("2006-01-02")
}

func TestClosedClaimWindowsShownBeforeTheForm(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		closedID, closedOn := closedOutage(t, e, f)
		anon := e.browser(t)

		// The checker: the closed window instead of a claim button.
		p := getPage(t, e, anon, "/eligibility?service=taxi&role=driver&at=2022-10-15T18:00", "")
		if p.status != http.StatusOK || !strings.Contains(p.body, "청구 기간 종료 ("+closedOn+")") {
			t.Fatalf("checker: got %d, want 청구 기간 종료 (%s)\n%.3000s", p.status, closedOn, p.body)
		}
		if strings.Contains(p.body, "outage="+closedID) {
			t.Error("the checker offers a claim for a closed outage")
		}
		if p := getPage(t, e, anon, "/eligibility?service=taxi&role=driver&at=2022-10-15T18:00", "en"); !strings.Contains(p.body, "Claims closed ("+closedOn+")") {
			t.Error("the English checker does not say Claims closed")
		}
		// An open outage still gets its claim button.
		open := getPage(t, e, anon, "/eligibility?service=taxi&role=driver&at="+e.now().Add(-50*time.Hour).In(time.FixedZone("KST", 9*3600)).Format("2006-01-02T15:04"), "")
		if !strings.Contains(open.body, `href="/claims/new?outage=`+f.outageID) || strings.Contains(open.body, "청구 기간 종료") {
			t.Errorf("checker for an open outage: want its claim link and no closed window\n%.3000s", open.body)
		}

		// The outage page says it too, and offers no claim.
		p = getPage(t, e, anon, "/outages/"+closedID, "")
		if !strings.Contains(p.body, `id="claim-window-text">청구 기간 종료 (`+closedOn+`)`) || strings.Contains(p.body, `id="claim-this"`) {
			t.Errorf("closed outage page: want the closed window and no claim button\n%.3000s", p.body)
		}
		if p := getPage(t, e, anon, "/outages/"+closedID, "en"); !strings.Contains(p.body, "Claims closed ("+closedOn+")") {
			t.Error("the English outage page does not say Claims closed")
		}
		if p := getPage(t, e, anon, "/outages/"+f.outageID, ""); !strings.Contains(p.body, `href="/claims/new?outage=`+f.outageID+`" role="button" id="claim-this"`) {
			t.Error("an open outage's page does not offer a claim")
		}

		// The claim form lists the closed outage but it cannot be chosen,
		// even when the link names it.
		alice := loginBrowser(t, e, "alice@example.com")
		form, _, _ := claimForm(t, e, alice, "?outage="+closedID)
		if !strings.Contains(form.body, `id="outage-`+closedID+`" name="outage_id" value="`+closedID+`" disabled`) {
			t.Errorf("the closed outage is selectable on the claim form\n%.3000s", form.body)
		}
		if strings.Contains(form.body, `id="outage-`+f.outageID+`" name="outage_id" value="`+f.outageID+`" disabled`) {
			t.Error("the open outage cannot be chosen")
		}
		if !strings.Contains(form.body, "청구 기간 종료 ("+closedOn+")") {
			t.Error("the claim form does not say why the outage cannot be chosen")
		}
	})
}
