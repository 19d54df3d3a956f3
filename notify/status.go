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
// with the transfer reference, in Korean and in English, ending with the
// claim's address under baseURL when baseURL is set. A payload that does not
// decode is an error.
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
	mail := StatusMail{Payload: p, Subject: "[보상] " + p.Number + " " + ko.T("claims.status."+p.Status)}
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
	lines := []string{l.T("notify.status", map[string]any{"Number": p.Number, "Status": l.T("claims.status." + p.Status)})}
	if p.AmountKRW == nil {
		return lines
	}
	amount := estimate.FormatKRW(*p.AmountKRW)
	if p.Status == "paid" {
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
