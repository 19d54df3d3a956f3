package outage

import (
	"fmt"
	"github.com/bosang/bosang/models"
	"strings"

	"github.com/bosang/bosang/policy"
)

// DraftInput is what a compensation notice states besides the outage.
type DraftInput struct {
	// PortalURL is where claims are filed.
	PortalURL string
	// Policies are the published compensation policies; the notice states
	// the one that governs the outage.
	Policies []policy.Policy
	// Categories and Evidence name the claimant categories and evidence
	// kinds in both languages, as the claim pages name them; a kind without
	// a name is shown by its code.
	Categories map[models.ClaimCategory]policy.Text
	Evidence   map[string]policy.Text
}

// The parts of a compensation notice: DOMAIN.md §2 requires who may claim,
// the damage criteria and the procedure and method; the evidence, deadline
// and contact are how a claimant follows that procedure.
var compensationParts = []string{"eligible_claimants", "criteria", "evidence", "procedure_and_method", "deadline", "contact"}

// compensationDraft renders the compensation notice of v under policy p.
func compensationDraft(v *View, p policy.Policy, in DraftInput) *Draft {
	cats := p.Covered()
	name := func(c models.ClaimCategory) policy.Text {
		if t, ok := in.Categories[c]; ok {
			return t
		}
		return policy.Text{KO: string(c), EN: string(c)}
	}
	var who []policy.Text
	var criteria, evidence strings.Builder
	var criteriaEN, evidenceEN strings.Builder
	var auto []policy.Text
	for _, c := range cats {
		cr, n := p.Categories[c], name(c)
		who = append(who, n)
		d := policy.Describe(cr)
		fmt.Fprintf(&criteria, "\n- %s: %s", n.KO, d.KO)
		fmt.Fprintf(&criteriaEN, "\n- %s: %s", n.EN, d.EN)
		ev := evidenceText(cr.Evidence, in.Evidence)
		fmt.Fprintf(&evidence, "\n- %s: %s", n.KO, ev.KO)
		fmt.Fprintf(&evidenceEN, "\n- %s: %s", n.EN, ev.EN)
		if cr.AutoApprove {
			auto = append(auto, n)
		}
	}
	whoT, autoT := joinText(who), joinText(auto)
	deadline := deadlineText(v, p)
	affected, affectedEN := v.Service.Name, nameEN(v)
	for _, d := range v.Impacted {
		affected += ", " + d.Name
		affectedEN += ", " + localOr(d.NameEN, d.Name)
	}
	autoKO, autoEN := "", ""
	if len(auto) > 0 {
		autoKO = fmt.Sprintf(" 다음 청구는 개별 심사 사유가 없으면 자동으로 승인됩니다: %s.", autoT.KO)
		autoEN = fmt.Sprintf(" These claims are approved automatically unless they need individual review: %s.", autoT.EN)
	}
	ko := fmt.Sprintf("[손해배상 기준 및 절차 안내] %s 장애 (%s ~ %s)\n\n"+
		"1. 청구 대상: 장애 기간에 %s 서비스를 이용한 분 중 다음에 해당하는 분: %s\n"+
		"2. 배상 기준 (보상 기준 제%d판 「%s」):%s\n모든 계산 과정은 청구 화면에 공개됩니다.\n"+
		"3. 필요한 증빙:%s\n"+
		"4. 청구 절차와 방법: %s 에서 휴대전화로 청구하고 위 증빙을 올리면 접수 번호와 예상 보상액을 바로 확인할 수 있습니다.%s 모든 결정에는 사유가 붙으며, 결정에 이의가 있으면 청구 화면에서 증빙을 더해 이의를 제기할 수 있습니다.\n"+
		"5. 청구 기한: %s\n"+
		"6. 문의처: %s",
		v.Service.Name, kstTime(v.StartedAt), endKO(v), affected, whoT.KO, p.Version, p.Name, criteria.String(), evidence.String(),
		in.PortalURL, autoKO, deadline.KO, contactOf(v))
	en := fmt.Sprintf("[Compensation criteria and procedure] %s outage (%s to %s)\n\n"+
		"1. Who may claim: anyone who used %s during the outage as one of: %s\n"+
		"2. Criteria (compensation policy version %d, \"%s\"):%s\nEvery step of the arithmetic is shown on the claim page.\n"+
		"3. Evidence required:%s\n"+
		"4. Procedure and method: claim from your phone at %s and upload the evidence above; you see your claim number and estimate at once.%s Every decision states its reason; if you disagree, you can appeal with more evidence from the claim page.\n"+
		"5. Deadline: %s\n"+
		"6. Contact: %s",
		nameEN(v), kstTime(v.StartedAt), endEN(v), affectedEN, whoT.EN, p.Version, p.Name, criteriaEN.String(), evidenceEN.String(),
		in.PortalURL, autoEN, deadline.EN, contactOf(v))
	return &Draft{Kind: "compensation", KO: ko, EN: en, Parts: compensationParts, PolicyVersion: p.Version}
}

// deadlineText is the claim deadline of v under p: the close of the policy's
// filing window, or, while the outage is ongoing, the window's length
// counted from restoration.
func deadlineText(v *View, p policy.Policy) policy.Text {
	_, closes, open := policy.FilingWindow(p, v.StartedAt, v.EndedAt)
	n := p.WindowDays()
	if open {
		return policy.Text{
			KO: fmt.Sprintf("복구 후 %d일까지 (복구 시각부터 셉니다. 아직 복구되지 않았습니다.)", n),
			EN: fmt.Sprintf("%d days after restoration (counted from the moment service is restored; it has not been restored yet)", n),
		}
	}
	return policy.Text{
		KO: fmt.Sprintf("%s까지 (복구 후 %d일)", kstTime(closes), n),
		EN: fmt.Sprintf("%s (%d days after restoration)", kstTime(closes), n),
	}
}

// evidenceText lists the named evidence kinds, or says none is needed.
func evidenceText(kinds []string, names map[string]policy.Text) policy.Text {
	if len(kinds) == 0 {
		return policy.Text{KO: "따로 낼 증빙 없음", EN: "no evidence needed"}
	}
	parts := make([]policy.Text, 0, len(kinds))
	for _, k := range kinds {
		t, ok := names[k]
		if !ok {
			t = policy.Text{KO: k, EN: k}
		}
		parts = append(parts, t)
	}
	return joinText(parts)
}

// joinText joins texts with commas in each language.
func joinText(parts []policy.Text) policy.Text {
	ko, en := make([]string, len(parts)), make([]string, len(parts))
	for i, p := range parts {
		ko[i], en[i] = p.KO, p.EN
	}
	return policy.Text{KO: strings.Join(ko, ", "), EN: strings.Join(en, ", ")}
}

func localOr(s, fallback string) string {
	if s != "" {
		return s
	}
	return fallback
}
