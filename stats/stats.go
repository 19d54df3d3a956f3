// Package stats is the numbers staff watch while clearing an outage's claims:
// claims by status and category, the triage splits (money or not, paid or
// free service, merchants), won requested, estimated, approved, paid and
// outstanding, how long decisions take (p50/p90) and the backlog by age
// against the review target. Every figure is an aggregate computed by the
// database; no claim is loaded to count it.
package stats

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/offers"
)

// Statuses are the claim statuses in lifecycle order.
var Statuses = models.Names(models.ClaimStatuses())

// Categories are the claimant categories.
var Categories = models.Names(models.ClaimCategories())

// OpenStatuses are the claims still waiting for a decision (the backlog).
var OpenStatuses = models.Names(models.OpenStatuses())

// DecidedStatuses are the claims that carry a final decision, paid ones
// included; their decided_at − created_at is the decision time.
var DecidedStatuses = models.Names(append(models.DecidedStatuses(), models.StatusPaid))

// ApprovedStatuses are the claims whose approved amount is owed or paid.
var ApprovedStatuses = models.Names(append(models.PayableStatuses(), models.StatusPaid))

// PayableStatuses are the approved claims not yet paid.
var PayableStatuses = models.Names(models.PayableStatuses())

// Bucket is one age band of the backlog: claims filed at least From and less
// than To ago (To zero: no upper bound).
type Bucket struct {
	Key      string
	From, To time.Duration
}

const day = 24 * time.Hour

// Buckets are the backlog age bands; the last starts at the 14-day review
// target.
var Buckets = []Bucket{{"lt_1d", 0, day}, {"1_3d", day, 3 * day}, {"3_7d", 3 * day, 7 * day},
	{"7_14d", 7 * day, 14 * day}, {"gt_14d", 14 * day, 0}}

// Group is one row of the grouped aggregate over claims: the claims with one
// status, category, monetary flag and paid/free service, with their sums.
type Group struct {
	Status      string
	Category    string
	Monetary    bool
	PaidService bool
	Claims      int64
	// RequestedKRW sums claimed_amount_krw; EstimatedKRW estimate_amount_krw.
	RequestedKRW int64
	EstimatedKRW int64
	// ApprovedKRW sums approved_amount_krw of approved, partially approved
	// and paid claims.
	ApprovedKRW int64
	// PaidKRW sums the paid payout items of the claims.
	PaidKRW int64
	// OutstandingKRW sums, over approved and partially approved claims, the
	// approved amount not yet covered by paid payout items.
	OutstandingKRW int64
}

// Store is the persistence stats needs. outageID "" means every outage.
type Store interface {
	// OutageExists reports whether the outage exists (false for a malformed id).
	OutageExists(ctx context.Context, outageID string) (bool, error)
	// Groups aggregates claims grouped by status, category, monetary and the
	// service's paid flag.
	Groups(ctx context.Context, outageID string) ([]Group, error)
	// DecisionCount counts claims in DecidedStatuses with a decided_at.
	DecisionCount(ctx context.Context, outageID string) (int64, error)
	// DecisionSeconds lists those claims' decided_at − created_at in whole
	// seconds, ascending, limit rows from offset.
	DecisionSeconds(ctx context.Context, outageID string, offset, limit int64) ([]int64, error)
	// Backlog counts open claims per bucket by age at now, keyed by
	// Bucket.Key.
	Backlog(ctx context.Context, outageID string, now time.Time, buckets []Bucket) (map[string]int64, error)
	// LedgerStore aggregates the offers (package offers).
	offers.LedgerStore
	SnapshotStore
}

// Service computes the figures.
type Service struct {
	store     Store
	target    time.Duration
	now       func() time.Time
	snapshots *snapshots
}

// NewService wires a Service; reviewTarget is the age by which a claim
// should be decided (review.Settings.ReviewTarget).
func NewService(store Store, reviewTarget time.Duration, now func() time.Time) *Service {
	return &Service{store: store, target: reviewTarget, now: now}
}

// Figures is the dashboard of one outage, or of all outages when OutageID is
// nil. Money is in won.
type Figures struct {
	OutageID   *string          `json:"outage_id"`
	AsOf       time.Time        `json:"as_of"`
	Claims     int64            `json:"claims"`
	ByStatus   map[string]int64 `json:"by_status"`
	ByCategory map[string]int64 `json:"by_category"`
	Triage     Triage           `json:"triage"`
	Money      Money            `json:"money"`
	Decision   DecisionTime     `json:"decision_hours"`
	Backlog    Backlog          `json:"backlog"`
	// Offers is the offer ledger (issue 14): offers made, by status, won
	// by status and the take-up rate over time.
	Offers *offers.Ledger `json:"offers"`
}

// Triage are the splits of the claims.
type Triage struct {
	Monetary    int64 `json:"monetary"`
	NonMonetary int64 `json:"non_monetary"`
	PaidService int64 `json:"paid_service"`
	FreeService int64 `json:"free_service"`
	Merchant    int64 `json:"merchant"`
	// MerchantShare is Merchant / all claims, 0 to 1 (0 with no claims).
	MerchantShare float64 `json:"merchant_share"`
}

