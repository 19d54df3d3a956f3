package claims

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/policy"
)

// TopicReprice is the outbox topic of re-pricing jobs: written with a newly
// published policy, run off the request by its job (RunRepriceJob).
const TopicReprice = "policy.reprice"

// TopicEstimate is the outbox topic that tells a claimant their estimate
// changed because a new policy was published, with the old and new amount.
const TopicEstimate = "claim.estimate"

// DefaultRepricePage is how many claims one committed page of a re-pricing
// job reads.
const DefaultRepricePage = 200

// RepriceJob is the durable request to re-price the claims a newly
// published policy may now govern. ID is the outbox message's id.
type RepriceJob struct {
	ID            string `json:"job_id"`
	PolicyVersion int    `json:"policy_version"`
}

// message is the outbox row that carries the job; its dedupe id is the
// policy version's, since one job per version is all it takes.
func (j RepriceJob) message(now time.Time) *models.OutboxMessage {
	payload, _ := json.Marshal(j)
	return &models.OutboxMessage{ID: j.ID, Topic: TopicReprice, DedupeID: "policy-reprice-" + strconv.Itoa(j.PolicyVersion),
		Payload: string(payload), AvailableAt: now, CreatedAt: now}
}

// ParseRepriceJob reads the job an outbox message of TopicReprice carries.
func ParseRepriceJob(m models.OutboxMessage) (RepriceJob, error) {
	var j RepriceJob
	if err := json.Unmarshal([]byte(m.Payload), &j); err != nil || j.PolicyVersion < 1 {
		return j, fmt.Errorf("reprice job %s: bad payload", m.ID)
	}
	if j.ID == "" {
		j.ID = m.ID
	}
	return j, nil
}

// RepriceReport counts what one run of a re-pricing job did.
type RepriceReport struct {
	// Pages is how many pages of claims the run read.
	Pages int `json:"pages"`
	// Repriced undecided claims got the new estimate.
	Repriced int `json:"repriced"`
	// AboveDecision decided, unpaid claims got a higher estimate recorded
	// beside their unchanged decision.
	AboveDecision int `json:"above_decision"`
	// Kept decided, unpaid claims whose new estimate was not higher.
	Kept int `json:"kept"`
	// Skipped claims were already priced under the policy their outage
	// selects, or no policy covers their outage.
	Skipped int `json:"skipped"`
	// Failed claims could not be priced under the new policy (logged; they
	// keep their estimate).
	Failed int `json:"failed"`
}

func (r *RepriceReport) add(o RepriceReport) {
	r.Repriced += o.Repriced
	r.AboveDecision += o.AboveDecision
	r.Kept += o.Kept
	r.Skipped += o.Skipped
	r.Failed += o.Failed
}

// RunRepriceJob is the job runner's handler of TopicReprice messages: it
// runs the job to completion. An error leaves the message to be retried;
// pages already committed stay, and the retry skips what they re-priced.
func (s *Service) RunRepriceJob(ctx context.Context, m models.OutboxMessage) error {
	j, err := ParseRepriceJob(m)
	if err != nil {
		return err
	}
	_, err = s.Reprice(ctx, j)
	return err
}

// Reprice re-prices, under the policy its outage now selects, every claim
// whose status RepriceRule acts on and that is priced under another
// policy: in pages of claims in id order, each priced with its own records
// outside any transaction, then written in one transaction per page with
// an audit entry per claim and per page and a TopicEstimate message to each
// claimant. It never lowers a decided amount (RepriceRule). Running it again,
// or twice at once, re-prices no claim twice: each write is guarded by the
// claim's version, and a claim already priced under its policy is skipped.
// It returns what it did; an error means it stopped after the pages it
// reports, and running it again finishes the rest.
func (s *Service) Reprice(ctx context.Context, j RepriceJob) (RepriceReport, error) {
	var rep RepriceReport
	all, err := s.loadPolicies(ctx) // fresh: the job exists because a policy was just published
	if err != nil {
		return rep, err
	}
	if !slices.ContainsFunc(all, func(p policy.Policy) bool { return p.Version == j.PolicyVersion }) {
		return rep, fmt.Errorf("reprice job %s: policy %d: %w", j.ID, j.PolicyVersion, apperr.ErrNotFound)
	}
	r := &repricer{s: s, job: j, all: all, outages: map[string]*outage.View{}}
	statuses := make([]string, len(RepricedStatuses))
	for i, st := range RepricedStatuses {
		statuses[i] = string(st)
	}
	size := s.repricePage
	if size <= 0 {
		size = DefaultRepricePage
	}
	s.log.InfoContext(ctx, "reprice job started", "job_id", j.ID, "policy_version", j.PolicyVersion, "page_size", size)
	for after := ""; ; {
		list, err := s.store.RepricePage(ctx, statuses, after, size)
		if err != nil {
			return rep, r.stopped(ctx, rep, err)
		}
		if len(list) == 0 {
			break
		}
		rep.Pages++
		done, err := r.page(ctx, list, rep.Pages)
		rep.add(done)
		if err != nil {
			return rep, r.stopped(ctx, rep, err)
		}
		s.log.InfoContext(ctx, "reprice job progress", "job_id", j.ID, "policy_version", j.PolicyVersion, "page", rep.Pages,
			"repriced", rep.Repriced, "above_decision", rep.AboveDecision, "kept", rep.Kept, "skipped", rep.Skipped, "failed", rep.Failed)
		if len(list) < size {
			break
		}
		after = list[len(list)-1].ID
	}
	err = s.appendAudit(ctx, s.store, audit.Record{Action: "policy.reprice", Entity: audit.EntityPolicy,
		EntityID: strconv.Itoa(j.PolicyVersion), Details: map[string]any{"job_id": j.ID, "done": true, "report": rep}})
	if err != nil {
		return rep, err
	}
	s.log.InfoContext(ctx, "reprice job done", "job_id", j.ID, "policy_version", j.PolicyVersion, "pages", rep.Pages,
		"repriced", rep.Repriced, "above_decision", rep.AboveDecision, "kept", rep.Kept, "skipped", rep.Skipped, "failed", rep.Failed)
	return rep, nil
}

