package main

import (
	"maps"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bosang/bosang/store"
)

// TestFilingGroupMetrics: each reported group counts its size once, each
// of its filings' waits, its write time, and a fallback when its
// statement failed.
func TestFilingGroupMetrics(t *testing.T) {
	r := prometheus.NewRegistry()
	observe, err := filingGroupMetrics(r)
	if err != nil {
		t.Fatal(err)
	}
	observe(store.FilingGroupReport{Waits: []time.Duration{time.Millisecond, 3 * time.Millisecond, 40 * time.Millisecond}, Took: 5 * time.Millisecond})
	observe(store.FilingGroupReport{Waits: []time.Duration{0}, Took: 2 * time.Millisecond, FellBack: true})
	families, err := r.Gather()
	if err != nil {
		t.Fatal(err)
	}
	type hist struct {
		n   uint64
		sum float64
	}
	got, fallbacks := map[string]hist{}, -1.0
	for _, f := range families {
		m := f.GetMetric()[0]
		if h := m.GetHistogram(); h != nil {
			got[f.GetName()] = hist{h.GetSampleCount(), h.GetSampleSum()}
		}
		if f.GetName() == "bosang_filing_group_fallbacks_total" {
			fallbacks = m.GetCounter().GetValue()
		}
	}
	near := func(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
	if h := got["bosang_filing_group_size"]; h.n != 2 || h.sum != 4 {
		t.Errorf("group sizes: %d groups, %v filings; want 2 and 4", h.n, h.sum)
	}
	if h := got["bosang_filing_group_wait_seconds"]; h.n != 4 || !near(h.sum, 0.044) {
		t.Errorf("waits: %d, %v s in all; want one per filing, 4, and 0.044 s", h.n, h.sum)
	}
	if h := got["bosang_filing_group_write_seconds"]; h.n != 2 || !near(h.sum, 0.007) {
		t.Errorf("write times: %d, %v s in all; want one per group, 2, and 0.007 s", h.n, h.sum)
	}
	if fallbacks != 1 {
		t.Errorf("fallbacks: %v, want 1", fallbacks)
	}
	if _, err := filingGroupMetrics(r); err == nil {
		t.Fatal("registering the filing metrics twice: want an error")
	}
}

// TestClaimPageMetrics: the claim page cache's counts are read from the
// store at each scrape.
func TestClaimPageMetrics(t *testing.T) {
	r := prometheus.NewRegistry()
	stats := store.ClaimPageCacheStats{Hits: 7, Misses: 3, Cached: 2}
	if err := claimPageMetrics(r, func() store.ClaimPageCacheStats { return stats }); err != nil {
		t.Fatal(err)
	}
	read := func() map[string]float64 {
		families, err := r.Gather()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, f := range families {
			m := f.GetMetric()[0]
			got[f.GetName()] = m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
		return got
	}
	want := map[string]float64{"bosang_claim_page_cache_hits_total": 7, "bosang_claim_page_cache_misses_total": 3, "bosang_claim_page_cache_pages": 2}
	if got := read(); !maps.Equal(got, want) {
		t.Errorf("first scrape: %v; want %v", got, want)
	}
	stats.Hits++
	if got := read()["bosang_claim_page_cache_hits_total"]; got != 8 {
		t.Errorf("after a hit: %v; want 8", got)
	}
}
