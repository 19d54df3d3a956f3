package handlers_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

var confirmationNumber = regexp.MustCompile(`id="confirmation-number" class="nowrap">(BS-[0-9-]+)<`)

func TestClaimConfirmationAfterFiling(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		alice := loginBrowser(t, e, "alice@example.com")
		_, tok, key := claimForm(t, e, alice, "")
		png := pngBytes(200)
		kst := time.FixedZone("KST", 9*3600)
		before := e.now().In(kst).AddDate(0, 0, 14).Format("2006-01-02")
		filed := postMultipart(t, e, alice, "/claims/new", paidSubscriberFields(tok, key, f.outageID), &formFile{"file", "bill.png", png}, "")
		after := e.now().In(kst).AddDate(0, 0, 14).Format("2006-01-02")
		if filed.status != http.StatusSeeOther || !claimPath.MatchString(filed.location) {
			t.Fatalf("file: got %d to %q, want 303 to the claim's confirmation", filed.status, filed.location)
		}
		p := getPage(t, e, alice, filed.location, "")
		m := confirmationNumber.FindStringSubmatch(p.body)
		if m == nil || !strings.Contains(p.body, `id="claim-number">`+m[1]+`<`) {
			t.Fatalf("the confirmation lacks the claim number\n%.4000s", p.body)
		}
		for _, want := range []string{"청구가 접수되었습니다", `id="confirmation-next"`, "심사자가 청구 내용과 증빙을 확인", "이메일 주소로 알려 드리며"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the confirmation lacks %q", want)
			}
		}
		if !strings.Contains(p.body, "14일 이내, "+before+"까지") && !strings.Contains(p.body, "14일 이내, "+after+"까지") {
			t.Errorf("the confirmation does not give the review target (14 days, by %s)", before)
		}
		// No internal detail for the claimant: no file hash, no list of past
		// estimates that only repeats the one in force; the timeline says who acted.
		sum := sha256.Sum256(png)
		if strings.Contains(p.body, hex.EncodeToString(sum[:])) || strings.Contains(p.body, "SHA-256") {
			t.Error("the claimant's page shows the file's hash")
		}
		if strings.Contains(p.body, `id="past-estimates"`) || strings.Contains(p.body, "이전 예상액") {
			t.Error("the claimant's page lists past estimates right after filing")
		}
		if !strings.Contains(p.body, "<strong>접수됨</strong> <span class=\"actor\">(본인)</span>") {
			t.Errorf("the timeline does not say the claimant filed\n%.4000s", p.body)
		}
		if strings.Contains(p.body, "policy auto-approval") {
			t.Error("the timeline shows a raw note")
		}
		// The confirmation is for the moment of filing, not every visit.
		if p := getPage(t, e, alice, claimURLOf(filed), ""); strings.Contains(p.body, `id="confirmation"`) {
			t.Error("the claim page shows the confirmation without ?done=filed")
		}
		en := getPage(t, e, alice, filed.location, "en")
		for _, want := range []string{"Your claim has been filed", "What happens next", "within 14 days of filing", "(you)"} {
			if !strings.Contains(en.body, want) {
				t.Errorf("the English confirmation lacks %q", want)
			}
		}
	})
}
