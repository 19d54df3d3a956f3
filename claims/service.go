package claims

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/input"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/pii"
	"github.com/bosang/bosang/policy"
)

// Service is the claims use cases.
type Service struct {
	cache   *policyCache
	store   Store
	outages *outage.Service
	sealer  *pii.Sealer
	blobs   Blobs
	limits  EvidenceLimits
	// afterChange runs after a claim is filed or gets evidence (flags and
	// automatic adjudication live in package review, which imports this one).
	afterChange func(ctx context.Context, claimID string)
	now         func() time.Time
	newID       func() string
	log         *slog.Logger
	// repricePage is how many claims a re-pricing job commits at a time.
	repricePage int
	// reminderLead is how long before its due time a supplement is
	// reminded of (SetSupplementReminderLead).
	reminderLead time.Duration
}

// NewService wires a Service.
func NewService(store Store, outages *outage.Service, sealer *pii.Sealer, blobs Blobs, limits EvidenceLimits, now func() time.Time, newID func() string) *Service {
	return &Service{cache: &policyCache{}, store: store, outages: outages, sealer: sealer, blobs: blobs, limits: limits, now: now, newID: newID,
		log: slog.Default(), repricePage: DefaultRepricePage, reminderLead: DefaultSupplementReminderLead}
}

// SetLogger sets where background jobs (re-pricing) report their progress.
func (s *Service) SetLogger(l *slog.Logger) { s.log = l }

// SetRepricePage sets how many claims a re-pricing job reads and commits
// at a time (DefaultRepricePage unless set; tests use small pages).
func (s *Service) SetRepricePage(n int) { s.repricePage = n }

// NewClaim is what a claimant files (API.md POST /claims).
type NewClaim struct {
	OutageID         string         `json:"outage_id"`
	Category         string         `json:"category"`
	Monetary         bool           `json:"monetary"`
	Description      string         `json:"description"`
	ClaimedAmountKRW int64          `json:"claimed_amount_krw"`
	Details          map[string]any `json:"details"`
	PayoutAccount    Account        `json:"payout_account"`
	// ClientIP is set by the server from the connection, never by the body.
	ClientIP string `json:"-"`
}

// Account is a payout account as entered.
type Account struct {
	Bank   string `json:"bank"`
	Number string `json:"number"`
	Holder string `json:"holder"`
}

// MaxClaimKRW bounds a claimed amount to keep arithmetic far from overflow.
const MaxClaimKRW = 1_000_000_000_000

var kst = time.FixedZone("KST", 9*3600)

// File files a claim for claimant under the idempotency key: validation,
// eligibility, filing window, duplicate check, pricing, and one transaction
// that stores the claim, its estimate, its first event, an outbox message
// and the key's response (the request took the key in flight before, with
// BeginRequest; "" for none) answered with what render makes of the view
// (render is unused without a key). It returns the view and that answer. A
// duplicate is *DuplicateError (409); a late claim *LateError (422); bad
// fields *apperr.ValidationError.
func (s *Service) File(ctx context.Context, claimant *models.User, key string, in NewClaim, render Render) (*View, Answer, error) {
	var k *KeyAnswer
	if key != "" {
		k = &KeyAnswer{UserID: claimant.ID, Key: key}
	}
	return s.file(ctx, claimant, k, render, in)
}

// FileFirst files in as File does for a request that has not taken its
// key: the filing takes key, answered, for this request body in its own
// statement (on PostgreSQL the whole filing is one round trip, no
// transaction around it). When the key exists nothing is written and the
// error is ErrKeyUsed: the caller then goes through BeginRequest, which
// replays, refuses or hands the key over. Other errors are File's; no key
// is stored with them. With the view comes the answer render made of it,
// stored under the key, for the response.
func (s *Service) FileFirst(ctx context.Context, claimant *models.User, key string, body []byte, in NewClaim, render Render) (*View, Answer, error) {
	if err := checkKey(key); err != nil {
		return nil, Answer{}, err
	}
	k := &KeyAnswer{UserID: claimant.ID, Key: key, RequestHash: requestHash(body)}
	return s.file(ctx, claimant, k, render, in)
}

