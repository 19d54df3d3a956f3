package outage

import (
	"testing"
	"time"

	"github.com/bosang/bosang/policy"
)

func TestFilingOf(t *testing.T) {
	v1 := policy.Default()
	v1.Version, v1.EffectiveFrom, v1.FilingWindowDays = 1, time.Date(2020, 1, 1, 0, 0, 0, 0, kst), 30
	cutover := time.Date(2023, 1, 1, 0, 0, 0, 0, kst)
	v2 := v1
	v2.Version, v2.EffectiveFrom, v2.FilingWindowDays = 2, cutover, 0 // 0: the default 90 days
	policies := []policy.Policy{v2, v1}
	start := time.Date(2022, 10, 15, 15, 30, 0, 0, kst)
	end := start.Add(5 * time.Hour)
	closes := end.Add(30 * 24 * time.Hour)
	ended := func(s, e time.Time) *View { return &View{StartedAt: s, EndedAt: &e} }
	for _, tc := range []struct {
		name                        string
		policies                    []policy.Policy
		v                           *View
		at                          time.Time
		governed, openEnded, closed bool
		version                     int
		closes                      time.Time
	}{
		{"at the outage's start the window is open", policies, ended(start, end), start, true, false, false, 1, closes},
		{"exactly at the closing instant is still open", policies, ended(start, end), closes, true, false, false, 1, closes},
		{"one nanosecond after the closing instant is closed", policies, ended(start, end), closes.Add(time.Nanosecond), true, false, true, 1, closes},
		{"an ongoing outage is open-ended and never closed", policies, &View{StartedAt: start, Ongoing: true}, start.AddDate(5, 0, 0), true, true, false, 1, time.Time{}},
		{"an outage that began exactly at the cut-over is governed by the new policy", policies, ended(cutover, cutover.Add(time.Hour)),
			cutover.Add(91 * 24 * time.Hour), true, false, true, 2, cutover.Add(time.Hour + 90*24*time.Hour)},
		{"an outage that began one nanosecond before the cut-over keeps the old policy", policies, ended(cutover.Add(-time.Nanosecond), cutover.Add(time.Hour)),
			cutover.Add(time.Hour + 31*24*time.Hour), true, false, true, 1, cutover.Add(time.Hour + 30*24*time.Hour)},
		{"a window of 0 days is the default 90", policies, ended(cutover, cutover.Add(time.Hour)),
			cutover.Add(time.Hour + 90*24*time.Hour), true, false, false, 2, cutover.Add(time.Hour + 90*24*time.Hour)},
		{"an outage before every policy is ungoverned and taken as open", []policy.Policy{v2}, ended(start, end), closes.AddDate(1, 0, 0), false, false, false, 0, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := FilingOf(tc.policies, tc.v, tc.at)
			if f.Governed != tc.governed || f.OpenEnded != tc.openEnded || f.Closed != tc.closed || f.Policy.Version != tc.version || !f.Closes.Equal(tc.closes) {
				t.Errorf("got governed %v open-ended %v closed %v v%d closes %v, want %v %v %v v%d %v",
					f.Governed, f.OpenEnded, f.Closed, f.Policy.Version, f.Closes, tc.governed, tc.openEnded, tc.closed, tc.version, tc.closes)
			}
		})
	}
}

func TestListedForFiling(t *testing.T) {
	p := policy.Default()
	p.EffectiveFrom, p.FilingWindowDays = time.Date(2020, 1, 1, 0, 0, 0, 0, kst), 365
	policies := []policy.Policy{p}
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, kst)
	since := now.AddDate(0, 0, -FilingListDays)
	at := func(s, e time.Time) *View { return &View{ID: "o", StartedAt: s, EndedAt: &e} }
	old := time.Date(2022, 1, 1, 0, 0, 0, 0, kst)
	for _, tc := range []struct {
		name  string
		v     *View
		named string
		want  bool
	}{
		{"started just after the list horizon", at(since.Add(time.Second), since.Add(time.Hour)), "", true},
		{"ended just after the list horizon", at(since.Add(-time.Hour), since.Add(time.Second)), "", true},
		{"ended exactly at the horizon, window still open", at(since.Add(-time.Hour), since), "", true},
		{"old, window closed", at(old, old.Add(time.Hour)), "", false},
		{"old, window closed, but the form names it", at(old, old.Add(time.Hour)), "o", true},
		{"old window closing exactly now is still listed", at(now.Add(-365*24*time.Hour-2*time.Hour), now.Add(-365*24*time.Hour)), "", true},
		{"old window closed one second ago", at(now.Add(-365*24*time.Hour-2*time.Hour), now.Add(-365*24*time.Hour-time.Second)), "", false},
		{"ongoing", &View{ID: "o", StartedAt: old, Ongoing: true}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ListedForFiling(policies, tc.v, tc.named, now); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("old outage without a governing policy is not listed", func(t *testing.T) {
		if ListedForFiling(nil, at(old, old.Add(time.Hour)), "", now) {
			t.Error("got listed, want not")
		}
	})
}

func TestFormPolicy(t *testing.T) {
	v1 := policy.Default()
	v1.EffectiveFrom = time.Date(2020, 1, 1, 0, 0, 0, 0, kst)
	v2 := v1
	v2.Version, v2.EffectiveFrom = 2, time.Date(2023, 1, 1, 0, 0, 0, 0, kst)
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, kst)
	for _, tc := range []struct {
		name  string
		named *View
		want  int
	}{
		{"no outage named: the policy in force now", nil, 2},
		{"an outage named: the policy that governs its start", &View{StartedAt: time.Date(2022, 12, 31, 23, 59, 59, 0, kst)}, 1},
		{"an outage named that began at the cut-over", &View{StartedAt: v2.EffectiveFrom}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := FormPolicy([]policy.Policy{v1, v2}, tc.named, now)
			if err != nil || p.Version != tc.want {
				t.Errorf("got v%d (%v), want v%d", p.Version, err, tc.want)
			}
		})
	}
}
