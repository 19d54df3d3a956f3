package outage

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/statute"
)

// alertStore serves outage records and keeps the outbox by dedupe id.
type alertStore struct {
	Store
	mu     sync.Mutex
	recs   []Record
	outbox map[string]*models.OutboxMessage
}

func (a *alertStore) Catalog(context.Context) ([]CatalogEntry, error) { return nil, nil }

func (a *alertStore) Outages(_ context.Context, f Filter) ([]Record, error) {
	if !slices.Equal(f.MissingNotice, []string{"interruption", "compensation"}) {
		return nil, nil // only outages missing a notice can be overdue
	}
	return a.recs, nil
}

func (a *alertStore) EnqueueNew(_ context.Context, m *models.OutboxMessage) (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.outbox[m.DedupeID]; ok {
		return false, nil
	}
	a.outbox[m.DedupeID] = m
	return true, nil
}

// TestAlertOverdueNotices pins when operators are alerted: a deadline
// reached exactly is not yet overdue (statute.Overdue: due strictly before
// now), one second past it is, a recorded notice never is, and a run
// repeated alerts nothing new.
func TestAlertOverdueNotices(t *testing.T) {
	start := time.Date(2025, 6, 2, 14, 0, 0, 0, kst)
	end := start.Add(3 * time.Hour)
	// A fire owes the interruption notice at any length, due after the
	// internal target of an hour; the compensation notice is due 30 days
	// after restoration.
	intDue, cmpDue := start.Add(time.Hour), end.Add(30*24*time.Hour)
	sent := func(kind string) models.Notice {
		return models.Notice{ID: "n-" + kind, OutageID: "o1", Kind: kind, Channels: `["website"]`, SentAt: start.Add(30 * time.Minute)}
	}
	cases := []struct {
		name    string
		now     time.Time
		notices []models.Notice
		want    map[statute.NoticeKind]time.Time
	}{
		{"interruption deadline exactly now: not overdue yet", intDue, nil, nil},
		{"1s past the interruption deadline: alert", intDue.Add(time.Second), nil,
			map[statute.NoticeKind]time.Time{statute.NoticeInterruption: intDue}},
		{"interruption notice recorded: no alert", intDue.Add(time.Second), []models.Notice{sent("interruption")}, nil},
		{"compensation deadline exactly now: only the interruption", cmpDue, nil,
			map[statute.NoticeKind]time.Time{statute.NoticeInterruption: intDue}},
		{"1s past both deadlines: an alert for each", cmpDue.Add(time.Second), nil,
			map[statute.NoticeKind]time.Time{statute.NoticeInterruption: intDue, statute.NoticeCompensation: cmpDue}},
		{"both recorded: no alert", cmpDue.Add(time.Second), []models.Notice{sent("interruption"), sent("compensation")}, nil},
		{"interruption deadline exactly the alert window ago: still alerted", intDue.Add(OverdueAlertWindow), nil,
			map[statute.NoticeKind]time.Time{statute.NoticeInterruption: intDue, statute.NoticeCompensation: cmpDue}},
		{"interruption deadline 1s past the alert window: only the compensation notice", intDue.Add(OverdueAlertWindow + time.Second), nil,
			map[statute.NoticeKind]time.Time{statute.NoticeCompensation: cmpDue}},
		{"both deadlines older than the window: no alert", cmpDue.Add(OverdueAlertWindow + time.Second), nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ended *time.Time // still going on before end
			if !tc.now.Before(end) {
				e := end.UTC()
				ended = &e
			}
			rec := Record{
				Outage:  models.Outage{ID: "o1", ServiceID: "s1", Cause: "fire", Summary: "데이터센터 화재", StartedAt: start.UTC(), EndedAt: ended, Version: 1},
				Service: models.Service{ID: "s1", Code: "talk", Name: "메신저", NameEN: "Messenger", Paid: true},
				Provider: models.Provider{Name: "플랫폼", Kind: "value_added", PriorYearRevenueKRW: 50_000_000_000,
					AvgDailyUsers: 2_000_000},
				Notices: tc.notices,
			}
			st := &alertStore{recs: []Record{rec}, outbox: map[string]*models.OutboxMessage{}}
			ids := 0
			s := NewService(st, statute.DefaultSettings(), func() time.Time { return tc.now }, func() string { ids++; return "m" + strconv.Itoa(ids) })
			n, err := s.AlertOverdueNotices(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if n != len(tc.want) || len(st.outbox) != len(tc.want) {
				t.Fatalf("queued %d (reported %d), want %d", len(st.outbox), n, len(tc.want))
			}
			for kind, due := range tc.want {
				m, ok := st.outbox[NoticeOverdueDedupeID("o1", kind, due)]
				if !ok {
					t.Fatalf("no %s alert for the deadline %v among %v", kind, due, keys(st.outbox))
				}
				var p NoticeOverdue
				if err := json.Unmarshal([]byte(m.Payload), &p); err != nil {
					t.Fatal(err)
				}
				if m.Topic != TopicNoticeOverdue || p.OutageID != "o1" || p.Kind != kind || !p.DueAt.Equal(due) ||
					p.Regime != "decree-2025-03-28" || p.ServiceName != "메신저" || p.CompensationDays != 30 {
					t.Errorf("%s alert: topic %s, payload %+v", kind, m.Topic, p)
				}
			}
			if again, err := s.AlertOverdueNotices(context.Background()); err != nil || again != 0 || len(st.outbox) != len(tc.want) {
				t.Errorf("second run: queued %d (%v), outbox %d; want nothing new", again, err, len(st.outbox))
			}
		})
	}
}

// TestNoticeOverdueDedupeID: the id names the outage, notice and deadline
// in UTC, so a moved deadline is a new alert and the zone of the clock is
// not.
func TestNoticeOverdueDedupeID(t *testing.T) {
	due := time.Date(2025, 6, 2, 15, 0, 0, 0, kst)
	if got := NoticeOverdueDedupeID("o1", statute.NoticeInterruption, due); got != "outage-notice-overdue-o1-interruption-20250602T060000Z" {
		t.Errorf("got %q", got)
	}
	if NoticeOverdueDedupeID("o1", statute.NoticeInterruption, due) == NoticeOverdueDedupeID("o1", statute.NoticeInterruption, due.Add(time.Second)) {
		t.Error("a moved deadline keeps its dedupe id: it would not alert again")
	}
}

func keys(m map[string]*models.OutboxMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