// file is File and FileFirst: k is the key to answer with what render
// makes of the view, taken by the filing when it carries a request hash.
func (s *Service) file(ctx context.Context, claimant *models.User, k *KeyAnswer, render Render, in NewClaim) (*View, Answer, error) {
	if claimant.Role != models.RoleClaimant {
		return nil, Answer{}, fmt.Errorf("only claimants file claims: %w", apperr.ErrForbidden)
	}
	o, cat, p, err := s.checkNew(ctx, in)
	if err != nil {
		return nil, Answer{}, err
	}
	now := s.now().UTC()
	if policy.Late(p, o.StartedAt, o.EndedAt, now) {
		_, closes, _ := policy.FilingWindow(p, o.StartedAt, o.EndedAt)
		return nil, Answer{}, &LateError{Closed: closes.In(kst).Format("2006-01-02 15:04 KST")}
	}
	// A second claim for the same outage and category is refused by the
	// schema's unique key when the claim is written, and reported then.
	est, err := s.priceNew(ctx, claimant, p, cat, o, in, now)
	if err != nil {
		return nil, Answer{}, err
	}
	c := s.newClaim(claimant, o, in, est, now)
	var answer Answer
	insert := func(tx Store) (*View, error) {
		var a *answerFor
		if k != nil {
			a = &answerFor{key: k, render: render, out: &answer}
		}
		return s.insertClaim(ctx, tx, claimant, c, est, EstimateReason{Code: ReasonFiled}, o.StartedAt, "", now, a, s.reviewJob(c.ID, "filed", now))
	}
	var view *View
	if k != nil && k.RequestHash != "" {
		// Taking its key, the filing is all or nothing by itself.
		k.CreatedAt = now
		view, err = insert(s.store)
	} else {
		err = s.store.InTx(ctx, func(tx Store) error {
			var err error
			view, err = insert(tx)
			return err
		})
	}
	if errors.Is(err, apperr.ErrConflict) {
		// Lost a race with a concurrent filing for the same outage and category.
		if prev, perr := s.store.ClaimFor(ctx, claimant.ID, o.ID, cat); perr == nil {
			return nil, Answer{}, &DuplicateError{ClaimID: prev.ID, Number: prev.Number}
		}
	}
	if err != nil {
		return nil, Answer{}, err
	}
	s.changed(ctx, c.ID)
	return view, answer, nil
}

// checkNew validates a new claim and finds its outage and the policy that
// governs it.
func (s *Service) checkNew(ctx context.Context, in NewClaim) (*outage.View, models.ClaimCategory, policy.Policy, error) {
	o, oerr := s.outage(ctx, in.OutageID)
	cat, verr := validate(in)
	if err := apperr.Merge(oerr, verr); err != nil {
		return nil, "", policy.Policy{}, err
	}
	p, err := s.policyFor(ctx, o.StartedAt)
	return o, cat, p, err
}

// priceNew prices a new claim of claimant under p, reading the claimant's
// profiles when the category needs them.
func (s *Service) priceNew(ctx context.Context, claimant *models.User, p policy.Policy, cat models.ClaimCategory, o *outage.View, in NewClaim, now time.Time) (policy.Estimate, error) {
	profiles := map[string]json.RawMessage{}
	if _, feeGiven := in.Details["monthly_fee_krw"]; cat == models.CategoryMerchant || (cat != models.CategoryFreeUser && !feeGiven) {
		var err error
		if profiles, err = s.profileMap(ctx, claimant.ID); err != nil {
			return policy.Estimate{}, err
		}
	}
	return price(p, cat, o, in.ClaimedAmountKRW, in.Details, profiles, nil, now)
}

// TopicReview is the outbox topic of "look at this claim again" jobs: flags
// and automatic adjudication, done off the request path by its job.
const TopicReview = "claim.review"

// reviewJob is the durable request to run the review hooks for a claim,
// written with the change that calls for it.
func (s *Service) reviewJob(claimID, cause string, now time.Time) *models.OutboxMessage {
	id := s.newID()
	payload, _ := json.Marshal(map[string]string{"claim_id": claimID, "cause": cause})
	return &models.OutboxMessage{ID: id, Topic: TopicReview, DedupeID: "claim-review-" + id, Payload: string(payload), AvailableAt: now, CreatedAt: now}
}

// ReviewJobClaim reads the claim id of a review job.
func ReviewJobClaim(m models.OutboxMessage) (string, error) {
	var p struct {
		ClaimID string `json:"claim_id"`
	}
	if err := json.Unmarshal([]byte(m.Payload), &p); err != nil || p.ClaimID == "" {
		return "", fmt.Errorf("review job %s: bad payload", m.ID)
	}
	return p.ClaimID, nil
}