// repricer is one run of a re-pricing job.
type repricer struct {
	s       *Service
	job     RepriceJob
	all     []policy.Policy
	outages map[string]*outage.View
}

// stopped logs why the run stopped, and how far it got, and returns err.
func (r *repricer) stopped(ctx context.Context, rep RepriceReport, err error) error {
	r.s.log.WarnContext(ctx, "reprice job stopped; it will be retried", "job_id", r.job.ID, "policy_version", r.job.PolicyVersion,
		"pages", rep.Pages, "repriced", rep.Repriced, "above_decision", rep.AboveDecision, "err", err)
	return fmt.Errorf("reprice job %s (policy %d): %w", r.job.ID, r.job.PolicyVersion, err)
}

// maxPageAttempts bounds how often a page retries claims that changed
// between pricing and writing before the job gives up and is retried.
const maxPageAttempts = 3

// page prices and writes one page. Claims that changed between reading and
// writing are read again and priced again.
func (r *repricer) page(ctx context.Context, list []models.Claim, n int) (RepriceReport, error) {
	var rep RepriceReport
	pending := list
	for attempt := 1; len(pending) > 0; attempt++ {
		if attempt > maxPageAttempts {
			return rep, fmt.Errorf("page %d: %d claims kept changing: %w", n, len(pending), apperr.ErrConflict)
		}
		if attempt > 1 {
			fresh, err := r.reload(ctx, pending)
			if err != nil {
				return rep, err
			}
			pending = fresh
		}
		plans, counted, err := r.plan(ctx, pending)
		if err != nil {
			return rep, err
		}
		rep.add(counted)
		written, changed, err := r.commit(ctx, plans, n)
		if err != nil {
			return rep, err
		}
		rep.add(written)
		pending = changed
	}
	return rep, nil
}

func (r *repricer) reload(ctx context.Context, list []models.Claim) ([]models.Claim, error) {
	out := make([]models.Claim, 0, len(list))
	for _, c := range list {
		fresh, err := r.s.store.Claim(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, *fresh)
	}
	return out, nil
}

// repricePlan is one claim's new estimate, priced and not yet written.
type repricePlan struct {
	claim  models.Claim
	est    *models.ClaimEstimate
	why    EstimateReason
	effect RepriceEffect
}

// plan prices each claim under the policy its outage selects, with its own
// records, and decides by RepriceRule what to write. Claims that cannot be
// priced (their input no longer fits the policy, their records file is
// gone) are counted as failed and logged; other errors stop the page.
func (r *repricer) plan(ctx context.Context, list []models.Claim) ([]repricePlan, RepriceReport, error) {
	var rep RepriceReport
	var plans []repricePlan
	now := r.s.now().UTC()
	for _, c := range list {
		status := c.Status
		if RepriceRule(status, c.ApprovedAmountKRW, math.MaxInt64) == RepriceUntouched {
			rep.Skipped++
			continue
		}
		o, err := r.outage(ctx, c.OutageID)
		if err != nil {
			return nil, rep, err
		}
		p, err := policy.Select(r.all, o.StartedAt)
		if err != nil || p.Version == c.PolicyVersion {
			rep.Skipped++
			continue
		}
		est, err := r.price(ctx, &c, p, o, now)
		if unpriceable(err) {
			r.s.log.WarnContext(ctx, "reprice: claim not priced", "job_id", r.job.ID, "claim_id", c.ID, "policy_version", p.Version, "err", err)
			rep.Failed++
			continue
		}
		if err != nil {
			return nil, rep, err
		}
		effect := RepriceRule(status, c.ApprovedAmountKRW, est.AmountKRW)
		if effect != RepriceReplace && effect != RepriceAboveDecision {
			rep.Kept++
			continue
		}
		prev := c.EstimateAmountKRW
		why := EstimateReason{Code: ReasonPolicyPublished, PolicyVersion: p.Version, PolicyName: p.Name, PreviousAmountKRW: &prev}
		if effect == RepriceAboveDecision {
			decided := c.ApprovedAmountKRW
			why.AboveDecision, why.DecidedAmountKRW = true, &decided
		}
		plans = append(plans, repricePlan{claim: c, est: r.s.estimateRecord(c.ID, est, why, now), why: why, effect: effect})
	}
	return plans, rep, nil
}

