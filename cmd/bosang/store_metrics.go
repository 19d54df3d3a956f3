package main

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bosang/bosang/store"
)

// filingGroupMetrics registers the filing writer's figures (PostgreSQL
// writes filings in groups, store.OnFilingGroup) and returns what observes
// one group: how many filings each group wrote, how long each filing
// waited for the writer to take it, how long writing a group took, and how
// many groups fell back to writing their filings one by one.
func filingGroupMetrics(r prometheus.Registerer) (func(store.FilingGroupReport), error) {
	size := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "bosang_filing_group_size",
		Help:    "Filings written by one statement of the filing writer (PostgreSQL).",
		Buckets: []float64{1, 2, 4, 8, 16, 24, store.FilingGroupMax}})
	seconds := prometheus.ExponentialBuckets(0.0005, 2, 12) // 0.5 ms to about 1 s
	wait := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "bosang_filing_group_wait_seconds",
		Help:    "How long a filing waited in the queue before the writer took it into a group.",
		Buckets: seconds})
	took := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "bosang_filing_group_write_seconds",
		Help:    "How long writing one group of filings took, fallback included.",
		Buckets: seconds})
	fellBack := prometheus.NewCounter(prometheus.CounterOpts{Name: "bosang_filing_group_fallbacks_total",
		Help: "Groups whose statement failed, so that each filing was written by itself."})
	for _, c := range []prometheus.Collector{size, wait, took, fellBack} {
		if err := r.Register(c); err != nil {
			return nil, err
		}
	}
	return func(g store.FilingGroupReport) {
		size.Observe(float64(len(g.Waits)))
		for _, w := range g.Waits {
			wait.Observe(w.Seconds())
		}
		took.Observe(g.Took.Seconds())
		if g.FellBack {
			fellBack.Inc()
		}
	}, nil
}

// claimPageMetrics registers the claim page cache's counts (PostgreSQL,
// store.DB.ClaimPageCacheStats), read from stats at each scrape: pages
// answered from it, pages read whole, and pages it holds.
func claimPageMetrics(r prometheus.Registerer, stats func() store.ClaimPageCacheStats) error {
	for _, c := range []prometheus.Collector{
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "bosang_claim_page_cache_hits_total",
			Help: "Claim pages answered from the cache: the claim's row still had the stamp the page was read with."},
			func() float64 { return float64(stats().Hits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "bosang_claim_page_cache_misses_total",
			Help: "Claim pages read whole: none cached, or the claim changed since."},
			func() float64 { return float64(stats().Misses) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "bosang_claim_page_cache_pages",
			Help: "Claim pages the cache holds (BOSANG_CLAIM_PAGE_CACHE at most)."},
			func() float64 { return float64(stats().Cached) }),
	} {
		if err := r.Register(c); err != nil {
			return err
		}
	}
	return nil
}
