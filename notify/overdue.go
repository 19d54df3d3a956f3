package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
)

// StaffRecipients lists the e-mail addresses of the enabled accounts with
// one of roles; store.DB's ActiveStaffEmails is one.
type StaffRecipients func(ctx context.Context, roles ...models.Role) ([]string, error)

// StaffMail is a message to the staff in roles.
type StaffMail struct {
	Roles   []models.Role
	Subject string
	// Body is plain text, Korean then English.
	Body string
}

// NoticeOverdueText writes the alert of an outage.TopicNoticeOverdue
// message to the operators and admins (outage.AlertRoles), in Korean then
// English: which outage (service, start, summary), which notice is
// overdue and its deadline in Korean time, the legal basis (the Act's
// article and the decree's provision, in the text the outage is judged
// under), what the law asks of that notice, and the outage's page under
// baseURL to record the notice once sent. A payload that does not decode,
// or names no outage, notice or deadline, is an error.
func NoticeOverdueText(m models.OutboxMessage, baseURL string) (StaffMail, error) {
	var p outage.NoticeOverdue
	if err := json.Unmarshal([]byte(m.Payload), &p); err != nil || p.OutageID == "" || p.Kind == "" || p.DueAt.IsZero() {
		return StaffMail{}, fmt.Errorf("overdue notice alert %s: payload %q names no outage, notice or deadline", m.ID, m.Payload)
	}
	cat, err := catalog()
	if err != nil {
		return StaffMail{}, err
	}
	ko, en := cat.For("ko"), cat.For("en")
	nameEN := p.ServiceNameEN
	if nameEN == "" {
		nameEN = p.ServiceName
	}
	link := baseURL + "/outages/" + p.OutageID + "#notices"
	var lines []string
	for i, l := range []*i18n.Localizer{ko, en} {
		name := p.ServiceName
		if i == 1 {
			name = nameEN
		}
		args := map[string]any{"Service": name, "Started": p.StartedAt.In(kst).Format("2006-01-02 15:04 MST"),
			"Notice": l.T("notify.notice_overdue.kind." + string(p.Kind)), "Due": p.DueAt.In(kst).Format("2006-01-02 15:04 MST"),
			"Date": strings.TrimPrefix(p.Regime, "decree-"), "Days": p.CompensationDays}
		lines = append(lines, l.T("notify.notice_overdue.body", args), p.Summary, l.T("notify.notice_overdue.due", args),
			l.T("notify.notice_overdue.basis", args), l.T("notify.notice_overdue.rule."+string(p.Kind), args),
			l.T("notify.notice_overdue.act"), link, "")
	}
	subject := tag(ko) + ko.T("notify.notice_overdue.subject") + ": " + p.ServiceName + " / " + en.T("notify.notice_overdue.subject") + ": " + nameEN
	return StaffMail{Roles: outage.AlertRoles, Subject: subject, Body: strings.Join(lines, "\r\n")}, nil
}
