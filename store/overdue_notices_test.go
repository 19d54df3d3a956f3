package store_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/statute"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestAlertOverdueNotices: on both databases, two instances alerting at
// once queue one alert per overdue notice between them; outages whose
// notices are recorded or not owed get none, and a second run adds none.
func TestAlertOverdueNotices(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2025, 8, 1, 9, 0, 0, 0, time.UTC)
		staff := newUser("operator@example.com")
		staff.Role = models.RoleOperator
		if err := db.CreateUser(ctx, staff); err != nil {
			t.Fatal(err)
		}
		prov := &models.Provider{ID: uuid.NewString(), Name: "플랫폼", Kind: "value_added", PriorYearRevenueKRW: 50_000_000_000,
			AvgDailyUsers: 2_000_000, CreatedAt: now}
		if err := db.Outages().CreateProvider(ctx, prov); err != nil {
			t.Fatal(err)
		}
		svc := &models.Service{ID: uuid.NewString(), Code: "talk", Name: "메신저", NameEN: "Messenger", ProviderID: prov.ID, Paid: true, CreatedAt: now}
		feat := models.Feature{ID: uuid.NewString(), ServiceID: svc.ID, Code: "chat", Name: "채팅"}
		if err := db.InTx(ctx, func(tx *store.DB) error { return tx.Outages().CreateService(ctx, svc, []models.Feature{feat}, nil) }); err != nil {
			t.Fatal(err)
		}
		add := func(cause string, start time.Time, end *time.Time, notices ...string) string {
			t.Helper()
			o := &models.Outage{ID: uuid.NewString(), ServiceID: svc.ID, Cause: cause, Summary: "장애", Regions: "[]", StartedAt: start,
				EndedAt: end, Version: 1, CreatedBy: staff.ID, CreatedAt: start, UpdatedAt: start}
			err := db.InTx(ctx, func(tx *store.DB) error {
				if err := tx.Outages().CreateOutage(ctx, o, []models.OutageFeature{{OutageID: o.ID, FeatureID: feat.ID}}, entryFor("outage.create", audit.EntityOutage, o.ID, o.CreatedAt)); err != nil {
					return err
				}
				for _, k := range notices {
					n := &models.Notice{ID: uuid.NewString(), OutageID: o.ID, Kind: k, Channels: `["website"]`, SentAt: start.Add(time.Hour),
						Body: "고지", RecordedBy: staff.ID, CreatedAt: start.Add(time.Hour)}
					if err := tx.Outages().AddNotice(ctx, n, entryFor("outage.notice", audit.EntityOutage, o.ID, n.CreatedAt)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return o.ID
		}
		ended := now.Add(-35 * day)
		bothOverdue := add("fire", now.Add(-40*day), &ended)
		recorded := add("fire", now.Add(-40*day), &ended, "interruption", "compensation")
		ongoing := add("fire", now.Add(-2*time.Hour), nil) // interruption due an hour ago
		exempt := add("announced_maintenance", now.Add(-40*day), &ended)

		kinds := []string{"interruption", "compensation"}
		recs, err := db.Outages().Outages(ctx, outage.Filter{MissingNotice: kinds})
		if err != nil {
			t.Fatal(err)
		}
		var missing []string
		for _, r := range recs {
			missing = append(missing, r.Outage.ID)
		}
		slices.Sort(missing)
		if want := sorted(bothOverdue, ongoing, exempt); !slices.Equal(missing, want) {
			t.Errorf("outages missing a notice: got %v, want %v (not the one with both recorded)", missing, want)
		}

		var wg sync.WaitGroup
		counts, errs := make([]int, 2), make([]error, 2)
		for i := range 2 {
			s := outage.NewService(db.Outages(), statute.DefaultSettings(), func() time.Time { return now }, uuid.NewString)
			wg.Go(func() { counts[i], errs[i] = s.AlertOverdueNotices(ctx) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if counts[0]+counts[1] != 3 {
			t.Errorf("reported %d + %d alerts, want 3 in all", counts[0], counts[1])
		}
		start := now.Add(-40 * day)
		for _, want := range []string{
			outage.NoticeOverdueDedupeID(bothOverdue, statute.NoticeInterruption, start.Add(time.Hour)),
			outage.NoticeOverdueDedupeID(bothOverdue, statute.NoticeCompensation, ended.Add(30*day)),
			outage.NoticeOverdueDedupeID(ongoing, statute.NoticeInterruption, now.Add(-time.Hour)),
		} {
			if n := countOutbox(t, db, want); n != 1 {
				t.Errorf("%s: %d messages, want 1", want, n)
			}
		}
		sqlDB, _ := db.SQL()
		var total int
		if err := sqlDB.QueryRowContext(ctx, pgPlaceholders(db, "SELECT COUNT(*) FROM outbox WHERE topic = ?"), outage.TopicNoticeOverdue).Scan(&total); err != nil {
			t.Fatal(err)
		}
		if total != 3 {
			t.Errorf("%d alerts queued, want 3 (none for %s, %s)", total, recorded, exempt)
		}
		s := outage.NewService(db.Outages(), statute.DefaultSettings(), func() time.Time { return now.Add(time.Hour) }, uuid.NewString)
		if n, err := s.AlertOverdueNotices(ctx); err != nil || n != 0 {
			t.Errorf("a later run: %d alerts, %v; want none new", n, err)
		}
	})
}

// TestActiveStaffEmails: the alerts go to enabled operators and admins.
func TestActiveStaffEmails(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, u := range []struct {
			email    string
			role     models.Role
			disabled bool
		}{
			{"op@example.com", models.RoleOperator, false}, {"admin@example.com", models.RoleAdmin, false},
			{"gone@example.com", models.RoleOperator, true}, {"rev@example.com", models.RoleReviewer, false},
			{"sup@example.com", models.RoleSupervisor, false}, {"claimant@example.com", models.RoleClaimant, false},
		} {
			nu := newUser(u.email)
			nu.Role = u.role
			if u.disabled {
				at := testNow
				nu.DisabledAt = &at
			}
			if err := db.CreateUser(ctx, nu); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.ActiveStaffEmails(ctx, outage.AlertRoles...)
		if want := []string{"admin@example.com", "op@example.com"}; err != nil || !slices.Equal(got, want) {
			t.Errorf("got %v, %v; want %v", got, err, want)
		}
	})
}

func sorted(ids ...string) []string { slices.Sort(ids); return ids }
