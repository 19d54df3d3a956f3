package outage

import (
	"fmt"
	"strings"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
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
	affected, affectedEN := v.Service.Name, nameEN(v)
	for _, d := range v.Impacted {
		affected += ", " + d.Name
		affectedEN += ", " + localOr(d.NameEN, d.Name)
	}
	var autoMsg any = ""
	if len(auto) > 0 {
		autoMsg = apperr.M("outage.notice.compensation.auto", map[string]any{"categories": perLang(autoT)})
	}
	ko, en := inBoth(apperr.M("outage.notice.compensation", map[string]any{
		"service":  perLang(policy.Text{KO: v.Service.Name, EN: nameEN(v)}),
		"start":    kstTime(v.StartedAt),
		"end":      endText(v),
		"affected": perLang(policy.Text{KO: affected, EN: affectedEN}),
		"who":      perLang(whoT),
		"version":  p.Version,
		"policy":   p.Name,
		"criteria": perLang(policy.Text{KO: criteria.String(), EN: criteriaEN.String()}),
		"evidence": perLang(policy.Text{KO: evidence.String(), EN: evidenceEN.String()}),
		"portal":   in.PortalURL,
		"auto":     autoMsg,
		"deadline": deadlineText(v, p),
		"contact":  contactOf(v),
	}))
	return &Draft{Kind: "compensation", KO: ko, EN: en, Parts: compensationParts, PolicyVersion: p.Version}
}

// perLang is text already in both languages, as message data: it shows as
// its Korean or English side.
func perLang(t policy.Text) apperr.Message { return apperr.Message{KO: t.KO, EN: t.EN} }

// inBoth resolves m in both languages, for a notice whose text is kept as
// written in each.
func inBoth(m apperr.Message) (ko, en string) { return m.In("ko"), m.In("en") }

// deadlineText is the claim deadline of v under p: the close of the policy's
// filing window, or, while the outage is ongoing, the window's length
// counted from restoration.
func deadlineText(v *View, p policy.Policy) apperr.Message {
	_, closes, open := policy.FilingWindow(p, v.StartedAt, v.EndedAt)
	n := p.WindowDays()
	if open {
		return apperr.M("outage.notice.deadline_open", map[string]any{"days": n})
	}
	return apperr.M("outage.notice.deadline", map[string]any{"at": kstTime(closes), "days": n})
}

// evidenceText lists the named evidence kinds, or says none is needed.
func evidenceText(kinds []string, names map[string]policy.Text) policy.Text {
	if len(kinds) == 0 {
		ko, en := inBoth(apperr.M("outage.notice.no_evidence"))
		return policy.Text{KO: ko, EN: en}
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