// OnChange sets a hook run synchronously after a claim is filed or gets
// evidence (tests use it; the server relies on the review jobs instead).
func (s *Service) OnChange(fn func(ctx context.Context, claimID string)) { s.afterChange = fn }

func (s *Service) changed(ctx context.Context, claimID string) {
	if s.afterChange != nil {
		s.afterChange(ctx, claimID)
	}
}

func (s *Service) newClaim(claimant *models.User, o *outage.View, in NewClaim, est policy.Estimate, now time.Time) *models.Claim {
	id := s.newID()
	details, _ := json.Marshal(in.Details)
	if in.Details == nil {
		details = []byte("{}")
	}
	c := &models.Claim{ID: id, ClaimantID: claimant.ID, OutageID: o.ID, Category: models.ClaimCategory(in.Category), Monetary: in.Monetary,
		Description: strings.TrimSpace(in.Description), ClaimedAmountKRW: in.ClaimedAmountKRW, Details: string(details),
		PayoutBank: in.PayoutAccount.Bank, PayoutHolder: strings.TrimSpace(in.PayoutAccount.Holder),
		Status: models.StatusSubmitted, Flags: "[]", ClientIP: in.ClientIP, EstimateAmountKRW: est.AmountKRW, PolicyVersion: est.PolicyVersion, Version: 1, CreatedAt: now, UpdatedAt: now}
	if number := pii.NormalizeAccount(in.PayoutAccount.Number); number != "" {
		c.PayoutNumberSealed, c.PayoutKeyID = s.sealer.Seal(number, id)
		c.PayoutNumberMasked = pii.MaskAccount(number)
		c.PayoutFingerprint = s.sealer.Fingerprint(number)
	}
	return c
}

func (s *Service) estimateRecord(claimID string, est policy.Estimate, why EstimateReason, now time.Time) *models.ClaimEstimate {
	steps, _ := json.Marshal(est.Steps)
	return &models.ClaimEstimate{ID: s.newID(), ClaimID: claimID, PolicyVersion: est.PolicyVersion, AmountKRW: est.AmountKRW,
		Steps: string(steps), Auto: est.Auto, ReviewRequired: est.ReviewRequired, ReviewReason: est.ReviewReason,
		ExtensionDays: est.ExtensionDays, InKind: est.InKind, InKindEN: est.InKindEN, Reason: why.encode(), CreatedAt: now}
}

// outboxFor is the message announcing a status change to the claimant.
func (s *Service) outboxFor(c *models.Claim, ev *models.ClaimEvent) *models.OutboxMessage {
	return StatusMessage(s.newID(), c, ev, News{})
}

// TopicStatus is the outbox topic that tells a claimant their claim moved.
const TopicStatus = "claim.status"

// News is what a status message tells besides the new status: the amount
// decided, with its reason, or the amount paid, with the transfer reference.
type News struct {
	// AmountKRW is the amount decided (0 for a rejection) or paid; nil
	// when the change decides and pays nothing.
	AmountKRW  *int64
	ReasonCode string
	Reference  string
}

// StatusPayload is the payload of a TopicStatus message.
type StatusPayload struct {
	ClaimID    string             `json:"claim_id"`
	Number     string             `json:"number"`
	ClaimantID string             `json:"claimant_id"`
	Status     models.ClaimStatus `json:"status"`
	At         time.Time          `json:"at"`
	Note       string             `json:"note"`
	// AmountKRW is News.AmountKRW: null unless the change decided or paid.
	AmountKRW  *int64 `json:"amount_krw"`
	ReasonCode string `json:"reason_code,omitempty"`
	Reference  string `json:"reference,omitempty"`
}

// StatusMessage is the outbox message announcing the status change ev of c
// to its claimant, with id and what n tells; every package that moves a
// claim writes it in the same transaction. Its dedupe id is the event's, so
// a receiver drops repeats of at-least-once delivery.
func StatusMessage(id string, c *models.Claim, ev *models.ClaimEvent, n News) *models.OutboxMessage {
	payload, _ := json.Marshal(StatusPayload{ClaimID: c.ID, Number: c.Number, ClaimantID: c.ClaimantID, Status: ev.Status,
		At: ev.CreatedAt, Note: ev.Note, AmountKRW: n.AmountKRW, ReasonCode: n.ReasonCode, Reference: n.Reference})
	return &models.OutboxMessage{ID: id, Topic: TopicStatus, DedupeID: "claim-event-" + ev.ID, Payload: string(payload),
		AvailableAt: ev.CreatedAt, CreatedAt: ev.CreatedAt}
}

