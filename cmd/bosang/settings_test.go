package main

import (
	"context"
	"testing"
	"time"

	"github.com/bosang/bosang/statute"
)

// TestFreeServiceCompensationNoticeIsWired checks that the configured reading
// of the 2025 decree text reaches the outage registry's verdicts: a free
// service's 5-hour outage starting 2025-04-01 owes the compensation notice
// unless the operator configured the exemption.
func TestFreeServiceCompensationNoticeIsWired(t *testing.T) {
	kst := time.FixedZone("KST", 9*3600)
	start := time.Date(2025, 4, 1, 9, 0, 0, 0, kst)
	end := start.Add(5 * time.Hour)
	c := statute.Case{Provider: statute.Provider{Kind: statute.ProviderValueAdded, PriorYearRevenueWon: 50_000_000_000, AvgDailyUsers: 2_000_000},
		Free: true, Cause: statute.CauseError, Windows: []statute.Window{{Start: start, End: &end}}}
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
			vars := map[string]string{"BOSANG_DATA_DIR": t.TempDir(), "BOSANG_FREE_SERVICE_COMPENSATION_NOTICE": tt.value}
			a, err := open(context.Background(), func(k string) string { return vars[k] })
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			v, err := statute.Evaluate(c, a.outages.Settings(), end.AddDate(0, 1, 0))
			if err != nil {
				t.Fatal(err)
			}
			if !v.InterruptionRequired || v.CompensationRequired != tt.owed {
				t.Errorf("free service 2025: interruption %v, compensation %v; want true, %v", v.InterruptionRequired, v.CompensationRequired, tt.owed)
			}
		})
	}
}
