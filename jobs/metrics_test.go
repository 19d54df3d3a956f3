package jobs_test

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bosang/bosang/jobs"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestQueueDepthByLane: the depth gauge counts waiting jobs per queue and
// state, each topic's job in its lane, and as state unqueued the messages
// marked for the dispatcher, each in its topic's lane.
func TestQueueDepthByLane(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		reg := prometheus.NewRegistry()
		cfg := testConfig(func(context.Context, models.OutboxMessage) error { return nil })
		cfg.Metrics = reg
		c, err := jobs.New(db, cfg) // not started: the jobs stay waiting
		if err != nil {
			t.Fatal(err)
		}
		db.SetJobs(c)
		enqueue(t, db, "claim.status", 3)
		enqueue(t, db, "claim.review", 2)
		enqueue(t, db, "policy.reprice", 1)
		marked(t, db, "claim.status", 2)
		marked(t, db, "claim.supplement_reminder", 1) // unrouted: a messages job
		marked(t, db, "claim.review", 4)
		got := map[string]float64{}
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range families {
			if f.GetName() != "bosang_jobs" {
				continue
			}
			for _, m := range f.GetMetric() {
				labels := map[string]string{}
				for _, l := range m.GetLabel() {
					labels[l.GetName()] = l.GetValue()
				}
				got[labels["queue"]+"/"+labels["state"]] = m.GetGauge().GetValue()
			}
		}
		want := map[string]float64{"messages/available": 3, "review/available": 2, "batch/available": 1,
			"messages/unqueued": 3, "review/unqueued": 4}
		if len(got) != len(want) {
			t.Fatalf("bosang_jobs: got %v, want %v", got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("bosang_jobs{%s}: got %v, want %v", k, got[k], v)
			}
		}
	})
}
