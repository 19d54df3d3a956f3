package claims

import (
	"context"
	"encoding/json"
	"time"

	"github.com/bosang/bosang/models"
)

// TopicSupplementReminder is the outbox topic that reminds a claimant that
// the supplement a reviewer asked for falls due soon; its payload is a
// SupplementReminderPayload.
const TopicSupplementReminder = "claim.supplement_reminder"

// DefaultSupplementReminderLead is how long before a supplement's due time
// its claimant is reminded, unless SetSupplementReminderLead says otherwise.
const DefaultSupplementReminderLead = 48 * time.Hour

// reminderPage is how many due supplements RemindSupplements reads at a
// time.
const reminderPage = 500

// SupplementDue is a claim waiting for its claimant's supplement, and when
// the supplement is due.
type SupplementDue struct {
	ClaimID    string
	Number     string
	ClaimantID string
	DueAt      time.Time
}

// SupplementReminderPayload is the payload of a TopicSupplementReminder
// message. Its first fields are StatusPayload's, so that a receiver that
// reads claim messages finds the claim and its claimant alike.
type SupplementReminderPayload struct {
	ClaimID    string `json:"claim_id"`
	Number     string `json:"number"`
	ClaimantID string `json:"claimant_id"`
	// Status is always supplement_requested.
	Status string `json:"status"`
	// At is when the reminder was written.
	At time.Time `json:"at"`
	// DueAt is when the supplement is due.
	DueAt time.Time `json:"due_at"`
}

// SupplementReminderDue reports whether a supplement due at due is to be
// reminded of at now with lead: it is not past (due at or after now; due
// exactly now is still on time) and falls due within lead (at or before
// now+lead).
func SupplementReminderDue(due, now time.Time, lead time.Duration) bool {
	return !due.Before(now) && !due.After(now.Add(lead))
}

// SupplementReminderDedupeID is the dedupe id of the reminder of claimID's
// supplement due at due: one reminder per claim and due time, however often
// and on however many instances RemindSupplements runs. A new request with
// another due time gets its own reminder. The time is in UTC in ISO 8601's
// basic format (20240503T090000Z), whose characters a Message-ID may carry.
func SupplementReminderDedupeID(claimID string, due time.Time) string {
	return "claim-supplement-reminder-" + claimID + "-" + due.UTC().Format(dedupeTime)
}

// dedupeTime writes the times in dedupe ids: UTC, to the second, in ISO
// 8601's basic format.
const dedupeTime = "20060102T150405Z"

// SupplementReminder is the outbox message, with id, reminding d's
// claimant at now that the supplement is due.
func SupplementReminder(id string, d SupplementDue, now time.Time) *models.OutboxMessage {
	payload, _ := json.Marshal(SupplementReminderPayload{ClaimID: d.ClaimID, Number: d.Number, ClaimantID: d.ClaimantID,
		Status: string(models.StatusSupplementRequested), At: now.UTC(), DueAt: d.DueAt.UTC()})
	return &models.OutboxMessage{ID: id, Topic: TopicSupplementReminder, DedupeID: SupplementReminderDedupeID(d.ClaimID, d.DueAt),
		Payload: string(payload), AvailableAt: now.UTC(), CreatedAt: now.UTC()}
}

// SetSupplementReminderLead sets how long before its due time a supplement
// is reminded of (DefaultSupplementReminderLead unless set); a lead that is
// not positive keeps the default.
func (s *Service) SetSupplementReminderLead(lead time.Duration) {
	if lead > 0 {
		s.reminderLead = lead
	}
}

// RemindSupplements queues one TopicSupplementReminder message for each
// claim still waiting for its supplement whose due time is, by
// SupplementReminderDue, within the reminder lead and not past. It is the
// periodic job of supplement reminders: a claim and due time is reminded of
// once however often it runs, on however many instances at once, because
// the message's dedupe id (SupplementReminderDedupeID) is unique in the
// outbox. It returns how many reminders it queued; those queued before are
// not counted. A store error stops it, returning the count so far.
func (s *Service) RemindSupplements(ctx context.Context) (int, error) {
	now := s.now().UTC()
	lead := s.reminderLead
	n, after := 0, ""
	for {
		page, err := s.store.SupplementsDue(ctx, now, now.Add(lead), after, reminderPage)
		if err != nil {
			return n, err
		}
		for _, d := range page {
			if !SupplementReminderDue(d.DueAt, now, lead) {
				continue
			}
			added, err := s.store.EnqueueNew(ctx, SupplementReminder(s.newID(), d, now))
			if err != nil {
				return n, err
			}
			if added {
				n++
			}
		}
		if len(page) < reminderPage {
			return n, nil
		}
		after = page[len(page)-1].ClaimID
	}
}
