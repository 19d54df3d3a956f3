package claims_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/bosang/bosang/claims"
)

// TestSupplementReminderDue pins the window in which a supplement is
// reminded of: from its due time back to the lead, both ends included.
func TestSupplementReminderDue(t *testing.T) {
	now := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	lead := claims.DefaultSupplementReminderLead
	cases := []struct {
		name string
		due  time.Time
		want bool
	}{
		{"due in exactly the lead: reminded", now.Add(lead), true},
		{"due in the lead + 1s: not yet", now.Add(lead + time.Second), false},
		{"due in 1h: reminded", now.Add(time.Hour), true},
		{"due exactly now: still on time, reminded", now, true},
		{"1s past due: not reminded", now.Add(-time.Second), false},
		{"a week past due: not reminded", now.Add(-7 * 24 * time.Hour), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := claims.SupplementReminderDue(tc.due, now, lead); got != tc.want {
				t.Errorf("SupplementReminderDue(due %v, now %v, lead %v) = %v, want %v", tc.due, now, lead, got, tc.want)
			}
		})
	}
	if lead != 48*time.Hour {
		t.Errorf("default lead %v, want 2 days", lead)
	}
}

// TestSupplementReminderMessage: the message names the claim, its claimant
// and due time, and its dedupe id is the claim and due time, in UTC
// whatever zone the due time comes in.
func TestSupplementReminderMessage(t *testing.T) {
	kst := time.FixedZone("KST", 9*3600)
	due := time.Date(2024, 5, 3, 18, 0, 0, 0, kst)
	now := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	d := claims.SupplementDue{ClaimID: "c1", Number: "BS-2024-000001", ClaimantID: "u1", DueAt: due}
	m := claims.SupplementReminder("m1", d, now)
	if m.Topic != claims.TopicSupplementReminder || m.DedupeID != "claim-supplement-reminder-c1-20240503T090000Z" {
		t.Errorf("topic %q, dedupe id %q", m.Topic, m.DedupeID)
	}
	if again := claims.SupplementReminder("m2", d, now.Add(time.Hour)); again.DedupeID != m.DedupeID {
		t.Errorf("a later run's dedupe id %q differs from %q: it would remind twice", again.DedupeID, m.DedupeID)
	}
	var p claims.SupplementReminderPayload
	if err := json.Unmarshal([]byte(m.Payload), &p); err != nil {
		t.Fatal(err)
	}
	if p.ClaimID != "c1" || p.Number != "BS-2024-000001" || p.ClaimantID != "u1" || !p.DueAt.Equal(due) || p.Status != "supplement_requested" {
		t.Errorf("payload %+v", p)
	}
	if !m.AvailableAt.Equal(now) {
		t.Errorf("available at %v, want now", m.AvailableAt)
	}
}