// Money are the won figures.
type Money struct {
	RequestedKRW   int64 `json:"requested_krw"`
	EstimatedKRW   int64 `json:"estimated_krw"`
	ApprovedKRW    int64 `json:"approved_krw"`
	PaidKRW        int64 `json:"paid_krw"`
	OutstandingKRW int64 `json:"outstanding_krw"`
}

// DecisionTime is the time from filing to a final decision, in hours, as
// continuous percentiles (linear interpolation between the two nearest
// ranks, like PostgreSQL's percentile_cont); 0 with no decided claims.
type DecisionTime struct {
	Decided int64   `json:"decided"`
	P50     float64 `json:"p50"`
	P90     float64 `json:"p90"`
}

// Backlog is the open claims by age.
type Backlog struct {
	Open             int64         `json:"open"`
	ReviewTargetDays int           `json:"review_target_days"`
	OverTarget       int64         `json:"over_target"`
	Buckets          []BucketCount `json:"buckets"`
}

// BucketCount is the open claims in one age band.
type BucketCount struct {
	Bucket string `json:"bucket"`
	Count  int64  `json:"count"`
}

// Figures computes the dashboard for outageID ("" for every outage), or
// reads it from the shared snapshot (WithSnapshots); an unknown outage is
// ErrNotFound.
func (s *Service) Figures(ctx context.Context, outageID string) (*Figures, error) {
	if s.snapshots != nil {
		return s.fromSnapshot(ctx, outageID)
	}
	return s.compute(ctx, outageID)
}

func (s *Service) compute(ctx context.Context, outageID string) (*Figures, error) {
	now := s.now().UTC()
	f := &Figures{AsOf: now, ByStatus: map[string]int64{}, ByCategory: map[string]int64{}}
	if outageID != "" {
		ok, err := s.store.OutageExists(ctx, outageID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("outage %q: %w", outageID, apperr.ErrNotFound)
		}
		f.OutageID = &outageID
	}
	for _, st := range Statuses {
		f.ByStatus[st] = 0
	}
	for _, c := range Categories {
		f.ByCategory[c] = 0
	}
	groups, err := s.store.Groups(ctx, outageID)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		f.Claims += g.Claims
		f.ByStatus[g.Status] += g.Claims
		f.ByCategory[g.Category] += g.Claims
		if g.Monetary {
			f.Triage.Monetary += g.Claims
		} else {
			f.Triage.NonMonetary += g.Claims
		}
		if g.PaidService {
			f.Triage.PaidService += g.Claims
		} else {
			f.Triage.FreeService += g.Claims
		}
		if g.Category == string(models.CategoryMerchant) {
			f.Triage.Merchant += g.Claims
		}
		f.Money.RequestedKRW += g.RequestedKRW
		f.Money.EstimatedKRW += g.EstimatedKRW
		f.Money.ApprovedKRW += g.ApprovedKRW
		f.Money.PaidKRW += g.PaidKRW
		f.Money.OutstandingKRW += g.OutstandingKRW
	}
	if f.Claims > 0 {
		f.Triage.MerchantShare = round(float64(f.Triage.Merchant)/float64(f.Claims), 4)
	}
	if f.Offers, err = offers.ComputeLedger(ctx, s.store, outageID); err != nil {
		return nil, err
	}
	if f.Decision, err = s.decisionTime(ctx, outageID); err != nil {
		return nil, err
	}
	counts, err := s.store.Backlog(ctx, outageID, now, Buckets)
	if err != nil {
		return nil, err
	}
	f.Backlog.ReviewTargetDays = int(s.target / day)
	for _, b := range Buckets {
		n := counts[b.Key]
		f.Backlog.Open += n
		f.Backlog.Buckets = append(f.Backlog.Buckets, BucketCount{Bucket: b.Key, Count: n})
	}
	if s.target > 0 {
		// Over target: open claims filed at least the review target ago.
		over, err := s.store.Backlog(ctx, outageID, now, []Bucket{{"within", 0, s.target}, {"over", s.target, 0}})
		if err != nil {
			return nil, err
		}
		f.Backlog.OverTarget = over["over"]
	}
	return f, nil
}

// decisionTime reads the two percentile rows of the sorted decision times:
// for percentile p of n values the position is p·(n−1), interpolated between
// the rows at its floor and ceiling, each fetched with ORDER BY, OFFSET and
// LIMIT so that both dialects agree.
func (s *Service) decisionTime(ctx context.Context, outageID string) (DecisionTime, error) {
	n, err := s.store.DecisionCount(ctx, outageID)
	if err != nil || n == 0 {
		return DecisionTime{}, err
	}
	d := DecisionTime{Decided: n}
	for _, p := range []struct {
		q   float64
		out *float64
	}{{0.5, &d.P50}, {0.9, &d.P90}} {
		pos := p.q * float64(n-1)
		lo := math.Floor(pos)
		frac := pos - lo
		limit := int64(1)
		if frac > 0 {
			limit = 2
		}
		rows, err := s.store.DecisionSeconds(ctx, outageID, int64(lo), limit)
		if err != nil {
			return DecisionTime{}, err
		}
		if len(rows) == 0 { // decisions changed between the count and now
			continue
		}
		v := float64(rows[0])
		if len(rows) == 2 {
			v += frac * float64(rows[1]-rows[0])
		}
		*p.out = round(v/3600, 2)
	}
	return d, nil
}

func round(v float64, places int) float64 {
	m := math.Pow(10, float64(places))
	return math.Round(v*m) / m
}