// unpriceable reports errors that belong to one claim, not to the job: the
// claim's input does not fit the policy, or its records cannot be read.
func unpriceable(err error) bool {
	return err != nil && (errors.Is(err, apperr.ErrInvalid) || errors.Is(err, apperr.ErrNotFound))
}

func (r *repricer) price(ctx context.Context, c *models.Claim, p policy.Policy, o *outage.View, now time.Time) (policy.Estimate, error) {
	points, err := r.s.claimRecords(ctx, c)
	if err != nil {
		return policy.Estimate{}, err
	}
	profiles, err := r.s.profileMap(ctx, c.ClaimantID)
	if err != nil {
		return policy.Estimate{}, err
	}
	var details map[string]any
	_ = json.Unmarshal([]byte(c.Details), &details) // written by this package as JSON
	return price(p, models.ClaimCategory(c.Category), o, c.ClaimedAmountKRW, details, profiles, points, now)
}

func (r *repricer) outage(ctx context.Context, id string) (*outage.View, error) {
	if o, ok := r.outages[id]; ok {
		return o, nil
	}
	o, err := r.s.outages.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	r.outages[id] = o
	return o, nil
}

// commit writes a page's plans in one transaction: each claim's estimate
// (guarded by the version it was priced at), its audit entry and the
// claimant's message, then the page's audit entry. It returns the claims
// that changed meanwhile, unwritten.
func (r *repricer) commit(ctx context.Context, plans []repricePlan, page int) (RepriceReport, []models.Claim, error) {
	if len(plans) == 0 {
		return RepriceReport{}, nil, nil
	}
	var rep RepriceReport
	var changed []models.Claim
	now := r.s.now().UTC()
	err := r.s.store.InTx(ctx, func(tx Store) error {
		rep, changed = RepriceReport{}, nil
		for _, pl := range plans {
			err := tx.RepriceEstimate(ctx, pl.est, pl.claim.Version, now)
			if errors.Is(err, apperr.ErrPreconditionFailed) {
				changed = append(changed, pl.claim)
				continue
			}
			if err != nil {
				return err
			}
			err = r.s.appendAudit(ctx, tx, audit.Record{Action: "claim.reprice", Entity: audit.EntityClaim, EntityID: pl.claim.ID,
				SubjectID: pl.claim.ClaimantID, Details: map[string]any{"job_id": r.job.ID, "policy_version": pl.est.PolicyVersion,
					"amount_krw": pl.est.AmountKRW, "previous_krw": pl.claim.EstimateAmountKRW, "effect": pl.effect}})
			if err != nil {
				return err
			}
			if err := tx.Enqueue(ctx, estimateMessage(r.s.newID(), &pl.claim, pl.est, pl.why)); err != nil {
				return err
			}
			if pl.effect == RepriceReplace {
				// An open claim's new estimate may now allow, or forbid,
				// automatic approval: the review hooks look at it again.
				if err := tx.Enqueue(ctx, r.s.reviewJob(pl.claim.ID, "repriced", now)); err != nil {
					return err
				}
			}
			if pl.effect == RepriceAboveDecision {
				rep.AboveDecision++
			} else {
				rep.Repriced++
			}
		}
		return r.s.appendAudit(ctx, tx, audit.Record{Action: "policy.reprice_page", Entity: audit.EntityPolicy,
			EntityID: strconv.Itoa(r.job.PolicyVersion), Details: map[string]any{"job_id": r.job.ID, "page": page,
				"repriced": rep.Repriced, "above_decision": rep.AboveDecision, "changed_meanwhile": len(changed)}})
	})
	if err != nil {
		return RepriceReport{}, nil, err
	}
	return rep, changed, nil
}

// estimateMessage tells c's claimant that estimate e, made for why,
// replaced their estimate. Its dedupe id is the estimate's.
func estimateMessage(id string, c *models.Claim, e *models.ClaimEstimate, why EstimateReason) *models.OutboxMessage {
	body := map[string]any{"claim_id": c.ID, "number": c.Number, "claimant_id": c.ClaimantID, "status": c.Status,
		"old_amount_krw": c.EstimateAmountKRW, "new_amount_krw": e.AmountKRW, "reason": why.Code,
		"policy_version": why.PolicyVersion, "policy_name": why.PolicyName, "above_decision": why.AboveDecision, "at": e.CreatedAt}
	if why.DecidedAmountKRW != nil {
		body["decided_amount_krw"] = *why.DecidedAmountKRW
	}
	payload, _ := json.Marshal(body)
	return &models.OutboxMessage{ID: id, Topic: TopicEstimate, DedupeID: "claim-estimate-" + e.ID, Payload: string(payload),
		AvailableAt: e.CreatedAt, CreatedAt: e.CreatedAt}
}
