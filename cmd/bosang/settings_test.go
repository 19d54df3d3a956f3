package main

import (
	"context"
	"testing"
	"time"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/store"
)

// TestFreeServiceCompensationNoticeIsWired checks that the configured reading
// of the 2025 decree text reaches the outage registry's verdicts: a free
// service's 5-hour outage starting 2025-04-01 owes the compensation notice
// unless the operator configured the exemption. It records the outage
// through the registry the server wires, as an operator would.
func TestFreeServiceCompensationNoticeIsWired(t *testing.T) {
	kst := time.FixedZone("KST", 9*3600)
	start := time.Date(2025, 4, 1, 9, 0, 0, 0, kst)
	end := start.Add(5 * time.Hour)
	tests := []struct {
		name, value string
		owed        bool
	}{
		{"unset: owed", "", true},
		{"owed", "owed", true},
		{"exempt", "exempt", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			vars := map[string]string{"BOSANG_DATA_DIR": t.TempDir(), "BOSANG_FREE_SERVICE_COMPENSATION_NOTICE": tt.value}
			a, err := open(ctx, func(k string) string { return vars[k] })
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			operator, err := a.auth.CreateUser(ctx, auth.NewUser{Email: "operator@example.com", Password: "a long operator passphrase",
				Name: "운영자", Phone: "010-1234-5678", Role: "operator"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.outages.CreateService(ctx, outage.NewServiceInput{Code: "free-app", Name: "무료 앱", NameEN: "Free app", Paid: false,
				Provider: outage.NewProvider{Name: "무료 앱 회사", Kind: "value_added", PriorYearRevenueKRW: 50_000_000_000, AvgDailyUsers: 2_000_000, Contact: "help@free-app.example"},
				Features: []outage.NewFeature{{Code: "chat", Name: "채팅", NameEN: "Chat"}}}); err != nil {
				t.Fatal(err)
			}
			v, err := a.outages.Create(ctx, operator, outage.NewOutage{ServiceID: "free-app", Features: []string{"chat"},
				StartedAt: &start, EndedAt: &end, Cause: "error", Summary: "서버 오류"})
			if err != nil {
				t.Fatal(err)
			}
			if n := v.Notice; !n.InterruptionRequired || n.CompensationRequired != tt.owed {
				t.Errorf("free service 2025: interruption %v, compensation %v; want true, %v", n.InterruptionRequired, n.CompensationRequired, tt.owed)
			}
		})
	}
}

// TestMaxInFlightFollowsThePool: unless BOSANG_MAX_IN_FLIGHT is set, a
// server admits half its connection pool's worth of expensive requests at
// once, never fewer than config.MinMaxInFlight, and on PostgreSQL never
// fewer than a filing group.
func TestMaxInFlightFollowsThePool(t *testing.T) {
	for _, tt := range []struct {
		name             string
		set, pool, group int
		inFlight         int
	}{
		{"PostgreSQL's default pool of 20 lifts to a filing group", 0, 20, store.FilingGroupMax, 32},
		{"a pool of 80 gives half", 0, 80, store.FilingGroupMax, 40},
		{"an odd pool rounds down", 0, 81, store.FilingGroupMax, 40},
		{"a pool of 8 without groups at the floor", 0, 8, 0, 4},
		{"SQLite's one connection lifts to the floor", 0, 1, 0, 4},
		{"set above the pool", 50, 20, store.FilingGroupMax, 50},
		{"set under the floor", 1, 20, store.FilingGroupMax, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := maxInFlight(tt.set, tt.pool, tt.group); got != tt.inFlight {
				t.Errorf("maxInFlight(%d, %d, %d) = %d, want %d", tt.set, tt.pool, tt.group, got, tt.inFlight)
			}
		})
	}
}
