package notify

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/estimate"
	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/models"
)

// catalog holds the words of the messages, the pages' catalog, read once.
var catalog = sync.OnceValues(i18n.Load)

// StatusMail is the message telling a claimant their claim moved.
type StatusMail struct {
	Payload claims.StatusPayload
	Subject string
	// Body is plain text, Korean then English.
	Body string
}

// StatusText writes the message of a claims.TopicStatus outbox message: the
// new status, and the amount decided with its reason, or the amount paid
// with the transfer reference; or of a claims.TopicEstimate message: the
// estimate's old and new amount and the policy that changed it; or of a
// claims.TopicSupplementReminder message: when the supplement asked for
// is due. It is in Korean and in English, ending with the claim's address
// under baseURL when baseURL is set. A payload that does not decode is an
// error.
func StatusText(m models.OutboxMessage, baseURL string) (StatusMail, error) {
	var p claims.StatusPayload
	if err := json.Unmarshal([]byte(m.Payload), &p); err != nil {
		return StatusMail{}, fmt.Errorf("status message %s: %w", m.ID, err)
	}
	cat, err := catalog()
	if err != nil {
		return StatusMail{}, err
	}
	ko, en := cat.For("ko"), cat.For("en")
	if m.Topic == claims.TopicEstimate {
		return estimateText(m, p, ko, en, baseURL)
	}
	if m.Topic == claims.TopicSupplementReminder {
		return supplementReminderText(m, p, ko, en, baseURL)
	}
	mail := StatusMail{Payload: p, Subject: tag(ko) + p.Number + " " + ko.T("claims.status."+p.Status.String())}
	if p.AmountKRW != nil {
		mail.Subject += " " + estimate.FormatKRW(*p.AmountKRW)
	}
	var lines []string
	for _, l := range []*i18n.Localizer{ko, en} {
		lines = append(lines, statusLines(l, p)...)
	}
	if baseURL != "" {
		lines = append(lines, baseURL+"/claims/"+p.ClaimID)
	}
	mail.Body = strings.Join(append(lines, ""), "\r\n")
	return mail, nil
}

// statusLines says in l's language what p tells.
func statusLines(l *i18n.Localizer, p claims.StatusPayload) []string {
	lines := []string{l.T("notify.status", map[string]any{"Number": p.Number, "Status": l.T("claims.status." + p.Status.String())})}
	if p.AmountKRW == nil {
		return lines
	}
	amount := estimate.FormatKRW(*p.AmountKRW)
	if p.Status == models.StatusPaid {
		return append(lines, l.T("notify.paid", map[string]any{"Amount": amount, "Reference": p.Reference}))
	}
	lines = append(lines, l.T("notify.decided", map[string]any{"Amount": amount}))
	if p.ReasonCode != "" {
		reason := l.T("review.reason." + p.ReasonCode)
		if reason == "review.reason."+p.ReasonCode {
			reason = p.ReasonCode
		}
		lines = append(lines, l.T("notify.reason", map[string]any{"Reason": reason}))
	}
	return lines
}

// estimateChange is what a claims.TopicEstimate payload says beyond the
// claim's identity.
type estimateChange struct {
	OldKRW        int64  `json:"old_amount_krw"`
	NewKRW        int64  `json:"new_amount_krw"`
	PolicyVersion int    `json:"policy_version"`
	PolicyName    string `json:"policy_name"`
	AboveDecision bool   `json:"above_decision"`
	DecidedKRW    int64  `json:"decided_amount_krw"`
}

// estimateText says that the estimate of p's claim changed under a newly
// published policy, and that a decided amount stands.
func estimateText(m models.OutboxMessage, p claims.StatusPayload, ko, en *i18n.Localizer, baseURL string) (StatusMail, error) {
	var ch estimateChange
	if err := json.Unmarshal([]byte(m.Payload), &ch); err != nil {
		return StatusMail{}, fmt.Errorf("estimate message %s: %w", m.ID, err)
	}
	args := map[string]any{"Number": p.Number, "Old": estimate.FormatKRW(ch.OldKRW), "New": estimate.FormatKRW(ch.NewKRW),
		"Version": ch.PolicyVersion, "Name": ch.PolicyName, "Decided": estimate.FormatKRW(ch.DecidedKRW)}
	var lines []string
	for _, l := range []*i18n.Localizer{ko, en} {
		lines = append(lines, l.T("notify.estimate.changed", args))
		if ch.AboveDecision {
			lines = append(lines, l.T("notify.estimate.decision_stands", args))
		}
	}
	if baseURL != "" {
		lines = append(lines, baseURL+"/claims/"+p.ClaimID)
	}
	subject := tag(ko) + p.Number + " " + ko.T("notify.estimate.subject") + " / " + en.T("notify.estimate.subject")
	return StatusMail{Payload: p, Subject: subject, Body: strings.Join(append(lines, ""), "\r\n")}, nil
}

// supplementReminderText reminds p's claimant that the supplement asked
// for is due at the payload's due_at (shown in Korean time), to send it
// from the claim's page, and that a supplement already sent needs nothing
// more.
func supplementReminderText(m models.OutboxMessage, p claims.StatusPayload, ko, en *i18n.Localizer, baseURL string) (StatusMail, error) {
	var r claims.SupplementReminderPayload
	if err := json.Unmarshal([]byte(m.Payload), &r); err != nil || r.DueAt.IsZero() {
		return StatusMail{}, fmt.Errorf("supplement reminder %s: payload %q has no due time", m.ID, m.Payload)
	}
	args := map[string]any{"Number": p.Number, "Due": r.DueAt.In(kst).Format("2006-01-02 15:04 MST")}
	var lines []string
	for _, l := range []*i18n.Localizer{ko, en} {
		lines = append(lines, l.T("notify.supplement_reminder.body", args), l.T("notify.supplement_reminder.act"), "")
	}
	if baseURL != "" {
		lines = append(lines, baseURL+"/claims/"+p.ClaimID)
	}
	subject := tag(ko) + p.Number + " " + ko.T("notify.supplement_reminder.subject") + " / " + en.T("notify.supplement_reminder.subject")
	return StatusMail{Payload: p, Subject: subject, Body: strings.Join(append(lines, ""), "\r\n")}, nil
}