func (s *Service) outage(ctx context.Context, id string) (*outage.View, error) {
	o, err := s.outages.Get(ctx, id)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, apperr.InvalidMsg("outage_id", apperr.M("claims.outage_unknown"))
	}
	return o, err
}

// Validate checks the fields of in that need no lookups (category,
// description, amount, payout account) and returns an
// *apperr.ValidationError naming every one at fault, or nil; a form calls it
// to report them together with its own checks.
func Validate(in NewClaim) error {
	_, err := validate(in)
	return err
}

// validate checks the fields that need no lookups.
func validate(in NewClaim) (models.ClaimCategory, error) {
	var f apperr.Fields
	cat, err := models.ParseClaimCategory(in.Category)
	if err != nil {
		f.AddMsg("category", apperr.M("claims.category_missing"))
	}
	input.Text(&f, "description", in.Description, 0)
	if n := len([]rune(strings.TrimSpace(in.Description))); n < 1 || n > 5000 {
		f.AddMsg("description", apperr.M("claims.description_length"))
	}
	if in.ClaimedAmountKRW < 0 || in.ClaimedAmountKRW > MaxClaimKRW {
		f.AddMsg("claimed_amount_krw", apperr.M("claims.amount_range"))
	}
	if !in.Monetary && in.ClaimedAmountKRW > 0 {
		f.AddMsg("claimed_amount_krw", apperr.M("claims.amount_not_monetary"))
	}
	if in.Monetary {
		validateAccount(&f, in.PayoutAccount)
	}
	return cat, f.Err()
}

func validateAccount(f *apperr.Fields, a Account) {
	if _, ok := bankByCode(a.Bank); !ok {
		f.AddMsg("payout_account.bank", apperr.M("claims.bank_missing"))
	}
	if !pii.ValidAccount(a.Number) {
		f.AddMsg("payout_account.number", apperr.M("claims.account_number_format"))
	}
	input.Line(f, "payout_account.holder", a.Holder, 0)
	if n := len([]rune(strings.TrimSpace(a.Holder))); n < 1 || n > 50 {
		f.AddMsg("payout_account.holder", apperr.M("claims.holder_missing"))
	}
}

// Withdraw withdraws a claim before a decision. Only the owner may; after a
// decision it is ErrConflict.
func (s *Service) Withdraw(ctx context.Context, owner *models.User, id, reason string) (*View, error) {
	c, err := s.store.Claim(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.ClaimantID != owner.ID {
		return nil, fmt.Errorf("claim %s: %w", id, apperr.ErrNotFound)
	}
	if !withdrawable(c.Status) {
		return nil, fmt.Errorf("claim %s is %s: %w", c.Number, c.Status, apperr.ErrConflict)
	}
	if err := s.transition(ctx, c, models.StatusWithdrawn, &owner.ID, strings.TrimSpace(reason)); err != nil {
		return nil, err
	}
	return s.load(ctx, c)
}

// transition moves c to status with an event, an outbox message and its
// audit entry in one transaction, guarded by the claim's version.
func (s *Service) transition(ctx context.Context, c *models.Claim, status models.ClaimStatus, actor *string, note string) error {
	now := s.now().UTC()
	c.Status, c.Version, c.UpdatedAt = status, c.Version+1, now
	ev := &models.ClaimEvent{ID: s.newID(), ClaimID: c.ID, Status: status, ActorID: actor, Note: note, CreatedAt: now}
	a, err := s.auditEntry(ctx, statusRecord(c, ev))
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error { return tx.UpdateClaim(ctx, c, ev, s.outboxFor(c, ev), a) })
}

// WithClock returns a copy of s that reads time from now: used to record
// historical claims (the demo data of 2022) as filed at the time.
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// ByID returns any claim's view, for the system's own processes (automatic
// adjudication, payouts); requests from people go through Get.
func (s *Service) ByID(ctx context.Context, id string) (*View, error) {
	c, err := s.store.Claim(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.load(ctx, c)
}
