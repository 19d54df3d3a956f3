package outage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/statute"
)

// TopicNoticeOverdue is the outbox topic that alerts the operators that a
// statutory notice is past its deadline and not recorded as sent; its
// payload is a NoticeOverdue. The sender delivers it to every active
// operator and admin account.
const TopicNoticeOverdue = "outage.notice_overdue"

// AlertRoles are the roles whose enabled accounts receive the
// TopicNoticeOverdue alerts: the operators, who record outages and their
// notices, and the admins.
var AlertRoles = []models.Role{models.RoleOperator, models.RoleAdmin}

// alertPage is how many outages AlertOverdueNotices reads at a time.
const alertPage = 200

// NoticeOverdue is the payload of a TopicNoticeOverdue message: the outage,
// the notice owed and its deadline, and the text of the decree that owes it,
// as the statute package judged them when the alert was written.
type NoticeOverdue struct {
	OutageID      string     `json:"outage_id"`
	ServiceName   string     `json:"service_name"`
	ServiceNameEN string     `json:"service_name_en"`
	ProviderName  string     `json:"provider"`
	Summary       string     `json:"summary"`
	StartedAt     time.Time  `json:"started_at"`
	EndedAt       *time.Time `json:"ended_at"`
	// Kind is the notice owed.
	Kind statute.NoticeKind `json:"kind"`
	// DueAt is its deadline (statute.Verdict's due time of Kind).
	DueAt time.Time `json:"due_at"`
	// Regime names the text of the decree the outage is judged under
	// (statute.Verdict.Regime, e.g. "decree-2025-03-28").
	Regime string `json:"regime"`
	// CompensationDays is how many days after restoration that text
	// allows for the compensation notice.
	CompensationDays int `json:"compensation_days"`
	// At is when the alert was written.
	At time.Time `json:"at"`
}

// NoticeOverdueDedupeID is the dedupe id of the alert that notice kind of
// outageID is overdue past due: one alert per outage, notice and deadline,
// however often and on however many instances AlertOverdueNotices runs. A
// correction that moves the deadline alerts again. The time is in UTC in
// ISO 8601's basic format, whose characters a Message-ID may carry.
func NoticeOverdueDedupeID(outageID string, kind statute.NoticeKind, due time.Time) string {
	return "outage-notice-overdue-" + outageID + "-" + string(kind) + "-" + due.UTC().Format("20060102T150405Z")
}

// OverdueAlertWindow is how long after a deadline an unsent notice is still
// alerted: an alert is written on the first run after the deadline, so the
// window only keeps a first deployment (or a database restored from an old
// backup) from mailing the operators about every outage of past years.
const OverdueAlertWindow = 90 * 24 * time.Hour

// OverdueAlerts are the TopicNoticeOverdue messages, with ids from newID,
// that v calls for at now: one per notice the statute package counts as
// overdue in v (statute.Overdue: required, due strictly before now, and
// not recorded as sent) whose deadline passed at most OverdueAlertWindow
// ago. v must be a view as of now.
func OverdueAlerts(v *View, now time.Time, newID func() string) []*models.OutboxMessage {
	var out []*models.OutboxMessage
	for _, k := range v.Notice.Overdue {
		due := v.Notice.InterruptionNoticeDueAt
		if k == statute.NoticeCompensation {
			due = v.Notice.CompensationNoticeDueAt
		}
		if due == nil || now.Sub(*due) > OverdueAlertWindow { // statute.Overdue lists only notices with a due time
			continue
		}
		p := NoticeOverdue{OutageID: v.ID, ServiceName: v.Service.Name, ServiceNameEN: v.Service.NameEN, ProviderName: v.ProviderName,
			Summary: v.Summary, StartedAt: v.StartedAt, EndedAt: v.EndedAt, Kind: k, DueAt: due.UTC(), Regime: v.Notice.Regime,
			CompensationDays: compensationDays(v), At: now.UTC()}
		payload, _ := json.Marshal(p)
		out = append(out, &models.OutboxMessage{ID: newID(), Topic: TopicNoticeOverdue, DedupeID: NoticeOverdueDedupeID(v.ID, k, *due),
			Payload: string(payload), AvailableAt: now.UTC(), CreatedAt: now.UTC()})
	}
	return out
}

// AlertOverdueNotices queues one TopicNoticeOverdue alert for each
// statutory notice that is overdue and not recorded as sent, for every
// outage (OverdueAlerts). It is the periodic job of overdue notice alerts:
// an outage, notice and deadline is alerted once however often it runs, on
// however many instances at once, because the alert's dedupe id
// (NoticeOverdueDedupeID) is unique in the outbox; recording the notice
// stops further alerts. It returns how many alerts it queued, not counting
// those queued before. An outage the statute package cannot judge does not
// stop the others: its error is returned, joined, with the count; a store
// error stops the run.
func (s *Service) AlertOverdueNotices(ctx context.Context) (int, error) {
	now := s.now().UTC()
	catalog, err := s.catalogue(ctx)
	if err != nil {
		return 0, err
	}
	kinds := []string{string(statute.NoticeInterruption), string(statute.NoticeCompensation)}
	n, after := 0, ""
	var errs []error
	for {
		recs, err := s.store.Outages(ctx, Filter{MissingNotice: kinds, Limit: alertPage, After: after})
		if err != nil {
			return n, errors.Join(append(errs, err)...)
		}
		for i := range recs {
			v, err := view(&recs[i], catalog, s.settings, now)
			if err != nil {
				errs = append(errs, fmt.Errorf("outage %s: %w", recs[i].Outage.ID, err))
				continue
			}
			for _, m := range OverdueAlerts(v, now, s.newID) {
				added, err := s.store.EnqueueNew(ctx, m)
				if err != nil {
					return n, errors.Join(append(errs, err)...)
				}
				if added {
					n++
				}
			}
		}
		if len(recs) < alertPage {
			return n, errors.Join(errs...)
		}
		after = recs[len(recs)-1].Outage.ID
	}
}
